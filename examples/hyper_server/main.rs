//! An HTTP server on hyper and evloop: HTTP/1.1 and HTTP/2 on one port (hyper-util's
//! auto builder tells them apart by the client's first bytes, so HTTP/2 works with
//! prior knowledge, no upgrade), HTTPS with `--tls`, and graceful shutdown on Ctrl-C
//! or `SIGTERM`.
//!
//! What it shows:
//!
//! - the three `evloop::hyper` adapters: [`Io`] around each stream (a `TcpStream`, or
//!   the TLS stream over one), [`Executor`] for the tasks HTTP/2 spawns, [`Timer`] for
//!   the header-read timeout and HTTP/2 keep-alive pings;
//! - TLS with `futures-rustls` on a certificate made at start-up (`rcgen`), offering
//!   HTTP/2 and HTTP/1.1 by ALPN;
//! - graceful shutdown with hyper-util's `GracefulShutdown`: stop accepting, let each
//!   connection finish what it is answering (idle HTTP/1.1 connections close at once,
//!   HTTP/2 ones get a GOAWAY), give up after a deadline, exit 0.
//!
//! The routes are in `service.rs`. Run with
//! `cargo run --release --features hyper --example hyper_server [PORT] [--tls]
//! [--cert-out FILE]` (default port 3000; `--cert-out` saves the certificate as PEM,
//! for clients that should trust it), then try
//! `curl http://127.0.0.1:3000/`, `curl --http2-prior-knowledge http://127.0.0.1:3000/`,
//! `curl --insecure https://127.0.0.1:3000/` (with `--tls`), or the `hyper_client`
//! example.

mod service;
// The shared file also builds client configurations, which only the clients use.
#[allow(dead_code)]
#[path = "../shared/self_signed.rs"]
mod self_signed;

use std::future::poll_fn;
use std::io;
use std::path::PathBuf;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use evloop::hyper::{Executor, Io, Timer};
use evloop::net::{TcpListener, TcpStream};
use evloop::signal::unix::{Signal, SignalKind, signal};
use evloop::time::timeout;
use futures_rustls::TlsAcceptor;
use hyper::service::service_fn;
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};

use self_signed::SelfSigned;

/// How long connections get to finish once shutdown begins.
const DRAIN_DEADLINE: Duration = Duration::from_secs(5);
/// How long a client gets to finish the TLS handshake.
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);
/// How long an HTTP/1.1 client gets to send a request head (hyper's default is 30 s).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an idle HTTP/2 connection is pinged, to find dead peers.
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(20);

/// The command line.
struct Options {
    port: u16,
    tls: bool,
    cert_out: Option<PathBuf>,
}

impl Options {
    fn parse() -> io::Result<Options> {
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
        let mut options = Options {
            port: 3000,
            tls: false,
            cert_out: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--tls" => options.tls = true,
                "--cert-out" => {
                    let path = args
                        .next()
                        .ok_or_else(|| invalid("--cert-out FILE".into()))?;
                    options.cert_out = Some(path.into());
                }
                port => options.port = port.parse().map_err(|_| {
                    invalid(format!(
                        "not a port: {port} (usage: hyper_server [PORT] [--tls] [--cert-out FILE])"
                    ))
                })?,
            }
        }
        Ok(options)
    }
}

#[evloop::main]
async fn main() -> io::Result<()> {
    let options = Options::parse()?;
    // Listen for the signals before accepting anyone: from here on they no longer
    // kill the process, they end the accept loop below.
    let mut stop_signals = [
        signal(SignalKind::interrupt())?,
        signal(SignalKind::terminate())?,
    ];
    let tls = match options.tls {
        true => Some(tls_acceptor(options.cert_out.as_ref())?),
        false => None,
    };
    let listener = TcpListener::bind(("127.0.0.1", options.port)).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!(
        "hyper_server: listening on {scheme}://{}",
        listener.local_addr()?
    );

    let mut builder = auto::Builder::new(Executor);
    builder
        .http1()
        .timer(Timer)
        .header_read_timeout(HEADER_READ_TIMEOUT);
    builder
        .http2()
        .timer(Timer)
        .keep_alive_interval(KEEP_ALIVE_INTERVAL);
    let builder = Rc::new(builder);
    let graceful = GracefulShutdown::new();
    while let Some(accepted) = accept_or_stop(&listener, &mut stop_signals).await {
        match accepted {
            Ok(stream) => {
                let connection = serve(stream, tls.clone(), builder.clone(), graceful.watcher());
                drop(evloop::spawn(connection));
            }
            // Out of file descriptors, or the like: the listener waits for one to be
            // freed before it tries again, so just carry on.
            Err(error) => eprintln!("hyper_server: accept failed: {error}"),
        }
    }

    drop(listener);
    eprintln!(
        "hyper_server: stopping; {} connection(s) open",
        graceful.count()
    );
    if timeout(DRAIN_DEADLINE, graceful.shutdown()).await.is_err() {
        eprintln!("hyper_server: connections still busy after {DRAIN_DEADLINE:?}; dropping them");
    }
    eprintln!("hyper_server: stopped");
    Ok(())
}

/// A TLS acceptor on a fresh self-signed certificate (saved to `cert_out` as PEM if
/// given), offering HTTP/2 and HTTP/1.1.
fn tls_acceptor(cert_out: Option<&PathBuf>) -> io::Result<TlsAcceptor> {
    let certificate = SelfSigned::generate()?;
    if let Some(path) = cert_out {
        std::fs::write(path, &certificate.pem)?;
    }
    Ok(TlsAcceptor::from(
        certificate.server_config(&[b"h2", b"http/1.1"])?,
    ))
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

/// One connection, HTTP/1.1 or HTTP/2, over TLS if `tls` is set, until the client
/// closes it or shutdown ends it.
async fn serve(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    builder: Rc<auto::Builder<Executor>>,
    watcher: Watcher,
) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(service::handle);
    let served = match tls {
        None => {
            let connection = builder.serve_connection(Io::new(stream), service);
            watcher.watch(connection).await
        }
        Some(acceptor) => match timeout(HANDSHAKE_DEADLINE, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => {
                let connection = builder.serve_connection(Io::new(stream), service);
                watcher.watch(connection).await
            }
            Ok(Err(error)) => return eprintln!("hyper_server: TLS handshake failed: {error}"),
            Err(_) => return eprintln!("hyper_server: TLS handshake timed out"),
        },
    };
    if let Err(error) = served {
        eprintln!("hyper_server: connection ended with an error: {error}");
    }
}
