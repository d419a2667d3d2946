//! The `http_hello` example, run as a child process: real requests over keep-alive,
//! pipelining, `Connection: close`, an oversized head, and a clean exit on `SIGTERM`
//! (under load) and `SIGINT`.
//!
//! `cargo test` builds the examples before it runs the tests; the binary is found next
//! to this test's own executable.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// How long the server may take to start or to exit; a hang shows up as this.
const LIMIT: Duration = Duration::from_secs(10);

/// Pause between two checks of a condition polled with a deadline (a connect that is
/// refused, a child that has not exited): a poll interval, not a synchronisation.
const POLL_INTERVAL: Duration = Duration::from_millis(5);

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// The example running as a child process, killed if a test fails before it exits.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts `http_hello` on a free port and waits until it accepts connections.
    fn start() -> Server {
        let port = free_port();
        let child = Command::new(example_binary())
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the http_hello example");
        let server = Server { child, port };
        let deadline = Instant::now() + LIMIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "http_hello never accepted");
            thread::sleep(POLL_INTERVAL);
        }
        server
    }

    fn connect(&self) -> Client {
        Client::new(TcpStream::connect(("127.0.0.1", self.port)).unwrap())
    }

    /// Sends `request` on a new connection and returns the response, after checking
    /// that the server closes the connection once it has answered.
    fn answer_before_close(&self, request: &[u8]) -> Response {
        let mut client = self.connect();
        client.send(request).unwrap();
        let response = client.response().unwrap().expect("a response");
        assert!(
            client.is_closed_by_server(),
            "still open after {response:?}"
        );
        response
    }

    fn send_signal(&self, signal: i32) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill has no memory-safety preconditions; `pid` is our child, which
        // has not been waited for (so the id is not reused).
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits (bounded) for the child to exit; returns its status and its stderr.
    fn wait_for_exit(&mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + LIMIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "http_hello did not exit within {LIMIT:?}"
            );
            thread::sleep(POLL_INTERVAL);
        };
        let mut stderr = String::new();
        let pipe = self.child.stderr.as_mut().unwrap();
        pipe.read_to_string(&mut stderr).unwrap();
        (status, stderr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `target/<profile>/examples/http_hello`, next to `target/<profile>/deps/<this test>`.
fn example_binary() -> PathBuf {
    let test_exe = std::env::current_exe().unwrap();
    let profile_dir = test_exe.parent().and_then(|deps| deps.parent()).unwrap();
    let binary = profile_dir.join("examples").join("http_hello");
    assert!(
        binary.exists(),
        "{} is missing: build it with `cargo build --examples`",
        binary.display()
    );
    binary
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A parsed response.
#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn assert_hello(&self) {
        assert_eq!(self.status, 200, "{self:?}");
        assert_eq!(self.body, b"Hello, World!");
    }

    fn says_close(&self) -> bool {
        self.head.contains("\r\nConnection: close\r\n")
    }
}

/// A keep-alive client that reads responses one by one (several may come in one read).
struct Client {
    stream: TcpStream,
    received: Vec<u8>,
}

impl Client {
    fn new(stream: TcpStream) -> Client {
        stream.set_read_timeout(Some(LIMIT)).unwrap();
        Client {
            stream,
            received: Vec::new(),
        }
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// The next response; `Ok(None)` if the server closed the connection before its
    /// first byte. A response cut short is an `UnexpectedEof` error.
    fn response(&mut self) -> io::Result<Option<Response>> {
        loop {
            if let Some(response) = self.parse()? {
                return Ok(Some(response));
            }
            let mut chunk = [0; 4096];
            let n = match self.stream.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                Err(e) => return Err(e),
            };
            if n == 0 && self.received.is_empty() {
                return Ok(None);
            }
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("incomplete response: {:?}", self.received),
                ));
            }
            self.received.extend_from_slice(&chunk[..n]);
        }
    }

    /// Cuts one complete response off the front of `received`, if there is one.
    fn parse(&mut self) -> io::Result<Option<Response>> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
        let Some(end) = self.received.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Ok(None);
        };
        let head = String::from_utf8(self.received[..end + 4].to_vec())
            .map_err(|_| invalid("head is not UTF-8"))?;
        let status = head
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| invalid("bad status line"))?;
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("Content-Length: "))
            .and_then(|len| len.parse().ok())
            .ok_or_else(|| invalid("no Content-Length"))?;
        if self.received.len() < end + 4 + length {
            return Ok(None);
        }
        let body = self.received[end + 4..end + 4 + length].to_vec();
        self.received.drain(..end + 4 + length);
        Ok(Some(Response { status, head, body }))
    }

    /// Whether the server has closed the connection (end of stream or reset).
    fn is_closed_by_server(&mut self) -> bool {
        matches!(self.response(), Ok(None))
    }

    /// Reads the next response and checks it is the hello.
    fn expect_hello(&mut self) {
        self.response()
            .unwrap()
            .expect("a hello response")
            .assert_hello();
    }

    /// Ends the client's side and checks the server answers nothing more: a request
    /// answered twice would leave a response behind.
    fn assert_no_more_responses(&mut self) {
        self.stream.shutdown(std::net::Shutdown::Write).unwrap();
        assert!(self.is_closed_by_server());
    }
}

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
