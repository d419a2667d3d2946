//! An HTTP client on hyper and evloop: `GET URL`, over HTTP/1.1 or HTTP/2, plain or
//! over TLS, printing the body.
//!
//! - `http://` URLs speak HTTP/1.1, or HTTP/2 with prior knowledge given `--http2`;
//! - `https://` URLs trust the one certificate in `--ca FILE` (PEM; `hyper_server
//!   --tls --cert-out FILE` writes one) and speak what ALPN settles on: HTTP/2 if
//!   `--http2` asked for it and the server agrees, else HTTP/1.1.
//!
//! hyper's client connection is two halves: a `SendRequest` to ask with, and a
//! connection future that does the I/O, spawned as an evloop task. HTTP/2 also spawns
//! its streams through [`Executor`] and pings through [`Timer`].
//!
//! Run with `cargo run --features hyper --example hyper_client -- URL [--http2]
//! [--ca FILE]`, e.g. against `hyper_server`: `... -- http://127.0.0.1:3000/ --http2`.

#[path = "shared/self_signed.rs"]
// The shared file also makes certificates, which only the servers do.
#[allow(dead_code)]
mod self_signed;

use std::error::Error;
use std::io::{self, Write};

use evloop::hyper::{Executor, Io, Timer};
use evloop::io::{AsyncRead, AsyncWrite};
use evloop::net::TcpStream;
use futures_rustls::TlsConnector;
use futures_rustls::pki_types::pem::PemObject;
use futures_rustls::pki_types::{CertificateDer, ServerName};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::{Request, Uri};

type BoxError = Box<dyn Error>;

/// The command line.
struct Options {
    url: Uri,
    http2: bool,
    ca: Option<String>,
}

const USAGE: &str = "usage: hyper_client URL [--http2] [--ca FILE]";

impl Options {
    fn parse() -> Result<Options, BoxError> {
        let (mut url, mut http2, mut ca) = (None, false, None);
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--http2" => http2 = true,
                "--ca" => ca = Some(args.next().ok_or(USAGE)?),
                _ if url.is_none() => url = Some(arg.parse::<Uri>()?),
                _ => return Err(USAGE.into()),
            }
        }
        Ok(Options {
            url: url.ok_or(USAGE)?,
            http2,
            ca,
        })
    }
}

#[evloop::main]
async fn main() -> Result<(), BoxError> {
    let options = Options::parse()?;
    let url = &options.url;
    let host = url.host().ok_or("the URL has no host")?;
    let https = match url.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        _ => return Err("the URL must start with http:// or https://".into()),
    };
    let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
    let stream = TcpStream::connect((host, port)).await?;
    stream.set_nodelay(true)?;

    let body = if https {
        let ca = options.ca.as_deref().ok_or("https:// needs --ca FILE")?;
        let certificate = CertificateDer::from_pem_slice(&std::fs::read(ca)?)?;
        let alpn: &[&[u8]] = if options.http2 {
            &[b"h2", b"http/1.1"]
        } else {
            &[b"http/1.1"]
        };
        let connector = TlsConnector::from(self_signed::client_config(certificate, alpn)?);
        let name = ServerName::try_from(host.to_string())?;
        let stream = connector.connect(name, stream).await?;
        let http2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
        get(Io::new(stream), url, http2).await?
    } else {
        get(Io::new(stream), url, options.http2).await?
    };
    io::stdout().write_all(&body)?;
    Ok(())
}

/// Sends `GET url` on `io` and returns the body of a successful response.
async fn get<T>(io: Io<T>, url: &Uri, http2: bool) -> Result<Bytes, BoxError>
where
    T: AsyncRead + AsyncWrite + Unpin + 'static,
{
    let request = Request::get(url.clone()).body(Empty::<Bytes>::new())?;
    let response = if http2 {
        let (mut sender, connection) = hyper::client::conn::http2::Builder::new(Executor)
            .timer(Timer)
            .handshake(io)
            .await?;
        evloop::spawn(connection);
        sender.send_request(request).await?
    } else {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
        evloop::spawn(connection);
        // HTTP/1.1 wants the path in the request line and the host in a header.
        let (mut parts, body) = request.into_parts();
        let authority = url.authority().ok_or("the URL has no host")?.as_str();
        parts
            .headers
            .insert(hyper::header::HOST, authority.parse()?);
        parts.uri = url
            .path_and_query()
            .map_or("/", |path| path.as_str())
            .parse()?;
        sender
            .send_request(Request::from_parts(parts, body))
            .await?
    };
    eprintln!(
        "hyper_client: {:?} {}",
        response.version(),
        response.status()
    );
    if !response.status().is_success() {
        return Err(format!("the server answered {}", response.status()).into());
    }
    Ok(response.into_body().collect().await?.to_bytes())
}
