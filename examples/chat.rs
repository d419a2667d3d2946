//! A chat server: every line a client sends goes to every other client, prefixed
//! with the sender's name, with a notice when someone joins or leaves.
//!
//! What it teaches: state shared by many tasks on one thread (the room is an
//! `Rc<RefCell<..>>`, no lock); one connection used by two tasks at once through
//! `&TcpStream` (one reads, one writes); and a bounded `evloop::sync::mpsc` channel
//! per client as its outbox, so that a client who stops reading is dropped instead of
//! holding up the room or filling the server's memory.
//!
//! (Why not one `broadcast` channel for the room? A broadcast receiver learns that it
//! fell behind only when it next receives, and the writer of a client who stopped
//! reading never gets there: it waits forever for that client's socket to take its
//! last write. Each sender's `try_send` into a full outbox notices at once.)
//!
//! Run with `cargo run --release --example chat [PORT]` (port 7780 by default), then
//! join from two terminals with `nc 127.0.0.1 7780`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};
use evloop::sync::mpsc::{self, error::TrySendError};

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
    let (outbox, queued) = mpsc::channel(OUTBOX_LINES);
    let id = room.borrow_mut().join(name.clone(), stream.clone(), outbox);
    let writer = evloop::spawn(write_outbox(stream.clone(), queued));
    // Ends at end of stream, also when the client is dropped for not reading (see
    // `Member::send`: its connection is shut down).
    while let Some(line) = lines.next(&stream).await {
        room.borrow()
            .broadcast(Some(id), &format!("{name}: {line}"));
    }
    // Leaving drops the outbox's sender: the writer ends once the outbox is empty.
    room.borrow_mut().leave(id);
    let _ = writer.await;
}

/// The other half of a client: sends it whatever lands in its outbox, batching all
/// that queued up while the last write was under way.
async fn write_outbox(stream: Rc<TcpStream>, mut outbox: mpsc::Receiver<Rc<str>>) {
    let mut lines = Vec::new();
    let mut batch = Vec::new();
    while outbox.recv_many(&mut lines, OUTBOX_LINES).await > 0 {
        for line in lines.drain(..) {
            batch.extend_from_slice(line.as_bytes());
        }
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
    /// Lines for this member's writer task, at most [`OUTBOX_LINES`] of them.
    outbox: mpsc::Sender<Rc<str>>,
    /// Set once dropped for not reading, until its reader task sees the end.
    dropped: Cell<bool>,
}

impl Room {
    /// Adds a member, greets them and tells the others; returns the member's id.
    fn join(&mut self, name: String, stream: Rc<TcpStream>, outbox: mpsc::Sender<Rc<str>>) -> u64 {
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
            dropped: Cell::new(false),
        };
        member.send(&Rc::from(greeting + "\n"));
        self.members.insert(id, member);
        id
    }

    /// Removes a member (its writer task then ends) and tells the others.
    fn leave(&mut self, id: u64) {
        if let Some(member) = self.members.remove(&id) {
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
    /// then leaves the room) and its writer task (its write fails).
    fn send(&self, line: &Rc<str>) {
        if self.dropped.get() {
            return;
        }
        if let Err(TrySendError::Full(_)) = self.outbox.try_send(line.clone()) {
            eprintln!("chat: {} is not reading; dropping them", self.name);
            self.dropped.set(true);
            let _ = self.stream.shutdown(Shutdown::Both);
        }
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
