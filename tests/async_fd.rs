//! `Async<T>` on fds that are not sockets: pipes, an eventfd, and a regular file that
//! epoll refuses.

use std::fs::File;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::UdpSocket;
use std::os::fd::{FromRawFd, OwnedFd};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use evloop::io::{Async, AsyncReadExt, AsyncWriteExt};
use waker_fn::waker_fn;

mod common;

use common::within;

#[test]
fn a_regular_file_is_refused_with_an_explanation() {
    evloop::block_on(async {
        let file = File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
        let error = Async::new(file).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::Unsupported);
        let message = error.to_string();
        assert!(message.contains("cannot be watched by epoll"), "{message}");
    });
}

#[test]
fn a_pipe_works_in_both_directions() -> io::Result<()> {
    /// More than a pipe holds (64 KiB by default), so the writer has to wait for
    /// the reader and the reader for the writer.
    const LEN: usize = 1 << 20;
    evloop::block_on(async {
        let (reader, writer) = io::pipe()?;
        let (mut reader, mut writer) = (Async::new(reader)?, Async::new(writer)?);
        let payload: Vec<u8> = (0..LEN).map(|i| (i % 251) as u8).collect();
        let sent = payload.clone();
        let writing = evloop::spawn(async move {
            writer.write_all(&sent).await?;
            // Dropping the write end gives the reader end of file.
            drop(writer);
            io::Result::Ok(())
        });
        let mut received = Vec::new();
        reader.read_to_end(&mut received).await?;
        writing.await??;
        assert!(received == payload, "{} bytes arrived", received.len());

        Ok(())
    })
}

/// A new eventfd (a counter the kernel keeps: writes add, a read takes the total).
fn eventfd() -> io::Result<File> {
    // SAFETY: eventfd takes no pointers.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

#[test]
fn an_eventfd_wakes_its_reader() -> io::Result<()> {
    evloop::block_on(async {
        let counter = Rc::new(Async::new(eventfd()?)?);
        let mut buf = [0; 8];
        assert_eq!(
            counter
                .try_read_with(|mut fd| fd.read(&mut buf))
                .unwrap_err()
                .kind(),
            io::ErrorKind::WouldBlock
        );
        let reader = counter.clone();
        let reading = evloop::spawn(async move {
            let mut buf = [0; 8];
            (&*reader).read_exact(&mut buf).await?;
            io::Result::Ok(u64::from_ne_bytes(buf))
        });
        // Let the reader wait first.
        evloop::task::yield_now().await;
        assert!(!reading.is_finished());
        (&*counter).write_all(&3u64.to_ne_bytes()).await?;
        counter
            .write_with(|mut fd| fd.write(&4u64.to_ne_bytes()))
            .await?;
        assert_eq!(reading.await??, 7);
        Ok(())
    })
}

/// What a [`registering_waker`] did, and the task to wake after it.
#[derive(Default)]
struct Registering {
    registered: AtomicBool,
    task: Mutex<Option<Waker>>,
}

/// A waker from outside evloop (another executor's, a combinator's) that, when woken,
/// registers and deregisters an fd on the runtime, then wakes the task waiting for it.
fn registering_waker(state: Arc<Registering>) -> Waker {
    waker_fn(move || {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP socket");
        drop(Async::new(socket).expect("register it"));
        state.registered.store(true, Ordering::Release);
        let task = state
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        task.into_iter().for_each(Waker::wake);
    })
}

/// The reactor wakes its own tasks while it walks its table of fds, but a waker that is
/// not an evloop task's may run any code: it must be woken after the table is let go.
/// Here one event finds both kinds waiting on the same fd.
#[test]
fn a_foreign_waker_may_register_an_fd_when_an_event_wakes_it() {
    within(Duration::from_secs(10), || {
        evloop::block_on(async {
            let (reader, mut writer) = io::pipe()?;
            let reader = Rc::new(Async::new(reader)?);
            let mut buf = [0; 8];
            let empty = reader.try_read_with(|mut pipe| pipe.read(&mut buf));
            assert_eq!(empty.unwrap_err().kind(), io::ErrorKind::WouldBlock);

            let task_reader = reader.clone();
            let task = evloop::spawn(async move { task_reader.readable().await });
            // Let the task run and store its waker first.
            evloop::task::yield_now().await;
            let foreign = Arc::new(Registering::default());
            let waker = registering_waker(foreign.clone());
            let poll = reader.poll_readable(&mut Context::from_waker(&waker));
            assert!(poll.is_pending(), "the pipe is empty");
            assert!(!task.is_finished(), "the task waits too");
            writer.write_all(b"x")?;

            poll_fn(|cx| {
                *foreign.task.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(cx.waker().clone());
                if foreign.registered.load(Ordering::Acquire) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            task.await.expect("the task is not cancelled")?;
            assert_eq!(reader.try_read_with(|mut pipe| pipe.read(&mut buf))?, 1);
            io::Result::Ok(())
        })
    })
    .unwrap();
}
