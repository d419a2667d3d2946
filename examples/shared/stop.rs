//! Accepting connections until the server is told to stop: `SIGINT` (Ctrl-C) and
//! `SIGTERM` are two more things the accept loop waits for. Shared by the `kv` and
//! `http_hello` examples.

use std::future::poll_fn;
use std::io;
use std::task::Poll;

use evloop::net::{TcpListener, TcpStream};
use evloop::signal::unix::{Signal, SignalKind, signal};

/// Listens for `SIGINT` and `SIGTERM`: from here on they no longer kill the process,
/// they end [`accept_or_stop`].
pub fn stop_signals() -> io::Result<[Signal; 2]> {
    Ok([
        signal(SignalKind::interrupt())?,
        signal(SignalKind::terminate())?,
    ])
}

/// The next connection, or `None` once one of `signals` arrives.
pub async fn accept_or_stop(
    listener: &TcpListener,
    signals: &mut [Signal],
) -> Option<io::Result<TcpStream>> {
    poll_fn(|cx| {
        // Poll every signal (no short-circuit), so each stores this task's waker.
        let mut signalled = false;
        for signal in signals.iter_mut() {
            signalled |= signal.poll_recv(cx).is_ready();
        }
        if signalled {
            return Poll::Ready(None);
        }
        listener
            .poll_accept(cx)
            .map(|accepted| Some(accepted.map(|(stream, _peer)| stream)))
    })
    .await
}
