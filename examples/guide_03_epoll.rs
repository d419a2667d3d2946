//! Guide, chapter 3: `poll` against `epoll`, with many connections and few active.
//!
//! A server holds N connections over 127.0.0.1; the clients of just three of them have
//! sent something. The program asks "which sockets can I read?" two ways:
//!
//! - `poll(2)`: we pass all N sockets on every call, the kernel checks all N, and we
//!   scan all N answers to find the three;
//! - `epoll`: the N sockets are registered once (the *interest list*); `epoll_wait`
//!   returns only the ready ones (the *ready list*).
//!
//! It prints the answer and how long one call takes for N = 10, 100 and 1000: `poll`
//! grows with N, `epoll_wait` stays flat, because it grows with the number of *ready*
//! sockets instead. (`select(2)` is `poll` with a bitmap, and cannot even watch an fd
//! numbered 1024 or above.)
//!
//! Run with `cargo run --release --example guide_03_epoll`; docs/03-select-poll-epoll.md
//! explains the output.

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

/// How many calls each measurement averages over.
const CALLS: u32 = 1000;

/// Each measurement is repeated this many times and the fastest kept: other programs
/// on the machine can only make a round slower.
const ROUNDS: u32 = 5;

fn main() -> io::Result<()> {
    // Each connection is two descriptors here, one per end.
    let fd_limit = raise_fd_limit(2 * 1000 + 64)?;
    for n in [10, 100, 1000] {
        if 2 * n as u64 + 64 > fd_limit {
            println!("{n:>5} connections: skipped, the open-file limit is {fd_limit}");
            continue;
        }
        measure(n)?;
    }
    Ok(())
}

fn measure(n: usize) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let mut clients = Vec::with_capacity(n);
    let mut servers = Vec::with_capacity(n);
    for _ in 0..n {
        clients.push(TcpStream::connect(addr)?);
        servers.push(listener.accept()?.0);
    }
    // Three clients talk; the rest stay silent. Nobody reads, so the three sockets stay
    // readable (these are level-triggered questions) and every call finds them.
    let active = [0, n / 2, n - 1];
    for &i in &active {
        clients[i].write_all(b"hello")?;
    }

    // poll: the whole set goes to the kernel on every call.
    let mut pollfds: Vec<libc::pollfd> = servers
        .iter()
        .map(|s| libc::pollfd {
            fd: s.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let mut ready_by_poll = Vec::new();
    // Wait until the three writes have arrived (on loopback: at once), then time it.
    while poll(&mut pollfds, 1000)? < active.len() {}
    let poll_ns = fastest_round(|| {
        poll(&mut pollfds, 0)?;
        ready_by_poll.clear();
        // ...and the answer comes back in the same N entries: scan them all.
        for (i, pollfd) in pollfds.iter().enumerate() {
            if pollfd.revents & libc::POLLIN != 0 {
                ready_by_poll.push(i);
            }
        }
        Ok(())
    })?;

    // epoll: register each socket once, with its index as the token.
    let epoll = Epoll::new()?;
    for (i, server) in servers.iter().enumerate() {
        epoll.add(server.as_raw_fd(), libc::EPOLLIN as u32, i as u64)?;
    }
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 64];
    let mut ready_by_epoll = Vec::new();
    let epoll_ns = fastest_round(|| {
        let count = epoll.wait(&mut events, 0)?;
        ready_by_epoll.clear();
        // Only the ready sockets come back, each with the token we registered.
        ready_by_epoll.extend(events[..count].iter().map(|e| e.u64 as usize));
        Ok(())
    })?;
    ready_by_epoll.sort_unstable();

    println!("{n:>5} connections, 3 with data waiting:");
    println!(
        "  poll:       {:>6} ns per call; checked {n} entries to find {:?}",
        poll_ns, ready_by_poll
    );
    println!(
        "  epoll_wait: {:>6} ns per call; it returned {} events: {:?}",
        epoll_ns,
        ready_by_epoll.len(),
        ready_by_epoll
    );
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

/// Runs `call` `CALLS` times per round; the fastest round's time per call, in ns.
fn fastest_round(mut call: impl FnMut() -> io::Result<()>) -> io::Result<u128> {
    let mut best = u128::MAX;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..CALLS {
            call()?;
        }
        best = best.min(started.elapsed().as_nanos() / u128::from(CALLS));
    }
    Ok(best)
}

/// `poll(2)` over the whole set, waiting up to `timeout_ms`.
fn poll(pollfds: &mut [libc::pollfd], timeout_ms: libc::c_int) -> io::Result<usize> {
    // SAFETY: the pointer and length describe a valid, live, writable slice of pollfds.
    let n = unsafe {
        libc::poll(
            pollfds.as_mut_ptr(),
            pollfds.len() as libc::nfds_t,
            timeout_ms,
        )
    };
    if n == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// An epoll instance, closed on drop.
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

    /// Adds `fd` to the interest list; events for it will carry `token`.
    fn add(&self, fd: RawFd, interest: u32, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: interest,
            u64: token,
        };
        // SAFETY: both fds are open and `event` is a valid epoll_event the kernel reads.
        let result =
            unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut event) };
        if result == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Fills `events` from the ready list; returns how many it filled.
    fn wait(&self, events: &mut [libc::epoll_event], timeout_ms: libc::c_int) -> io::Result<usize> {
        // SAFETY: `events` is valid for writes of `events.len()` entries.
        let n = unsafe {
            libc::epoll_wait(
                self.fd.as_raw_fd(),
                events.as_mut_ptr(),
                events.len() as libc::c_int,
                timeout_ms,
            )
        };
        if n == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}
