//! An I/O object or a timer used from a runtime other than its own: I/O that would
//! wait gives an `io::Error` that says why, a timer panics with the fix, and neither
//! hangs. Each test runs under `within`, so a hang fails it.

#![cfg(not(miri))] // real sockets and pipes

mod common;

use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use evloop::io::{Async, AsyncReadExt};
use evloop::net::{TcpListener, TcpStream};
use evloop::time::{self, Sleep};
use evloop::{Runtime, spawn};

use common::within;

/// Bounds each test: a wait that never ends shows up as a failure.
const LIMIT: Duration = Duration::from_secs(10);

/// Long enough never to fire during a test.
const FOREVER: Duration = Duration::from_secs(3600);

/// Checks that `result` is the cross-runtime error and that its message says `what`.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: io::Result<T>, what: &str) {
    let error = result.expect_err("waiting from the wrong runtime must fail");
    assert_eq!(error.kind(), io::ErrorKind::Other, "{error}");
    let message = error.to_string();
    assert!(message.contains(what), "{message:?} does not say {what:?}");
}

/// Runs `future` in `runtime`, under a time limit of the runtime's own: if the
/// operation waited instead of failing, the limit ends it and the test fails.
fn refused_in<T>(runtime: &Runtime, future: impl Future<Output = io::Result<T>>) -> io::Result<T> {
    runtime.block_on(async {
        time::timeout(LIMIT, future)
            .await
            .expect("the operation waited instead of failing")
    })
}

#[test]
fn a_listener_awaited_in_another_runtime_is_an_error() {
    within(LIMIT, || {
        let first = Runtime::new().unwrap();
        let listener = first.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let second = Runtime::new().unwrap();
        assert_refused(refused_in(&second, listener.accept()), "another runtime");
        // Back in its own runtime it works: the refusal stored nothing.
        let addr = listener.local_addr().unwrap();
        let client = net::TcpStream::connect(addr).unwrap();
        let (_, peer) = first.block_on(listener.accept()).unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
    });
}

#[test]
fn a_listener_awaited_after_its_runtime_is_dropped_is_an_error() {
    within(LIMIT, || {
        let first = Runtime::new().unwrap();
        let listener = first.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        drop(first);
        let second = Runtime::new().unwrap();
        assert_refused(refused_in(&second, listener.accept()), "dropped");
        // Outside any runtime too: there is nothing to wait on.
        let mut accept = Box::pin(listener.accept());
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match accept.as_mut().poll(&mut cx) {
            Poll::Ready(result) => assert_refused(result, "dropped"),
            Poll::Pending => panic!("accept waited outside any runtime"),
        }
    });
}

#[test]
fn a_listener_moved_with_into_std_works_in_the_new_runtime() {
    within(LIMIT, || {
        let first = Runtime::new().unwrap();
        let listener = first.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let std_listener = listener.into_std().unwrap();
        drop(first);
        let second = Runtime::new().unwrap();
        second.block_on(async {
            let listener = TcpListener::from_std(std_listener).unwrap();
            let addr = listener.local_addr().unwrap();
            let connect = spawn(async move { TcpStream::connect(addr).await.unwrap() });
            time::timeout(LIMIT, listener.accept())
                .await
                .unwrap()
                .unwrap();
            connect.await.unwrap();
        });
    });
}

#[test]
fn a_stream_read_in_another_runtime_is_an_error() {
    within(LIMIT, || {
        let first = Runtime::new().unwrap();
        let (mut stream, mut peer) = first.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let peer = net::TcpStream::connect(addr).unwrap();
            let (stream, _) = listener.accept().await.unwrap();
            (stream, peer)
        });
        let second = Runtime::new().unwrap();
        let mut buf = [0; 16];
        assert_refused(
            refused_in(&second, stream.read(&mut buf)),
            "another runtime",
        );
        // Data already there needs no wait: the read works anywhere.
        peer.write_all(b"hi").unwrap();
        let n = first.block_on(stream.read(&mut buf)).unwrap();
        assert_eq!(&buf[..n], b"hi");
    });
}

#[test]
fn an_async_pipe_awaited_in_another_runtime_is_an_error() {
    within(LIMIT, || {
        let (reader, _writer) = io::pipe().unwrap();
        let first = Runtime::new().unwrap();
        let reader = first.block_on(async { Async::new(reader).unwrap() });
        // A new `Async` counts as ready (the first operation just tries): learn that
        // the pipe is empty, so that `readable` has to wait.
        let empty = reader.try_read_with(|mut pipe| pipe.read(&mut [0; 1]));
        assert_eq!(empty.unwrap_err().kind(), io::ErrorKind::WouldBlock);
        let second = Runtime::new().unwrap();
        assert_refused(refused_in(&second, reader.readable()), "another runtime");
        drop(first);
        assert_refused(refused_in(&second, reader.readable()), "dropped");
    });
}

/// Polls `sleep` once in the current runtime, so that it arms its timer there.
async fn arm(sleep: &mut Sleep) {
    poll_fn(|cx| {
        assert!(Pin::new(&mut *sleep).poll(cx).is_pending());
        Poll::Ready(())
    })
    .await
}

/// Awaits `sleep` in a task of `runtime` and returns the panic message it gave.
fn panic_message(runtime: &Runtime, sleep: Sleep) -> String {
    runtime.block_on(async {
        let task = spawn(time::timeout(LIMIT, sleep));
        let panic = task.await.expect_err("the sleep must panic").into_panic();
        match panic.downcast::<String>() {
            Ok(message) => *message,
            Err(panic) => panic
                .downcast_ref::<&str>()
                .expect("a text panic")
                .to_string(),
        }
    })
}

#[test]
fn a_sleep_armed_in_one_runtime_panics_in_another() {
    within(LIMIT, || {
        let first = Runtime::new().unwrap();
        let mut sleep = time::sleep(FOREVER);
        first.block_on(arm(&mut sleep));
        let second = Runtime::new().unwrap();
        let message = panic_message(&second, sleep);
        assert!(
            message.contains("first polled it") && message.contains("sleep_until"),
            "{message}"
        );
    });
}

#[test]
fn a_sleep_whose_runtime_is_dropped_panics_in_another() {
    within(LIMIT, || {
        let first = Runtime::new().unwrap();
        let mut sleep = time::sleep(FOREVER);
        first.block_on(arm(&mut sleep));
        drop(first);
        let second = Runtime::new().unwrap();
        let message = panic_message(&second, sleep);
        assert!(message.contains("first polled it"), "{message}");
    });
}

#[test]
fn a_sleep_whose_runtime_is_dropped_completes_outside_any_runtime() {
    within(LIMIT, || {
        let first = Runtime::new().unwrap();
        let mut sleep = time::sleep(FOREVER);
        first.block_on(arm(&mut sleep));
        drop(first);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(Pin::new(&mut sleep).poll(&mut cx).is_ready());
    });
}

#[test]
fn a_timeout_armed_in_one_runtime_panics_in_another() {
    within(LIMIT, || {
        let first = Runtime::new().unwrap();
        let mut timeout = Box::pin(time::timeout(FOREVER, std::future::pending::<()>()));
        first.block_on(poll_fn(|cx| {
            assert!(timeout.as_mut().poll(cx).is_pending());
            Poll::Ready(())
        }));
        let second = Runtime::new().unwrap();
        let panicked = second.block_on(async { spawn(timeout).await.unwrap_err() });
        assert!(panicked.is_panic());
    });
}
