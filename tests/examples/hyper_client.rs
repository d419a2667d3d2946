//! hyper's own client on evloop against `hyper_server`: 100 concurrent HTTP/2 streams
//! on one connection, 10 MiB each way over HTTP/1.1, HTTP/2 and HTTPS; and the
//! `hyper_client` example against it.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use evloop::hyper::{Executor, Io, Timer};
use evloop::io::{AsyncRead, AsyncWrite};
use evloop::net::TcpStream;
use evloop::time::timeout;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Bytes, Frame};
use hyper::client::conn::{http1, http2};
use hyper::{Request, StatusCode};

use crate::support::{PATIENCE, Server, run_with_args};
use crate::tls::{self, CertFile};

type BoxError = Box<dyn std::error::Error>;

/// Runs `test` on a fresh evloop runtime, failing if it takes longer than [`PATIENCE`].
fn run<F: Future<Output = Result<(), BoxError>>>(test: F) {
    evloop::block_on(async {
        timeout(PATIENCE, test)
            .await
            .expect("in time")
            .expect("the exchange");
    });
}

/// An HTTP/2 connection over `io`, its connection task spawned.
async fn http2_over<T, B>(io: T) -> Result<http2::SendRequest<B>, BoxError>
where
    T: AsyncRead + AsyncWrite + Unpin + 'static,
    B: Body<Data = Bytes, Error = Infallible> + Unpin + 'static,
{
    let (sender, connection) = http2::Builder::new(Executor)
        .timer(Timer)
        .handshake(Io::new(io))
        .await?;
    drop(evloop::spawn(connection));
    Ok(sender)
}

/// The same for HTTP/1.1.
async fn http1_over<T, B>(io: T) -> Result<http1::SendRequest<B>, BoxError>
where
    T: AsyncRead + AsyncWrite + Unpin + 'static,
    B: Body<Data = Bytes, Error = Infallible> + Unpin + 'static,
{
    let (sender, connection) = http1::handshake(Io::new(io)).await?;
    drop(evloop::spawn(connection));
    Ok(sender)
}

/// Counts streams whose response head has come, and holds back every request body's
/// end until all of them have: so all streams are open at once.
struct Gate {
    needed: usize,
    arrived: Cell<usize>,
    waiting: RefCell<Vec<Waker>>,
}

impl Gate {
    fn arrive(&self) {
        self.arrived.set(self.arrived.get() + 1);
        if self.is_open() {
            let waiting = std::mem::take(&mut *self.waiting.borrow_mut());
            waiting.into_iter().for_each(Waker::wake);
        }
    }

    fn is_open(&self) -> bool {
        self.arrived.get() >= self.needed
    }
}

/// A request body: one piece at once, then the end only when the gate opens.
struct HeldBody {
    piece: Option<Bytes>,
    gate: Rc<Gate>,
}

impl Body for HeldBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(piece) = self.piece.take() {
            return Poll::Ready(Some(Ok(Frame::data(piece))));
        }
        if self.gate.is_open() {
            return Poll::Ready(None);
        }
        self.gate.waiting.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    }
}

#[test]
fn http2_serves_100_concurrent_streams_on_one_connection() {
    const STREAMS: usize = 100;
    let server = Server::start("hyper_server", &[]);
    let url = format!("http://127.0.0.1:{}/echo", server.port());
    run(async {
        let stream = TcpStream::connect(("127.0.0.1", server.port())).await?;
        let sender = http2_over::<_, HeldBody>(stream).await?;
        let gate = Rc::new(Gate {
            needed: STREAMS,
            arrived: Cell::new(0),
            waiting: RefCell::default(),
        });
        let exchanges: Vec<_> = (0..STREAMS)
            .map(|i| {
                let (mut sender, gate, url) = (sender.clone(), gate.clone(), url.clone());
                evloop::spawn(async move {
                    let piece = Bytes::from(format!("stream {i}"));
                    let body = HeldBody {
                        piece: Some(piece.clone()),
                        gate: gate.clone(),
                    };
                    let response = sender.send_request(Request::post(url).body(body)?).await?;
                    assert_eq!(response.status(), StatusCode::OK);
                    gate.arrive();
                    let echoed = response.into_body().collect().await?.to_bytes();
                    assert_eq!(echoed, piece);
                    Ok::<_, BoxError>(())
                })
            })
            .collect();
        for exchange in exchanges {
            exchange.await.expect("the task")?;
        }
        Ok(())
    });
}

/// 10 MiB, with a pattern that shows any byte out of place.
fn ten_mebibytes() -> Bytes {
    (0..10 << 20)
        .map(|i: u32| (i % 251) as u8)
        .collect::<Vec<_>>()
        .into()
}

#[test]
fn ten_mebibytes_each_way_over_http1() {
    let server = Server::start("hyper_server", &[]);
    run(async {
        let stream = TcpStream::connect(("127.0.0.1", server.port())).await?;
        let mut sender = http1_over(stream).await?;
        let body = ten_mebibytes();
        let request = Request::post("/echo")
            .header("host", "localhost")
            .body(Full::new(body.clone()))?;
        let response = sender.send_request(request).await?;
        assert_eq!(response.into_body().collect().await?.to_bytes(), body);
        Ok(())
    });
}

#[test]
fn ten_mebibytes_each_way_over_http2() {
    let server = Server::start("hyper_server", &[]);
    let url = format!("http://127.0.0.1:{}/echo", server.port());
    run(async {
        let stream = TcpStream::connect(("127.0.0.1", server.port())).await?;
        let mut sender = http2_over(stream).await?;
        let body = ten_mebibytes();
        let response = sender
            .send_request(Request::post(url).body(Full::new(body.clone()))?)
            .await?;
        assert_eq!(response.into_body().collect().await?.to_bytes(), body);
        Ok(())
    });
}

#[test]
fn ten_mebibytes_each_way_over_https_with_alpn_h2() {
    let cert = CertFile::new("hyper-https");
    let server = Server::start("hyper_server", &["--tls", "--cert-out", cert.path()]);
    let url = format!("https://localhost:{}/echo", server.port());
    run(async {
        let stream = tls::connect(server.port(), cert.certificate(), &[b"h2"]).await?;
        assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let mut sender = http2_over(stream).await?;
        let body = ten_mebibytes();
        let response = sender
            .send_request(Request::post(url).body(Full::new(body.clone()))?)
            .await?;
        assert_eq!(response.into_body().collect().await?.to_bytes(), body);
        Ok(())
    });
}

#[test]
fn the_hyper_client_example_gets_a_page_each_way() {
    let plain = Server::start("hyper_server", &[]);
    let url = format!("http://127.0.0.1:{}/", plain.port());
    assert_eq!(run_with_args("hyper_client", &[&url]), "Hello, World!");
    assert_eq!(
        run_with_args("hyper_client", &[&url, "--http2"]),
        "Hello, World!"
    );

    let cert = CertFile::new("hyper-client-example");
    let secure = Server::start("hyper_server", &["--tls", "--cert-out", cert.path()]);
    let url = format!("https://localhost:{}/bytes/100000", secure.port());
    for version in [&[][..], &["--http2"]] {
        let args = [&[url.as_str(), "--ca", cert.path()][..], version].concat();
        assert_eq!(run_with_args("hyper_client", &args), "x".repeat(100_000));
    }
}
