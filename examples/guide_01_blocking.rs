//! Guide, chapter 1: blocking I/O, and what a thread per connection costs.
//!
//! A classic blocking echo server: one thread accepts, and every connection gets a
//! thread of its own that sits in `read` until its client says something. The program
//! shows two things:
//!
//! 1. a blocking `read` holds its thread for as long as the peer is silent;
//! 2. a thousand idle connections are a thousand threads, each with its own stack.
//!
//! Everything talks to 127.0.0.1 and the program ends on its own in about a second.
//!
//! Run with `cargo run --release --example guide_01_blocking`; docs/01-blocking-io.md
//! explains the output.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// How many idle connections part 2 opens (fewer if the process may not open the
/// two descriptors each needs, one per end).
const CONNECTIONS: usize = 1000;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    // The accept loop: one thread per connection, forever.
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            thread::spawn(move || echo(stream));
        }
    });

    println!("part 1: a blocking read waits for the peer");
    let mut client = TcpStream::connect(addr)?;
    let mut writer = client.try_clone()?;
    let started = Instant::now();
    // The client stays silent for 200 ms, then says hello.
    let talker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(200));
        writer.write_all(b"hello\n")
    });
    let mut reply = [0; 6];
    client.read_exact(&mut reply)?; // the server's thread was in `read` all along
    talker.join().expect("the talker does not panic")?;
    println!(
        "  the reply {:?} came after {} ms: for those 200 ms the server's thread for this \
         connection could do nothing but wait",
        String::from_utf8_lossy(&reply).trim_end(),
        started.elapsed().as_millis()
    );

    let fd_limit = raise_fd_limit(2 * CONNECTIONS as u64 + 64)?;
    let connections = CONNECTIONS.min(fd_limit.saturating_sub(64) as usize / 2);
    println!("part 2: {connections} idle connections");
    let before = ProcessStatus::read()?;
    let started = Instant::now();
    let mut idle = Vec::with_capacity(connections);
    for _ in 0..connections {
        let mut stream = TcpStream::connect(addr)?;
        // One round trip, so we know the server has started this connection's thread.
        stream.write_all(b"hi\n")?;
        stream.read_exact(&mut [0; 3])?;
        idle.push(stream);
    }
    let elapsed = started.elapsed();
    let after = ProcessStatus::read()?;
    println!(
        "  threads:        {:>6} -> {:>6}",
        before.threads, after.threads
    );
    println!(
        "  virtual memory: {:>6} -> {:>6} MiB (each thread reserves a stack: 2 MiB by default in Rust)",
        before.vm_size_kib / 1024,
        after.vm_size_kib / 1024
    );
    println!(
        "  resident:       {:>6} -> {:>6} MiB",
        before.vm_rss_kib / 1024,
        after.vm_rss_kib / 1024
    );
    println!(
        "  opening them (connect + thread start + one round trip each) took {} ms",
        elapsed.as_millis()
    );
    println!("  every one of those threads is now asleep in read(), waiting for its client");

    drop(idle); // each server thread sees end of stream and exits
    Ok(())
}

/// Raises this process's open-file limit (the soft `RLIMIT_NOFILE`) towards `wanted`,
/// as far as the hard limit allows, and returns the limit now in force. Many systems
/// start programs with a soft limit of 1024 descriptors.
fn raise_fd_limit(wanted: u64) -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the kernel to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == -1 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_cur < wanted {
        limit.rlim_cur = wanted.min(limit.rlim_max);
        // SAFETY: `limit` is a valid rlimit the kernel only reads.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(limit.rlim_cur)
}

/// One connection's whole life, on its own thread: read a line, write it back.
fn echo(stream: TcpStream) {
    // `&TcpStream` reads and writes too: one descriptor serves both directions.
    let mut reader = BufReader::new(&stream);
    let mut writer = &stream;
    let mut line = String::new();
    loop {
        line.clear();
        // Blocks this thread until a whole line, end of stream or an error arrives.
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if writer.write_all(line.as_bytes()).is_err() {
                    return;
                }
            }
        }
    }
}

/// A few lines of /proc/self/status.
struct ProcessStatus {
    threads: u64,
    vm_size_kib: u64,
    vm_rss_kib: u64,
}

impl ProcessStatus {
    fn read() -> io::Result<ProcessStatus> {
        let status = std::fs::read_to_string("/proc/self/status")?;
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|value| value.parse().ok())
                .unwrap_or(0)
        };
        Ok(ProcessStatus {
            threads: field("Threads:"),
            vm_size_kib: field("VmSize:"),
            vm_rss_kib: field("VmRSS:"),
        })
    }
}
