//! A minimal HTTP/1.1 server that answers every request with "Hello, World!", keeps
//! connections alive, and shuts down gracefully on Ctrl-C or `SIGTERM`.
//!
//! It teaches three things:
//!
//! - **a protocol loop** on one connection: read into a buffer, cut out every complete
//!   request head (pipelined requests arrive in one read), answer them all with one
//!   write, keep what is left for the next read (`parse.rs`);
//! - **signals as events**: `SIGINT` and `SIGTERM` are two more things the accept loop
//!   waits for, next to new connections;
//! - **graceful shutdown**: stop accepting, let each connection finish the request it
//!   is answering (idle ones close at once), give up after a deadline, exit 0
//!   (`shutdown.rs`).
//!
//! Run with `cargo run --release --example http_hello [PORT]` (default 8080), then
//! `curl -v http://127.0.0.1:8080/` or `wrk -t1 -c50 -d5s http://127.0.0.1:8080/`,
//! and stop it with Ctrl-C.

mod parse;
mod shutdown;

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use evloop::io::{AsyncRead, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};
use evloop::signal::unix::{Signal, SignalKind, signal};
use evloop::time::timeout;

use parse::{After, Inbox};
use shutdown::Shutdown;

/// How long connections get to finish their current request once shutdown begins.
const DRAIN_DEADLINE: Duration = Duration::from_secs(5);

#[evloop::main]
async fn main() -> io::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("not a port: {arg}"))
        })?,
        None => 8080,
    };
    // Listen for the signals before accepting anyone: from here on they no longer
    // kill the process, they end the accept loop below.
    let mut stop_signals = [
        signal(SignalKind::interrupt())?,
        signal(SignalKind::terminate())?,
    ];
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("http_hello: listening on http://{}", listener.local_addr()?);

    let shutdown = Rc::new(Shutdown::default());
    while let Some(accepted) = accept_or_stop(&listener, &mut stop_signals).await {
        match accepted {
            Ok(stream) => drop(evloop::spawn(serve(stream, shutdown.clone()))),
            // Out of file descriptors, or the like: the listener waits for one to be
            // freed before it tries again, so just carry on.
            Err(error) => eprintln!("http_hello: accept failed: {error}"),
        }
    }

    drop(listener);
    shutdown.begin();
    eprintln!(
        "http_hello: stopping; {} connection(s) open",
        shutdown.open()
    );
    let drained = timeout(DRAIN_DEADLINE, shutdown.all_closed()).await;
    if drained.is_err() {
        eprintln!(
            "http_hello: {} connection(s) still busy after {DRAIN_DEADLINE:?}; dropping them",
            shutdown.open()
        );
    }
    // Returning drops the runtime, and with it every task still running.
    Ok(())
}

/// The next connection, or `None` once one of `signals` arrives.
async fn accept_or_stop(
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

/// One connection: read, answer every complete request with one write, repeat until
/// the client closes, a request asks to close, or the server stops.
async fn serve(mut stream: TcpStream, shutdown: Rc<Shutdown>) {
    let _tracked = shutdown.track().await;
    let _ = stream.set_nodelay(true);
    let mut inbox = Inbox::new();
    let mut out = Vec::new();
    loop {
        let n = match read_unless_stopped(&mut stream, &mut inbox, &shutdown).await {
            Some(Ok(n)) if n > 0 => n,
            // End of stream, an error, or shutdown while idle.
            _ => return,
        };
        out.clear();
        let after = inbox.answer(n, &mut out, shutdown.is_stopping());
        if !out.is_empty() && stream.write_all(&out).await.is_err() {
            return;
        }
        if after == After::Close {
            return;
        }
    }
}

/// Reads the next bytes of a request; `None` instead if the server is stopping and
/// the connection is idle (between requests).
async fn read_unless_stopped(
    stream: &mut TcpStream,
    inbox: &mut Inbox,
    shutdown: &Shutdown,
) -> Option<io::Result<usize>> {
    poll_fn(|cx| {
        if inbox.is_idle() && shutdown.is_stopping() {
            return Poll::Ready(None);
        }
        Pin::new(&mut *stream)
            .poll_read(cx, inbox.spare())
            .map(Some)
    })
    .await
}
