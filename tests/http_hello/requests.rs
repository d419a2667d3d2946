//! Real requests over keep-alive, pipelining, `Connection: close`, bodies, bad and
//! oversized heads, and a clean exit on `SIGTERM` (under load) and `SIGINT`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Instant;

use crate::support::{GET, LIMIT, POLL_INTERVAL, Server};

#[test]
fn a_keep_alive_connection_is_answered_twice() {
    let server = Server::start();
    let mut client = server.connect();
    for _ in 0..2 {
        client.send(GET).unwrap();
        let response = client.response().unwrap().expect("a response");
        response.assert_hello();
        assert!(!response.says_close());
    }
}

#[test]
fn a_head_sent_a_byte_at_a_time_is_answered_once() {
    let server = Server::start();
    let mut client = server.connect();
    client.stream.set_nodelay(true).unwrap();
    // Each byte its own write: the server may read the head in many pieces, the blank
    // line at its end among them split anywhere.
    for byte in GET.chunks(1) {
        client.send(byte).unwrap();
    }
    client.expect_hello();
    client.send(GET).unwrap();
    client.expect_hello();
    client.assert_no_more_responses();
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = Server::start();
    let mut client = server.connect();
    let mut requests = [GET, GET].concat();
    requests.extend_from_slice(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    client.send(&requests).unwrap();
    for i in 0..3 {
        let response = client.response().unwrap().expect("a response");
        response.assert_hello();
        assert_eq!(response.says_close(), i == 2, "response {i}: {response:?}");
    }
    assert!(client.is_closed_by_server());
}

#[test]
fn connection_close_closes_the_connection() {
    let server = Server::start();
    let response = server
        .answer_before_close(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    response.assert_hello();
    assert!(response.says_close());
}

#[test]
fn a_body_with_content_length_is_skipped_not_read_as_a_request() {
    let server = Server::start();
    let mut client = server.connect();
    client.stream.set_nodelay(true).unwrap();
    // The body looks like a request: answering it would give a third response.
    let body = GET;
    let post = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    client.send(post.as_bytes()).unwrap();
    // The body in two pieces: skipping goes on across reads.
    let (first, rest) = body.split_at(5);
    client.send(first).unwrap();
    client.send(rest).unwrap();
    client.send(GET).unwrap();
    client.expect_hello();
    client.expect_hello();
    client.assert_no_more_responses();
}

#[test]
fn http_1_0_and_any_casing_of_connection_close_end_the_connection() {
    let server = Server::start();
    for request in [
        &b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCONNECTION: keep-alive, Close\r\n\r\n",
    ] {
        let response = server.answer_before_close(request);
        response.assert_hello();
        assert!(response.says_close(), "{response:?}");
    }
}

#[test]
fn heads_it_cannot_read_get_400_and_a_close() {
    let server = Server::start();
    for request in [
        &b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n  \r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: many\r\n\r\n",
        b"GET / SPDY/3\r\n\r\n",
        // What a proxy in front might read differently (request smuggling):
        b"HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 0\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\0\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n folded: b\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
    ] {
        let response = server.answer_before_close(request);
        assert_eq!(response.status, 400, "{response:?}");
    }
}

#[test]
fn a_head_over_8_kib_gets_431_and_a_close() {
    let server = Server::start();
    let mut request = b"GET / HTTP/1.1\r\nX-Padding: ".to_vec();
    request.resize(9 * 1024, b'a');
    request.extend_from_slice(b"\r\n\r\n");
    let response = server.answer_before_close(&request);
    assert_eq!(response.status, 431, "{response:?}");
}

#[test]
fn sigterm_under_load_finishes_every_answered_request_and_exits_0() {
    const CLIENTS: usize = 4;
    /// Responses all clients together must have had before the signal is sent.
    const WARM_UP: usize = 200;
    /// An upper bound on each client's loop, in case the server never stops.
    const MAX_REQUESTS: usize = 1_000_000;

    let mut server = Server::start();
    let answered = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(Barrier::new(CLIENTS + 1));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let mut client = server.connect();
            let (answered, started) = (answered.clone(), started.clone());
            thread::spawn(move || {
                started.wait();
                for _ in 0..MAX_REQUESTS {
                    // A request the server closed the connection on, without an
                    // answer, is fine; an answer cut short is not (`unwrap`).
                    if client.send(GET).is_err() {
                        return;
                    }
                    match client.response().unwrap() {
                        Some(response) => response.assert_hello(),
                        None => return,
                    }
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                panic!("the server kept answering {MAX_REQUESTS} requests after SIGTERM");
            })
        })
        .collect();
    started.wait();
    let deadline = Instant::now() + LIMIT;
    while answered.load(Ordering::Relaxed) < WARM_UP {
        assert!(Instant::now() < deadline, "the load never got going");
        thread::sleep(POLL_INTERVAL);
    }

    server.send_signal(libc::SIGTERM);
    let (status, stderr) = server.wait_for_exit();
    assert!(status.success(), "{status}; stderr: {stderr}");
    assert!(!stderr.contains("dropping"), "{stderr}");
    for client in clients {
        client.join().unwrap();
    }
}

#[test]
fn sigint_closes_idle_connections_and_exits_0() {
    let mut server = Server::start();
    let mut idle = server.connect();
    idle.send(GET).unwrap();
    idle.response().unwrap().expect("a response").assert_hello();

    server.send_signal(libc::SIGINT);
    assert!(idle.is_closed_by_server());
    let (status, stderr) = server.wait_for_exit();
    assert!(status.success(), "{status}; stderr: {stderr}");
    assert!(!stderr.contains("dropping"), "{stderr}");
}
