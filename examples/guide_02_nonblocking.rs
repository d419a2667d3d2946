//! Guide, chapter 2: non-blocking I/O and `EAGAIN`.
//!
//! A socket with `O_NONBLOCK` set never puts the thread to sleep. When there is nothing
//! to read, or no room to write, the call fails at once with `EAGAIN` ("try again").
//! The program shows, on one TCP connection over 127.0.0.1:
//!
//! 1. `read` on an empty socket: `-1` and `EAGAIN`, immediately;
//! 2. the naive fix, retrying in a loop until data comes: millions of wasted calls;
//! 3. a *short* read: asking for 4096 bytes when 4 are there returns 4;
//! 4. `write` until `EAGAIN`: how much the kernel buffers before it says "full";
//! 5. end of stream: `read` returns 0, which is not `EAGAIN`.
//!
//! It calls `fcntl`, `read` and `write` through `libc` directly, to show the raw system
//! calls. Run with `cargo run --release --example guide_02_nonblocking`;
//! docs/02-nonblocking-io.md explains the output.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::thread;
use std::time::{Duration, Instant};

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    let fd = server.as_raw_fd();
    set_nonblocking(fd)?;

    println!("1. read() on an empty non-blocking socket");
    let mut buf = [0u8; 4096];
    let started = Instant::now();
    match read(fd, &mut buf) {
        Err(e) => println!(
            "   returned -1 after {} µs, errno {} ({}): {}",
            started.elapsed().as_micros(),
            e.raw_os_error().unwrap_or(0),
            errno_name(&e),
            e
        ),
        Ok(n) => println!("   unexpectedly read {n} bytes"),
    }

    println!("2. retrying until the peer writes (it waits 50 ms)");
    let mut writer = client.try_clone()?;
    let talker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        writer.write_all(b"ping")
    });
    let started = Instant::now();
    let mut attempts: u64 = 0;
    let n = loop {
        attempts += 1;
        match read(fd, &mut buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            result => break result?,
        }
    };
    talker.join().expect("the talker does not panic")?;
    println!(
        "   got {n} bytes after {} ms and {attempts} calls to read(); all but the last said \
         EAGAIN, and this thread used a whole CPU to hear it",
        started.elapsed().as_millis()
    );

    println!("3. a short read");
    client.write_all(b"pong")?;
    wait_readable(fd)?;
    let n = read(fd, &mut buf)?;
    println!(
        "   asked for {} bytes, got {n}: a short read, so the socket's receive buffer is \
         empty now",
        buf.len()
    );
    match read(fd, &mut buf) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            println!("   (the next read() proves it: {})", errno_name(&e))
        }
        other => println!("   the next read() gave {other:?}"),
    }

    println!("4. write() until EAGAIN while the peer reads nothing");
    let chunk = [b'x'; 64 * 1024];
    let mut total = 0usize;
    let mut calls = 0u32;
    let error = loop {
        calls += 1;
        match write(fd, &chunk) {
            Ok(n) => total += n,
            Err(e) => break e,
        }
    };
    println!(
        "   the kernel took {} KiB in {calls} calls, then said {}: both socket buffers \
         are full until the peer reads",
        total / 1024,
        errno_name(&error)
    );

    println!("5. end of stream");
    client.shutdown(Shutdown::Write)?;
    wait_readable(fd)?;
    let n = read(fd, &mut buf)?;
    println!(
        "   after the peer shut down its side, read() returned {n}: end of stream, not EAGAIN"
    );

    // Drain what we wrote, so the client side closes cleanly.
    let mut sink = Vec::new();
    drop(server);
    client.read_to_end(&mut sink)?;
    Ok(())
}

/// Sets `O_NONBLOCK` with `fcntl`, as `TcpStream::set_nonblocking` would.
fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: F_GETFL takes no pointer; `fd` is an open socket owned by `main`.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: F_SETFL takes the flags by value; `fd` is open.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `read(2)`: the number of bytes read, or the error `errno` names.
fn read(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the whole call.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if n == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// `write(2)`: the number of bytes the kernel took, or the error.
fn write(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes for the whole call.
    let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
    if n == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// Sleeps in `poll(2)` until `fd` is readable: the right way to wait (chapter 3).
fn wait_readable(fd: RawFd) -> io::Result<()> {
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `pollfd` is one valid, live entry, and we pass a count of 1.
    if unsafe { libc::poll(&mut pollfd, 1, 1000) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn errno_name(error: &io::Error) -> &'static str {
    match error.raw_os_error() {
        Some(libc::EAGAIN) => "EAGAIN",
        Some(libc::EINTR) => "EINTR",
        Some(libc::ECONNRESET) => "ECONNRESET",
        Some(libc::EPIPE) => "EPIPE",
        _ => "another error",
    }
}
