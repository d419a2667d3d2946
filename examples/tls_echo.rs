//! An echo server over TLS, and a client for it, on `futures-rustls` and evloop.
//!
//! - `tls_echo`: both in one program. The server makes a self-signed certificate
//!   (`rcgen`), listens on a free port, and the client, trusting that certificate
//!   alone, sends 1 MiB through it in 64 KiB pieces and checks every byte that comes
//!   back; then the program exits.
//! - `tls_echo PORT [--cert-out FILE]`: the server alone, until Ctrl-C, e.g. for
//!   `openssl s_client -connect 127.0.0.1:PORT` (type a line, get it back). `--cert-out`
//!   saves its certificate as PEM for clients that should trust it.
//!
//! A TLS stream is a `futures-io` stream over the `TcpStream`: the same
//! `read`/`write_all` as plain TCP, with one addition, `flush`, which pushes what rustls
//! has encrypted out to the socket.

#[path = "shared/self_signed.rs"]
mod self_signed;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;
use futures_rustls::pki_types::ServerName;
use futures_rustls::{TlsAcceptor, TlsConnector};

use self_signed::SelfSigned;

/// How long a client gets to finish the TLS handshake.
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);
/// What the built-in client sends, and in pieces of what size.
const TOTAL: usize = 1024 * 1024;
const PIECE: usize = 64 * 1024;

#[evloop::main]
async fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port = args.next();
    let cert_out = match (args.next().as_deref(), args.next()) {
        (Some("--cert-out"), Some(path)) => Some(path),
        (None, _) => None,
        _ => return Err(invalid("usage: tls_echo [PORT [--cert-out FILE]]")),
    };
    let certificate = SelfSigned::generate()?;
    if let Some(path) = cert_out {
        std::fs::write(path, &certificate.pem)?;
    }
    let acceptor = TlsAcceptor::from(certificate.server_config(&[])?);
    let Some(port) = port else {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        drop(evloop::spawn(accept_loop(listener, acceptor)));
        return client(address, certificate).await;
    };
    let port: u16 = port.parse().map_err(|_| invalid("not a port"))?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("tls_echo: listening on {}", listener.local_addr()?);
    drop(evloop::spawn(accept_loop(listener, acceptor)));
    evloop::signal::ctrl_c().await
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

async fn accept_loop(listener: TcpListener, acceptor: TlsAcceptor) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => drop(evloop::spawn(echo(stream, peer, acceptor.clone()))),
            Err(error) => eprintln!("tls_echo: accept failed: {error}"),
        }
    }
}

/// One connection: the handshake, then every byte back until the client closes.
async fn echo(stream: TcpStream, peer: SocketAddr, acceptor: TlsAcceptor) {
    let mut stream = match timeout(HANDSHAKE_DEADLINE, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => return eprintln!("tls_echo: {peer}: handshake failed: {error}"),
        Err(_) => return eprintln!("tls_echo: {peer}: handshake timed out"),
    };
    let mut buf = vec![0; 16 * 1024];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) => return eprintln!("tls_echo: {peer}: {error}"),
        };
        let written = stream.write_all(&buf[..n]).await;
        if let Err(error) = written.and(stream.flush().await) {
            return eprintln!("tls_echo: {peer}: {error}");
        }
    }
    // The client closed its side: close ours with a TLS close_notify.
    let _ = stream.close().await;
}

/// Sends [`TOTAL`] bytes through the server at `address`, a piece at a time, and
/// checks each piece comes back unchanged.
async fn client(address: SocketAddr, certificate: SelfSigned) -> io::Result<()> {
    let config = self_signed::client_config(certificate.certificate, &[])?;
    let stream = TcpStream::connect(address).await?;
    let name = ServerName::try_from("localhost").map_err(io::Error::other)?;
    let mut stream = TlsConnector::from(config).connect(name, stream).await?;
    let protocol = stream
        .get_ref()
        .1
        .protocol_version()
        .ok_or_else(|| io::Error::other("no TLS version"))?;
    let mut back = vec![0; PIECE];
    for start in (0..TOTAL).step_by(PIECE) {
        let piece: Vec<u8> = (start..start + PIECE).map(|i| (i % 251) as u8).collect();
        stream.write_all(&piece).await?;
        stream.flush().await?;
        stream.read_exact(&mut back).await?;
        if back != piece {
            return Err(io::Error::other(format!(
                "bytes {start}.. came back changed"
            )));
        }
    }
    stream.close().await?;
    println!("tls_echo: {TOTAL} bytes echoed over {protocol:?}");
    Ok(())
}
