//! A chat server: every line a client sends goes to every other client, prefixed
//! with the sender's name, with a notice when someone joins or leaves.
//!
//! What it teaches: state shared by many tasks on one thread (the room is an
//! `Rc<RefCell<..>>`, no lock); one connection used by two tasks at once through
//! `&TcpStream` (one reads, one writes); and a small hand-written queue with a waker,
//! bounded so that a client who stops reading is dropped instead of holding up the
//! room or filling the server's memory.
//!
//! Run with `cargo run --release --example chat [PORT]` (port 7780 by default), then
//! join from two terminals with `nc 127.0.0.1 7780`.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::future::poll_fn;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;
use std::task::{Poll, Waker};

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};

/// Lines queued for one client before it counts as too slow and is dropped.
const OUTBOX_LINES: usize = 64;
/// The longest line; a longer one is cut into pieces of this size.
const MAX_LINE: usize = 1024;

#[evloop::main]
async fn main() -> io::Result<()> {
    let port = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("not a port: {arg}"))
        })?,
        None => 7780,
    };
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("chat: listening on {}", listener.local_addr()?);
    let room = Rc::new(RefCell::new(Room::default()));
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => drop(evloop::spawn(serve(stream, peer, room.clone()))),
            Err(error) => eprintln!("chat: accept failed: {error}"),
        }
    }
}

/// One client, from the name prompt to the leave notice. This task reads; a second
/// one, [`write_outbox`], writes what the others say.
async fn serve(stream: TcpStream, peer: SocketAddr, room: Rc<RefCell<Room>>) {
    let stream = Rc::new(stream);
    let mut lines = LineReader::default();
    let prompt = b"Welcome to evloop chat. Your name? (empty: your address)\n";
    if (&*stream).write_all(prompt).await.is_err() {
        return;
    }
    let name = match lines.next(&stream).await {
        Some(name) if !name.trim().is_empty() => name.trim().to_string(),
        Some(_) => peer.to_string(),
        None => return,
    };
    let outbox = Rc::new(Outbox::default());
    let id = room
        .borrow_mut()
        .join(name.clone(), stream.clone(), outbox.clone());
    let writer = evloop::spawn(write_outbox(stream.clone(), outbox.clone()));
    while let Some(line) = lines.next(&stream).await {
        if outbox.is_closed() {
            // Dropped for not reading (see `Member::send`).
            break;
        }
        room.borrow()
            .broadcast(Some(id), &format!("{name}: {line}"));
    }
    room.borrow_mut().leave(id);
    let _ = writer.await;
}

/// The other half of a client: sends it whatever lands in its outbox, batching all
/// that queued up while the last write was under way.
async fn write_outbox(stream: Rc<TcpStream>, outbox: Rc<Outbox>) {
    let mut batch = Vec::new();
    while poll_fn(|cx| outbox.poll_take_all(cx, &mut batch)).await {
        if (&*stream).write_all(&batch).await.is_err() {
            return;
        }
        batch.clear();
    }
}

/// Who is here. Members are kept in joining order.
#[derive(Default)]
struct Room {
    members: BTreeMap<u64, Member>,
    next_id: u64,
}

struct Member {
    name: String,
    stream: Rc<TcpStream>,
    outbox: Rc<Outbox>,
}

impl Room {
    /// Adds a member, greets them and tells the others; returns the member's id.
    fn join(&mut self, name: String, stream: Rc<TcpStream>, outbox: Rc<Outbox>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let here: Vec<&str> = self.members.values().map(|m| m.name.as_str()).collect();
        let greeting = if here.is_empty() {
            format!("* welcome, {name}; nobody else is here yet")
        } else {
            format!("* welcome, {name}; here: {}", here.join(", "))
        };
        self.broadcast(None, &format!("* {name} joined"));
        let member = Member {
            name,
            stream,
            outbox,
        };
        member.send(&Rc::from(greeting + "\n"));
        self.members.insert(id, member);
        id
    }

    /// Removes a member (its writer task then ends) and tells the others.
    fn leave(&mut self, id: u64) {
        if let Some(member) = self.members.remove(&id) {
            member.outbox.close();
            self.broadcast(None, &format!("* {} left", member.name));
        }
    }

    /// Queues `line` for every member but `from`. One allocation, shared by all.
    fn broadcast(&self, from: Option<u64>, line: &str) {
        let line: Rc<str> = Rc::from(format!("{line}\n"));
        for (id, member) in &self.members {
            if Some(*id) != from {
                member.send(&line);
            }
        }
    }
}

impl Member {
    /// Queues a line; a member whose outbox is full is too slow and is dropped: its
    /// connection is shut down, which ends its reader task (it reads end of stream,
    /// then leaves the room) and its writer task.
    fn send(&self, line: &Rc<str>) {
        if self.outbox.push(line.clone()).is_err() {
            eprintln!("chat: {} is not reading; dropping them", self.name);
            self.outbox.close();
            let _ = self.stream.shutdown(Shutdown::Both);
        }
    }
}

/// One client's queue of lines to send: filled by the other clients' tasks, emptied by
/// the client's writer task. A tiny single-threaded channel.
#[derive(Default)]
struct Outbox {
    lines: RefCell<VecDeque<Rc<str>>>,
    /// The writer task, when it found the queue empty and is waiting.
    waker: Cell<Option<Waker>>,
    /// No more lines: the writer task stops.
    closed: Cell<bool>,
}

/// [`Outbox::push`] found the queue full.
struct Full;

impl Outbox {
    fn push(&self, line: Rc<str>) -> Result<(), Full> {
        if self.closed.get() {
            return Ok(());
        }
        let mut lines = self.lines.borrow_mut();
        if lines.len() == OUTBOX_LINES {
            return Err(Full);
        }
        lines.push_back(line);
        self.wake_writer();
        Ok(())
    }

    fn close(&self) {
        self.closed.set(true);
        self.wake_writer();
    }

    fn is_closed(&self) -> bool {
        self.closed.get()
    }

    fn wake_writer(&self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    /// Moves every queued line into `batch`: `Ready(true)` if there were any,
    /// `Ready(false)` once the outbox is closed, else `Pending` with the waker stored,
    /// so that the next `push` or `close` wakes the writer. (That is the contract of
    /// `Pending`: whoever returns it has arranged for a wake-up.)
    fn poll_take_all(&self, cx: &mut std::task::Context<'_>, batch: &mut Vec<u8>) -> Poll<bool> {
        if self.closed.get() {
            return Poll::Ready(false);
        }
        let mut lines = self.lines.borrow_mut();
        if lines.is_empty() {
            self.waker.set(Some(cx.waker().clone()));
            return Poll::Pending;
        }
        for line in lines.drain(..) {
            batch.extend_from_slice(line.as_bytes());
        }
        Poll::Ready(true)
    }
}

/// Splits what a client sends into lines.
#[derive(Default)]
struct LineReader {
    buf: Vec<u8>,
}

impl LineReader {
    /// The next line, without its `\n` (or `\r\n`); `None` at end of stream or on an
    /// error. A line longer than [`MAX_LINE`] comes in pieces.
    async fn next(&mut self, mut stream: &TcpStream) -> Option<String> {
        loop {
            let cut = match self.buf.iter().position(|&b| b == b'\n') {
                Some(newline) => Some(newline + 1),
                None if self.buf.len() >= MAX_LINE => Some(MAX_LINE),
                None => None,
            };
            if let Some(cut) = cut {
                let line: Vec<u8> = self.buf.drain(..cut).collect();
                let line = line.strip_suffix(b"\n").unwrap_or(&line);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                return Some(String::from_utf8_lossy(line).into_owned());
            }
            let mut chunk = [0; MAX_LINE];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }
}
