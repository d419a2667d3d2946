//! `evloop::hyper` in one runtime, server and client side by side: hyper over a Unix
//! socket pair (the other evloop socket `Io` reads into hyper's buffer directly), and
//! hyper's timeouts on evloop's paused clock, which they follow to the nanosecond.
#![cfg(feature = "hyper")]

use std::convert::Infallible;
use std::time::Duration;

use evloop::hyper::{Executor, Io, Timer};
use evloop::io::AsyncWriteExt;
use evloop::net::UnixStream;
use evloop::time::{Instant, timeout};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Request, Response};

/// What any test here may take; only reached when something is broken.
const PATIENCE: Duration = Duration::from_secs(20);

async fn echo(request: Request<Incoming>) -> Result<Response<Incoming>, Infallible> {
    Ok(Response::new(request.into_body()))
}

#[test]
fn http1_over_a_unix_socket_pair_echoes_a_mebibyte() {
    evloop::block_on(async {
        let (server, client) = UnixStream::pair().unwrap();
        let serving = evloop::spawn(
            http1::Builder::new().serve_connection(Io::new(server), service_fn(echo)),
        );
        let exchange = async {
            let (mut sender, connection) = hyper::client::conn::http1::handshake(Io::new(client))
                .await
                .unwrap();
            drop(evloop::spawn(connection));
            let body: Bytes = (0..1 << 20)
                .map(|i: u32| i as u8)
                .collect::<Vec<_>>()
                .into();
            let request = Request::post("/").body(Full::new(body.clone())).unwrap();
            let response = sender.send_request(request).await.unwrap();
            assert_eq!(
                response.into_body().collect().await.unwrap().to_bytes(),
                body
            );
        };
        timeout(PATIENCE, exchange).await.expect("in time");
        drop(serving);
    });
}

fn paused() -> evloop::Runtime {
    evloop::Runtime::builder()
        .start_paused(true)
        .build()
        .unwrap()
}

#[test]
fn a_client_that_sends_no_head_is_dropped_at_the_header_read_timeout() {
    const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(7);
    paused().block_on(async {
        let (server, _silent_client) = UnixStream::pair().unwrap();
        let start = Instant::now();
        let served = http1::Builder::new()
            .timer(Timer)
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(Io::new(server), service_fn(echo))
            .await;
        let error = served.expect_err("the connection times out");
        assert!(error.is_timeout(), "{error}");
        assert_eq!(start.elapsed(), HEADER_READ_TIMEOUT);
    });
}

/// An HTTP/2 client's first bytes: the preface and an empty SETTINGS frame.
const HTTP2_PREFACE: &[u8] =
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

#[test]
fn an_http2_peer_that_stops_answering_pings_is_dropped() {
    const INTERVAL: Duration = Duration::from_secs(10);
    const PING_TIMEOUT: Duration = Duration::from_secs(5);
    paused().block_on(async {
        let (server, mut client) = UnixStream::pair().unwrap();
        client.write_all(HTTP2_PREFACE).await.unwrap();
        let start = Instant::now();
        let served = http2::Builder::new(Executor)
            .timer(Timer)
            .keep_alive_interval(INTERVAL)
            .keep_alive_timeout(PING_TIMEOUT)
            .serve_connection(Io::new(server), service_fn(echo))
            .await;
        // The client never reads, so never acknowledges a ping: the server gives up
        // one interval plus one ping timeout after it went quiet.
        assert!(served.is_err(), "the connection is dropped");
        assert_eq!(start.elapsed(), INTERVAL + PING_TIMEOUT);
        drop(client);
    });
}
