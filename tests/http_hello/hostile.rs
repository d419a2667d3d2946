//! `http_hello` against clients that hold connections without sending proper
//! requests: half-sent heads, a head sent a byte at a time, idle keep-alives, more
//! connections than the cap or the file-descriptor limit allows, and a bad request
//! with more input behind it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{Client, GET, LIMIT, Response, Server};

/// The head and idle timeouts the tests set, short so that the tests are quick.
const HEAD_TIMEOUT: Duration = Duration::from_millis(500);
const IDLE_TIMEOUT: Duration = Duration::from_millis(300);
/// How late past a timeout a close may come: a loaded machine, not a lost timer.
const LATE: Duration = Duration::from_secs(5);

/// The response of a connection the server closes for being too slow.
const TIMEOUT_408: &str = "HTTP/1.1 408 Request Timeout\r\n";

/// Reads everything until the server closes (bounded by [`LIMIT`]).
fn read_until_closed(stream: &mut TcpStream) -> String {
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    let mut received = Vec::new();
    stream
        .read_to_end(&mut received)
        .expect("an end of stream within the limit, not a reset");
    String::from_utf8_lossy(&received).into_owned()
}

#[track_caller]
fn assert_closed_between(started: Instant, early: Duration, late: Duration) {
    let after = started.elapsed();
    assert!(after >= early, "closed after {after:?}, before {early:?}");
    assert!(after < late, "closed after {after:?}, later than {late:?}");
}

#[test]
fn half_sent_heads_get_408_and_a_close_after_the_head_timeout() {
    const CONNECTIONS: usize = 200;
    let server = Server::start_with(&["--head-timeout", "0.5"], None);
    let started = Instant::now();
    let mut clients: Vec<TcpStream> = (0..CONNECTIONS)
        .map(|i| {
            let mut client = server.connect().stream;
            // Half a head, or for some nothing at all.
            if i % 4 != 0 {
                client.write_all(b"GET / HTTP/1.1\r\nHost: 127.").unwrap();
            }
            client
        })
        .collect();
    for client in &mut clients {
        let received = read_until_closed(client);
        assert!(received.starts_with(TIMEOUT_408), "{received:?}");
    }
    assert_closed_between(started, HEAD_TIMEOUT, HEAD_TIMEOUT + LATE);
    let mut client = server.connect();
    client.send(GET).unwrap();
    client.expect_hello();
}

#[test]
fn a_head_that_trickles_in_gets_no_more_time() {
    let server = Server::start_with(&["--head-timeout", "0.5"], None);
    // Before the connection exists: the server's clock for it starts later.
    let started = Instant::now();
    let mut client = server.connect().stream;
    client.set_nodelay(true).unwrap();
    // One byte of an endless header every 50 ms: each read is progress, but the
    // head as a whole is late.
    let mut writer = client.try_clone().unwrap();
    let trickle = thread::spawn(move || {
        writer.write_all(b"GET / HTTP/1.1\r\nX-Slow: ").unwrap();
        for _ in 0..200 {
            if writer.write_all(b"a").is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
    });
    let received = read_until_closed(&mut client);
    assert_closed_between(started, HEAD_TIMEOUT, HEAD_TIMEOUT + LATE);
    assert!(received.starts_with(TIMEOUT_408), "{received:?}");
    drop(client);
    trickle.join().unwrap();
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let server = Server::start_with(&["--idle-timeout", "0.3"], None);
    let mut client = server.connect();
    // Before the request: the server starts the idle clock after its response.
    let started = Instant::now();
    client.send(GET).unwrap();
    client.expect_hello();
    assert!(client.is_closed_by_server());
    assert_closed_between(started, IDLE_TIMEOUT, IDLE_TIMEOUT + LATE);
}

#[test]
fn connections_over_the_cap_get_503_at_once() {
    const CAP: usize = 4;
    let server = Server::start_with(&["--max-connections", "4"], None);
    let mut served: Vec<_> = (0..CAP)
        .map(|_| {
            let (client, response, _) = in_a_slot(&server, GET);
            response.assert_hello();
            client
        })
        .collect();
    let mut over = server.connect();
    let response = over.response().unwrap().expect("a 503");
    assert_eq!(response.status, 503, "{response:?}");
    assert!(over.is_closed_by_server());
    // A slot frees up when a connection closes: then a new client is served.
    drop(served.pop());
    let (_, response, _) = in_a_slot(&server, GET);
    response.assert_hello();
    for client in &mut served {
        client.send(GET).unwrap();
        client.expect_hello();
    }
}

#[test]
fn at_the_fd_limit_new_clients_are_told_and_then_served() {
    /// `ulimit -n`: the connection cap is kept below it.
    const FDS: u32 = 64;
    /// More clients than the fd limit, each sending one byte of a head.
    const IDLE_CLIENTS: usize = 80;
    let head_timeout = Duration::from_secs(5);
    let mut server = Server::start_with(&["--head-timeout", "5"], Some(FDS));
    let started = Instant::now();
    let mut idle: Vec<TcpStream> = (0..IDLE_CLIENTS)
        .map(|_| {
            let mut client = server.connect().stream;
            client.write_all(b"G").unwrap();
            client
        })
        .collect();
    // The last client is over the cap: it hears so long before any head times out.
    let received = read_until_closed(idle.last_mut().unwrap());
    assert!(received.contains(" 503 "), "{received:?}");
    assert!(started.elapsed() < head_timeout, "the 503 came late");
    // Every client is answered: a 503 at once, or a 408 once its head is late.
    let refused = idle
        .iter_mut()
        .map(read_until_closed)
        .filter(|received| received.contains(" 503 "))
        .count()
        + 1;
    assert!(
        refused >= IDLE_CLIENTS - FDS as usize,
        "only {refused} refused"
    );
    // The idle ones do not keep their slots: new clients are served.
    let deadline = Instant::now() + LIMIT;
    loop {
        let mut client = server.connect();
        client.send(GET).unwrap();
        if let Ok(Some(response)) = client.response() {
            if response.status == 200 {
                break;
            }
        }
        assert!(Instant::now() < deadline, "new clients were never served");
    }
    server.send_signal(libc::SIGTERM);
    let (status, stderr) = server.wait_for_exit();
    assert!(status.success(), "{status}; {stderr}");
    assert!(stderr.contains("for the head timeout"), "{stderr}");
}

/// A bad head with more input behind it: the client must be able to finish sending,
/// then read the 400 and an end of stream, not a reset.
#[test]
fn a_bad_request_with_more_behind_it_is_answered_before_the_close() {
    const BEHIND: usize = 16 * 1024 * 1024;
    let server = Server::start();
    let mut client = server.connect();
    client
        .send(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n")
        .unwrap();
    let more = GET.repeat(64 * 1024 / GET.len());
    for _ in 0..BEHIND / more.len() {
        client.send(&more).expect("the server drains what follows");
    }
    let response = client.response().unwrap().expect("a 400");
    assert_eq!(response.status, 400, "{response:?}");
    assert!(client.is_closed_by_server());
}

/// Sends `request` on new connections until one gets a slot (the others get 503s,
/// while the server has not yet seen an earlier connection close, the harness's
/// "accepting yet?" probe among them); returns that
/// connection, its response, and how many were refused.
fn in_a_slot(server: &Server, request: &[u8]) -> (Client, Response, usize) {
    let deadline = Instant::now() + LIMIT;
    let mut refused = 0;
    loop {
        let mut client = server.connect();
        client.send(request).unwrap();
        let response = client.response().unwrap().expect("a response");
        if response.status != 503 {
            return (client, response, refused);
        }
        refused += 1;
        assert!(Instant::now() < deadline, "the slot never freed up");
    }
}

#[test]
fn the_counters_are_printed_at_shutdown() {
    let mut server = Server::start_with(&["--max-connections", "1"], None);
    let (client, hello, mut refused) = in_a_slot(&server, GET);
    hello.assert_hello();
    let mut over = server.connect();
    assert_eq!(over.response().unwrap().expect("a 503").status, 503);
    refused += 1;
    drop(client);
    let (_, bad, more_refused) = in_a_slot(&server, b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(bad.status, 400, "no Host: {bad:?}");
    refused += more_refused;
    server.send_signal(libc::SIGTERM);
    let (status, stderr) = server.wait_for_exit();
    assert!(status.success(), "{status}; {stderr}");
    let summary = stderr
        .lines()
        .find(|line| line.contains("stopped;"))
        .unwrap_or_else(|| panic!("no counters in {stderr:?}"));
    // The harness's probe for "accepting yet?" may have had a slot too.
    assert!(
        summary.contains(" connection(s) served, 1 request(s), "),
        "{summary}"
    );
    assert!(summary.contains("closed 1 for bad requests"), "{summary}");
    let refused_text = format!("refused {refused} over the cap");
    assert!(summary.contains(&refused_text), "{summary}");
}
