//! Unix domain sockets on the reactor: real sockets on unique paths under the temp
//! directory, removed afterwards.

use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;

use evloop::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use evloop::net::{UnixDatagram, UnixListener, UnixStream};
use futures_core::Stream;

/// A socket path no other test (or test process) uses, removed on drop.
struct TempPath(PathBuf);

impl TempPath {
    fn new(tag: &str) -> TempPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("evloop-{}-{n}-{tag}.sock", std::process::id());
        let path = std::env::temp_dir().join(name);
        // A leftover of a crashed run with the same pid would make bind fail.
        let _ = std::fs::remove_file(&path);
        TempPath(path)
    }
}

impl AsRef<Path> for TempPath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn stream_echo_round_trip_through_a_listener() -> io::Result<()> {
    let path = TempPath::new("echo");
    evloop::block_on(async {
        let listener = UnixListener::bind(&path)?;
        assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_ref()));
        let server = evloop::spawn(async move {
            let (mut stream, peer) = listener.accept().await?;
            assert!(peer.is_unnamed(), "the client did not bind a path");
            let mut buf = [0; 1024];
            loop {
                match stream.read(&mut buf).await? {
                    0 => return io::Result::Ok(()),
                    n => stream.write_all(&buf[..n]).await?,
                }
            }
        });
        let mut client = UnixStream::connect(&path).await?;
        assert_eq!(client.peer_addr()?.as_pathname(), Some(path.as_ref()));
        let payload: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        let mut echoed = vec![0; payload.len()];
        let (written, read) =
            futures::future::join(async { (&client).write_all(&payload).await }, async {
                (&client).read_exact(&mut echoed).await
            })
            .await;
        written?;
        read?;
        assert_eq!(echoed, payload);
        client.shutdown(Shutdown::Write)?;
        server.await??;
        assert_eq!(client.read(&mut [0; 8]).await?, 0);
        Ok(())
    })
}

#[test]
fn incoming_yields_each_connection() -> io::Result<()> {
    let path = TempPath::new("incoming");
    evloop::block_on(async {
        let listener = UnixListener::bind(&path)?;
        let mut incoming = listener.incoming();
        for i in 0..3u8 {
            let client = UnixStream::connect(&path).await?;
            let next = poll_fn(|cx| Pin::new(&mut incoming).poll_next(cx)).await;
            let mut server = next.expect("incoming never ends")?;
            (&client).write_all(&[i]).await?;
            let mut byte = [0];
            server.read_exact(&mut byte).await?;
            assert_eq!(byte, [i]);
        }
        Ok(())
    })
}

#[test]
fn pair_and_split_halves_carry_data_both_ways() -> io::Result<()> {
    evloop::block_on(async {
        let (a, b) = UnixStream::pair()?;
        let (mut b_read, mut b_write) = b.into_split();
        let echo = evloop::spawn(async move {
            let copied = evloop::io::copy(&mut b_read, &mut b_write).await?;
            // Dropping the owned write half shuts the write side down.
            drop(b_write);
            io::Result::Ok(copied)
        });
        let (mut read_half, mut write_half) = (&a, &a);
        let payload = vec![9u8; 300_000];
        let mut echoed = Vec::new();
        let writing = async {
            write_half.write_all(&payload).await?;
            write_half.close().await
        };
        let (written, read) =
            futures::future::join(writing, read_half.read_to_end(&mut echoed)).await;
        written?;
        assert_eq!(read?, payload.len());
        assert_eq!(echoed, payload);
        assert_eq!(echo.await??, payload.len() as u64);
        assert!(a.local_addr()?.is_unnamed());
        assert_eq!(a.try_read(&mut [0; 4])?, 0, "end of stream");
        Ok(())
    })
}

#[test]
fn peer_half_close_reads_zero_and_writing_still_works() -> io::Result<()> {
    evloop::block_on(async {
        let (mut a, mut b) = UnixStream::pair()?;
        a.write_all(b"last words").await?;
        a.shutdown(Shutdown::Write)?;
        let mut received = Vec::new();
        b.read_to_end(&mut received).await?;
        assert_eq!(received, b"last words");
        assert_eq!(b.read(&mut [0; 8]).await?, 0, "end of stream stays");
        b.write_all(b"still here").await?;
        b.close().await?;
        let mut reply = Vec::new();
        a.read_to_end(&mut reply).await?;
        assert_eq!(reply, b"still here");
        Ok(())
    })
}

/// Set in the child process that runs the SIGPIPE test with the signal's default
/// action.
const SIGPIPE_CHILD: &str = "EVLOOP_TEST_SIGPIPE_DEFAULT";

#[test]
fn writing_to_a_closed_peer_is_an_error_not_a_signal() -> io::Result<()> {
    if std::env::var_os(SIGPIPE_CHILD).is_some() {
        // SAFETY: setting SIGPIPE's disposition to its default has no preconditions;
        // this child process runs this one test, on one thread.
        let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
        assert_ne!(previous, libc::SIG_ERR);
        return write_to_a_closed_peer();
    }
    // Rust programs, this test harness included, ignore SIGPIPE, which would hide a
    // plain write(2). Run the test again in a child where SIGPIPE kills.
    let status = Command::new(std::env::current_exe()?)
        .args([
            "--exact",
            "writing_to_a_closed_peer_is_an_error_not_a_signal",
            "--test-threads=1",
        ])
        .env(SIGPIPE_CHILD, "1")
        .stdout(Stdio::null())
        .status()?;
    assert!(status.success(), "the child failed or was killed: {status}");
    write_to_a_closed_peer()
}

fn write_to_a_closed_peer() -> io::Result<()> {
    evloop::block_on(async {
        let (mut a, b) = UnixStream::pair()?;
        drop(b);
        let broken = |result: io::Result<usize>| result.unwrap_err().kind();
        assert_eq!(broken(a.write(b"anyone?").await), io::ErrorKind::BrokenPipe);
        let bufs = [IoSlice::new(b"still "), IoSlice::new(b"nobody")];
        let vectored = poll_fn(|cx| Pin::new(&mut a).poll_write_vectored(cx, &bufs)).await;
        assert_eq!(broken(vectored), io::ErrorKind::BrokenPipe);
        assert_eq!(broken(a.try_write(b"x")), io::ErrorKind::BrokenPipe);
        // Still alive: no signal ended the process.
        Ok(())
    })
}

#[test]
fn datagrams_between_a_pair_and_between_bound_sockets() -> io::Result<()> {
    let (path_a, path_b) = (TempPath::new("dgram-a"), TempPath::new("dgram-b"));
    evloop::block_on(async {
        let (x, y) = UnixDatagram::pair()?;
        x.send(b"one").await?;
        x.send(b"two").await?;
        let mut buf = [0; 16];
        assert_eq!(y.recv(&mut buf).await?, 3);
        assert_eq!(&buf[..3], b"one");
        assert_eq!(y.try_recv(&mut buf)?, 3, "boundaries are kept");
        assert_eq!(&buf[..3], b"two");
        assert_eq!(
            y.try_recv(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );

        let a = UnixDatagram::bind(&path_a)?;
        let b = UnixDatagram::bind(&path_b)?;
        assert_eq!(a.send_to(b"hello", &path_b).await?, 5);
        let (n, from) = b.recv_from(&mut buf).await?;
        assert_eq!(
            (&buf[..n], from.as_pathname()),
            (&b"hello"[..], Some(path_a.as_ref()))
        );
        let unbound = UnixDatagram::unbound()?;
        unbound.send_to(b"anon", &path_b).await?;
        let (n, from) = b.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"anon");
        assert!(from.is_unnamed());

        b.connect(&path_a)?;
        assert_eq!(b.peer_addr()?.as_pathname(), Some(path_a.as_ref()));
        b.send(b"reply").await?;
        let (n, from) = a.recv_from(&mut buf).await?;
        assert_eq!(
            (&buf[..n], from.as_pathname()),
            (&b"reply"[..], Some(path_b.as_ref()))
        );
        Ok(())
    })
}

#[test]
fn a_full_datagram_queue_makes_the_sender_wait() -> io::Result<()> {
    /// Bound on sends before the queue must be full (Linux queues at most
    /// `net.unix.max_dgram_qlen`, 512 by default, and the buffer limits it sooner).
    const LIMIT: usize = 100_000;
    evloop::block_on(async {
        let (x, y) = UnixDatagram::pair()?;
        let datagram = [7u8; 1024];
        let mut queued = 0;
        loop {
            match x.try_send(&datagram) {
                Ok(_) => queued += 1,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
            assert!(queued < LIMIT, "the queue never filled");
        }
        let reader = evloop::spawn(async move {
            let mut buf = [0; 1024];
            for _ in 0..=queued {
                y.recv(&mut buf).await?;
            }
            io::Result::Ok(())
        });
        // Waits until the reader makes room, then sends: nothing is dropped.
        x.send(&datagram).await?;
        reader.await??;
        Ok(())
    })
}

#[test]
fn missing_and_dead_paths_are_errors() -> io::Result<()> {
    let missing = TempPath::new("missing");
    let dead = TempPath::new("dead");
    evloop::block_on(async {
        let error = UnixStream::connect(&missing).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        let socket = UnixDatagram::unbound()?;
        let error = socket.send_to(b"x", &missing).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        // The socket file outlives its listener; connecting to it is refused.
        drop(UnixListener::bind(&dead)?);
        let error = UnixStream::connect(&dead).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
        Ok(())
    })
}

#[test]
fn paths_that_do_not_fit_a_socket_address_are_invalid_input() {
    let long = std::env::temp_dir().join("x".repeat(120));
    evloop::block_on(async {
        let invalid = io::ErrorKind::InvalidInput;
        for path in [long.as_path(), Path::new(""), Path::new("a\0b")] {
            let error = UnixStream::connect(path).await.unwrap_err();
            assert_eq!(error.kind(), invalid, "{path:?}");
            assert_eq!(UnixListener::bind(path).unwrap_err().kind(), invalid);
            assert_eq!(UnixDatagram::bind(path).unwrap_err().kind(), invalid);
            let socket = UnixDatagram::unbound().unwrap();
            assert_eq!(socket.connect(path).unwrap_err().kind(), invalid);
            let error = socket.send_to(b"x", path).await.unwrap_err();
            assert_eq!(error.kind(), invalid);
        }
        assert!(!long.exists());
    });
}

#[test]
fn std_conversions_round_trip() -> io::Result<()> {
    let path = TempPath::new("std");
    evloop::block_on(async {
        let listener = UnixListener::from_std(std::os::unix::net::UnixListener::bind(&path)?)?;
        let stream = UnixStream::from_std(std::os::unix::net::UnixStream::connect(&path)?)?;
        let (accepted, _) = listener.accept().await?;
        assert!(format!("{listener:?} {stream:?}").contains("UnixStream"));
        assert_eq!(
            stream.into_std()?.peer_addr()?.as_pathname(),
            Some(path.as_ref())
        );
        assert_eq!(
            listener.into_std()?.local_addr()?.as_pathname(),
            Some(path.as_ref())
        );
        drop(accepted);
        let (a, b) = std::os::unix::net::UnixDatagram::pair()?;
        let (a, b) = (UnixDatagram::from_std(a)?, UnixDatagram::from_std(b)?);
        a.send(b"std").await?;
        let mut buf = [0; 4];
        assert_eq!(b.into_std()?.recv(&mut buf)?, 3);
        Ok(())
    })
}
