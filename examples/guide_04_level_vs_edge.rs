//! Guide, chapter 4: level-triggered against edge-triggered epoll, on a real socket.
//!
//! One connected TCP socket (over 127.0.0.1) is watched by two epoll instances at once:
//! one level-triggered (`EPOLLIN`), one edge-triggered (`EPOLLIN | EPOLLET`). The peer
//! writes, and we call `epoll_wait` on each instance twice *without reading*:
//!
//! - level-triggered answers "the socket is readable" every time: it reports a state;
//! - edge-triggered answers once: it reports a change, "data arrived".
//!
//! Then we read part of the data, and only the level-triggered instance still says so:
//! the rest is stranded until new data arrives. That is why an edge-triggered reader
//! (evloop is one) must read until `EAGAIN`, or until a short read shows the buffer is
//! empty, before it waits again.
//!
//! Run with `cargo run --example guide_04_level_vs_edge`; it ends on its own in under a
//! second. docs/04-level-vs-edge.md explains the output.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// How long each `epoll_wait` waits before it gives up and returns no events.
const TIMEOUT_MS: libc::c_int = 100;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut peer = TcpStream::connect(listener.local_addr()?)?;
    let (mut socket, _) = listener.accept()?;
    socket.set_nonblocking(true)?;

    let level = Epoll::new()?;
    level.add(socket.as_raw_fd(), libc::EPOLLIN as u32)?;
    let edge = Epoll::new()?;
    edge.add(socket.as_raw_fd(), (libc::EPOLLIN | libc::EPOLLET) as u32)?;

    println!("1. the peer writes \"hello\" (5 bytes), once; nobody reads");
    peer.write_all(b"hello")?;
    ask_twice("level-triggered", &level)?;
    ask_twice("edge-triggered ", &edge)?;

    println!("2. we read 2 of the 5 bytes; 3 are still in the socket");
    let mut two = [0; 2];
    socket.read_exact(&mut two)?;
    ask_once("level-triggered", &level)?;
    ask_once("edge-triggered ", &edge)?;
    println!("   edge-triggered stays silent: no new data, no new edge; the 3 bytes are stranded");

    println!("3. we read until EAGAIN, as an edge-triggered reader must");
    let mut buf = [0; 64];
    loop {
        match socket.read(&mut buf) {
            Ok(n) => println!("   read {n} bytes"),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                println!("   read: EAGAIN (the socket is empty)");
                break;
            }
            Err(e) => return Err(e),
        }
    }
    ask_once("level-triggered", &level)?;
    ask_once("edge-triggered ", &edge)?;

    println!("4. the peer writes again");
    peer.write_all(b"world")?;
    ask_once("level-triggered", &level)?;
    ask_once("edge-triggered ", &edge)?;
    println!("   new data is a new edge: edge-triggered reports it, once");
    Ok(())
}

fn ask_twice(name: &str, epoll: &Epoll) -> io::Result<()> {
    for call in ["1st", "2nd"] {
        println!("   {name}, {call} epoll_wait: {}", describe(epoll.wait()?));
    }
    Ok(())
}

fn ask_once(name: &str, epoll: &Epoll) -> io::Result<()> {
    println!("   {name}, epoll_wait:     {}", describe(epoll.wait()?));
    Ok(())
}

fn describe(events: Option<u32>) -> String {
    match events {
        Some(bits) if bits & libc::EPOLLIN as u32 != 0 => "1 event, EPOLLIN".into(),
        Some(bits) => format!("1 event, bits {bits:#x}"),
        None => format!("0 events (timed out after {TIMEOUT_MS} ms)"),
    }
}

/// An epoll instance watching one fd, closed on drop.
struct Epoll {
    fd: OwnedFd,
}

impl Epoll {
    fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd == -1 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a new descriptor that nothing else owns.
        Ok(Epoll {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    fn add(&self, fd: RawFd, interest: u32) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: interest,
            u64: 0,
        };
        // SAFETY: both fds are open and `event` is a valid epoll_event the kernel reads.
        let result =
            unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut event) };
        if result == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits up to `TIMEOUT_MS` for one event; its bits, or `None` on timeout.
    fn wait(&self) -> io::Result<Option<u32>> {
        let mut event = libc::epoll_event { events: 0, u64: 0 };
        // SAFETY: `event` is valid for writes of one entry, and we pass a count of 1.
        let n = unsafe { libc::epoll_wait(self.fd.as_raw_fd(), &mut event, 1, TIMEOUT_MS) };
        match n {
            -1 => Err(io::Error::last_os_error()),
            0 => Ok(None),
            _ => Ok(Some(event.events)),
        }
    }
}
