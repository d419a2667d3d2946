//! `examples/hyper_server` on tokio: the same routes (its `service.rs`), the same
//! HTTP/1.1 + HTTP/2 auto builder, `--tls` and graceful shutdown, with hyper-util's
//! tokio glue in place of `evloop::hyper`. Usage: `tokio-hyper-app [PORT] [--tls]`.

#[path = "../../../../examples/hyper_server/service.rs"]
mod service;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

const DRAIN_DEADLINE: Duration = Duration::from_secs(5);
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(20);

#[tokio::main(flavor = "current_thread")]
async fn main() -> io::Result<()> {
    let mut port = 3000;
    let mut tls = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--tls" => tls = Some(tls_acceptor()?),
            _ => port = arg.parse().map_err(|_| io::Error::other("usage: [PORT] [--tls]"))?,
        }
    }
    let mut interrupts = signal(SignalKind::interrupt())?;
    let mut terminations = signal(SignalKind::terminate())?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("tokio-hyper-app: listening on {}", listener.local_addr()?);

    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    builder.http2().timer(TokioTimer::new()).keep_alive_interval(KEEP_ALIVE_INTERVAL);
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let connection = serve(stream, tls.clone(), builder.clone(), graceful.watcher());
                    tokio::spawn(connection);
                }
                Err(error) => eprintln!("tokio-hyper-app: accept failed: {error}"),
            },
            _ = interrupts.recv() => break,
            _ = terminations.recv() => break,
        }
    }
    drop(listener);
    if timeout(DRAIN_DEADLINE, graceful.shutdown()).await.is_err() {
        eprintln!("tokio-hyper-app: connections still busy after {DRAIN_DEADLINE:?}");
    }
    Ok(())
}

#[allow(deprecated)] // ring's provider, as in examples/shared/self_signed.rs.
fn tls_acceptor() -> io::Result<TlsAcceptor> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let made = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![made.cert.der().clone()], key)
        .map_err(io::Error::other)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

async fn serve(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    builder: Arc<auto::Builder<TokioExecutor>>,
    watcher: Watcher,
) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(service::handle);
    let served = match tls {
        None => {
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            watcher.watch(connection).await
        }
        Some(acceptor) => match timeout(HANDSHAKE_DEADLINE, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => {
                let connection = builder.serve_connection(TokioIo::new(stream), service);
                watcher.watch(connection).await
            }
            Ok(Err(error)) => return eprintln!("tokio-hyper-app: TLS handshake failed: {error}"),
            Err(_) => return eprintln!("tokio-hyper-app: TLS handshake timed out"),
        },
    };
    if let Err(error) = served {
        eprintln!("tokio-hyper-app: connection ended with an error: {error}");
    }
}
