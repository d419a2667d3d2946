//! TCP under load: a thousand concurrent connections echoing random sizes, and a
//! flooding connection that must not starve a ping-pong beside it.
//!
//! Both tests run through `isolated`: one at a time (they share two cores), and the
//! process must hold exactly as many fds afterwards as before.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{Checksum, XorShift, isolated, raise_fd_limit, wait_until};
use evloop::Runtime;
use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpSocket, TcpStream};
use futures::future::join;

/// Concurrent connections in the load test.
const CONNECTIONS: usize = 1000;
/// Messages each connection sends and reads back.
const MESSAGES: usize = 4;
/// Message sizes are uniform in 1..=MAX_MESSAGE.
const MAX_MESSAGE: usize = 64 * 1024;
/// The server's read buffer per connection.
const ECHO_BUFFER: usize = 16 * 1024;
/// The whole load test, setup to teardown; it takes a few seconds in a debug build.
const LOAD_LIMIT: Duration = Duration::from_secs(60);

/// What one side saw of one connection, keyed by the client's port.
type Seen = Rc<RefCell<HashMap<u16, Checksum>>>;

/// Echoes everything until end of stream, then records what went through.
async fn echo(mut stream: TcpStream, seen: Seen) -> io::Result<()> {
    let port = stream.peer_addr()?.port();
    let mut buf = vec![0; ECHO_BUFFER];
    let mut sum = Checksum::default();
    // Each read takes at least one byte, so the loop ends after all the client sent.
    for _ in 0..=MESSAGES * MAX_MESSAGE {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            seen.borrow_mut().insert(port, sum);
            return stream.close().await;
        }
        sum.update(&buf[..n]);
        stream.write_all(&buf[..n]).await?;
    }
    Err(io::Error::other("the client sent more than it should"))
}

/// One client: sends MESSAGES random messages, each while reading its echo back, and
/// checks every byte; then closes and waits for the server to close too.
async fn client(addr: std::net::SocketAddr, id: usize, sent: Seen) -> io::Result<()> {
    let mut stream = TcpStream::connect(addr).await?;
    let port = stream.local_addr()?.port();
    let mut rng = XorShift::new(id as u64);
    let mut sum = Checksum::default();
    let mut message = Vec::with_capacity(MAX_MESSAGE);
    let mut echoed = vec![0; MAX_MESSAGE];
    for number in 0..MESSAGES {
        let len = rng.between(1, MAX_MESSAGE);
        rng.fill(&mut message, len);
        let (mut reader, mut writer) = (&stream, &stream);
        let (written, read) = join(
            writer.write_all(&message),
            reader.read_exact(&mut echoed[..len]),
        )
        .await;
        written?;
        read?;
        if echoed[..len] != message[..] {
            return Err(io::Error::other(format!(
                "connection {id}, message {number} ({len} B): the echo differs"
            )));
        }
        sum.update(&message);
    }
    stream.close().await?;
    assert_eq!(
        stream.read(&mut [0; 1]).await?,
        0,
        "nothing after the echoes"
    );
    sent.borrow_mut().insert(port, sum);
    Ok(())
}

/// 1,000 connections at once through an echo server on the same runtime, each
/// sending random sizes from 1 B to 64 KiB: every byte comes back, in order, and the
/// server saw exactly the stream each client sent (per-connection checksums).
#[test]
#[cfg_attr(miri, ignore = "Miri cannot use sockets")]
fn thousand_connections_echo_random_sizes_without_loss() {
    // Two fds per connection, both ends in this process.
    assert!(raise_fd_limit() as usize > 2 * CONNECTIONS + 100);
    isolated(LOAD_LIMIT, || {
        let started = Instant::now();
        let runtime = Runtime::new().unwrap();
        let (sent, seen) = runtime
            .block_on(async {
                let socket = TcpSocket::new_v4()?;
                socket.bind("127.0.0.1:0".parse().unwrap())?;
                // Room for every connection in the backlog, however late accept runs.
                let listener = socket.listen(CONNECTIONS as u32)?;
                let addr = listener.local_addr()?;
                let seen = Seen::default();
                let server = evloop::spawn({
                    let seen = seen.clone();
                    async move {
                        let mut echoes = Vec::with_capacity(CONNECTIONS);
                        for _ in 0..CONNECTIONS {
                            let (stream, _) = listener.accept().await?;
                            echoes.push(evloop::spawn(echo(stream, seen.clone())));
                        }
                        for echo in echoes {
                            echo.await??;
                        }
                        io::Result::Ok(())
                    }
                });
                let sent = Seen::default();
                let clients: Vec<_> = (0..CONNECTIONS)
                    .map(|id| evloop::spawn(client(addr, id, sent.clone())))
                    .collect();
                for client in clients {
                    client.await??;
                }
                server.await??;
                io::Result::Ok((sent.take(), seen.take()))
            })
            .unwrap();
        drop(runtime);
        assert_eq!(sent.len(), CONNECTIONS, "every client finished");
        assert_eq!(seen.len(), CONNECTIONS, "every connection was served");
        let mut bytes = 0;
        for (port, sum) in &sent {
            assert_eq!(seen.get(port), Some(sum), "connection from port {port}");
            bytes += sum.bytes;
        }
        println!(
            "{CONNECTIONS} connections echoed {} MiB in {:?}",
            bytes >> 20,
            started.elapsed()
        );
    });
}

/// Round trips of the ping-pong connection.
const ROUND_TRIPS: usize = 100;
/// How long the ping-pong may take beside the flood (it takes milliseconds alone).
const PING_PONG_LIMIT: Duration = Duration::from_secs(10);
/// The flood reader's buffer: small, so that the reader is far slower than the
/// writer and the socket never runs dry between reads.
const FLOOD_READ: usize = 64;
/// What the flood must have read before the ping-pong starts, to be flowing.
const FLOOD_STARTED: u64 = 1 << 20;
/// What the flood must have read while the ping-pong ran, to show it kept running:
/// each round trip waits for a readiness event, which the loop reports only between
/// two of its batches of task polls, and each batch polls the flood reader at least
/// once, for a full I/O budget (128 reads by default).
const FLOOD_MIN_DURING_PING_PONG: u64 = (ROUND_TRIPS * 128 * FLOOD_READ) as u64;
/// What the flood is made of.
const FLOOD_BYTE: u8 = 0xf1;
/// The flood writer stops after this long even if nobody tells it to.
const FLOOD_MAX_DURATION: Duration = Duration::from_secs(30);

/// Sets the flag when dropped, even by a panic.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// One connection floods the server with data that a task reads in a loop (its
/// socket is always readable, so it never sees `EAGAIN`), while a second connection's
/// ping-pong goes through another task. Each ping waits until the flood reader has
/// run since the last pong, so the echo task is parked every time and its wake-up has
/// to get through while the flood reader stays runnable. The I/O budget makes the
/// flood reader yield, and the loop turns the reactor between batches of task polls:
/// without either, the ping-pong would starve.
#[test]
#[cfg_attr(miri, ignore = "Miri cannot use sockets")]
fn flooding_connection_does_not_starve_a_ping_pong() {
    isolated(PING_PONG_LIMIT + FLOOD_MAX_DURATION, || {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = std_listener.local_addr().unwrap();
        let flood_read = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));

        let flooder = thread::spawn({
            let stop = stop.clone();
            move || {
                let mut stream = std::net::TcpStream::connect(addr).unwrap();
                stream.set_write_timeout(Some(PING_PONG_LIMIT)).unwrap();
                let chunk = vec![FLOOD_BYTE; 64 * 1024];
                let started = Instant::now();
                let mut written = 0u64;
                while !stop.load(Ordering::Relaxed) && started.elapsed() < FLOOD_MAX_DURATION {
                    stream.write_all(&chunk).unwrap();
                    written += chunk.len() as u64;
                }
                written
            }
        });
        let pinger = thread::spawn({
            let (flood_read, stop) = (flood_read.clone(), stop.clone());
            move || {
                // However the ping-pong ends, the flood stops with it.
                let _stop = StopOnDrop(stop);
                // Start once the flood is really flowing.
                wait_until(Duration::from_secs(10), "the flood flows", || {
                    flood_read.load(Ordering::Relaxed) > FLOOD_STARTED
                });
                let mut stream = std::net::TcpStream::connect(addr).unwrap();
                stream.set_nodelay(true).unwrap();
                stream.set_read_timeout(Some(PING_PONG_LIMIT)).unwrap();
                let flood_before = flood_read.load(Ordering::Relaxed);
                let started = Instant::now();
                let mut flood_seen = flood_before;
                for round in 0..ROUND_TRIPS as u64 {
                    // Ping only once the flood reader has run since the last pong: the
                    // echo task is parked, and the ping's readiness event must reach it
                    // while the flood reader keeps the loop busy.
                    wait_until(PING_PONG_LIMIT, "the flood reader runs again", || {
                        flood_read.load(Ordering::Relaxed) > flood_seen
                    });
                    stream.write_all(&round.to_le_bytes()).unwrap();
                    let mut pong = [0; 8];
                    stream.read_exact(&mut pong).unwrap_or_else(|e| {
                        panic!("no pong {round} within {PING_PONG_LIMIT:?}: {e}")
                    });
                    assert_eq!(u64::from_le_bytes(pong), round);
                    flood_seen = flood_read.load(Ordering::Relaxed);
                }
                let elapsed = started.elapsed();
                let flood_during = flood_read.load(Ordering::Relaxed) - flood_before;
                (elapsed, flood_during)
            }
        });

        let flood_total = evloop::block_on(async {
            let listener = TcpListener::from_std(std_listener).unwrap();
            let (mut flood, _) = listener.accept().await.unwrap();
            let reader = evloop::spawn({
                let flood_read = flood_read.clone();
                async move {
                    let mut buf = [0; FLOOD_READ];
                    let mut total = 0u64;
                    // Ends when the flooder stops; each read takes at least one byte.
                    loop {
                        let n = flood.read(&mut buf).await.unwrap();
                        if n == 0 {
                            return total;
                        }
                        assert!(buf[..n].iter().all(|&b| b == FLOOD_BYTE));
                        total += n as u64;
                        flood_read.store(total, Ordering::Relaxed);
                    }
                }
            });
            let (mut ping, _) = listener.accept().await.unwrap();
            ping.set_nodelay(true).unwrap();
            let echo = evloop::spawn(async move {
                let mut buf = [0; 8];
                for _ in 0..ROUND_TRIPS {
                    ping.read_exact(&mut buf).await?;
                    ping.write_all(&buf).await?;
                }
                io::Result::Ok(())
            });
            echo.await.unwrap().unwrap();
            reader.await.unwrap()
        });
        let (elapsed, flood_during) = pinger.join().unwrap();
        let flood_written = flooder.join().unwrap();
        assert_eq!(flood_total, flood_written, "the flood reader read it all");
        assert!(
            elapsed < PING_PONG_LIMIT,
            "{ROUND_TRIPS} round trips took {elapsed:?} beside the flood"
        );
        assert!(
            flood_during >= FLOOD_MIN_DURING_PING_PONG,
            "the flood reader read only {flood_during} B during the ping-pong"
        );
        println!(
            "{ROUND_TRIPS} round trips in {elapsed:?} while the flood reader read {} KiB",
            flood_during >> 10
        );
    });
}
