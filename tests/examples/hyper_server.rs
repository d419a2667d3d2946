//! `hyper_server` against raw sockets and curl: keep-alive and pipelining, a client
//! that stops reading, graceful shutdown on `SIGTERM`, HTTPS.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::thread;
use std::time::Duration;

use crate::support::Server;
use crate::tls::{self, CertFile};

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
const HELLO: &[u8] = b"Hello, World!";

/// An HTTP/1.1 client on a blocking socket: requests out, responses parsed by
/// `Content-Length`.
struct RawClient {
    stream: TcpStream,
    /// Bytes received and not yet parsed.
    received: Vec<u8>,
}

impl RawClient {
    fn new(server: &Server) -> RawClient {
        RawClient {
            stream: server.connect(),
            received: Vec::new(),
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Reads more; `false` at end of stream.
    fn receive(&mut self) -> bool {
        let mut buf = [0; 16 * 1024];
        let n = self.stream.read(&mut buf).expect("read (or timed out)");
        self.received.extend_from_slice(&buf[..n]);
        n > 0
    }

    /// The next response head, as text.
    fn head(&mut self) -> String {
        loop {
            if let Some(end) = self.received.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = self.received.drain(..end + 4).collect::<Vec<_>>();
                return String::from_utf8(head).expect("a UTF-8 head");
            }
            assert!(self.receive(), "the connection closed mid-head");
        }
    }

    /// `n` bytes of body.
    fn body(&mut self, n: usize) -> Vec<u8> {
        while self.received.len() < n {
            assert!(self.receive(), "the connection closed mid-body");
        }
        self.received.drain(..n).collect()
    }

    /// The next response: its head and its body (of `Content-Length` bytes).
    fn response(&mut self) -> (String, Vec<u8>) {
        let head = self.head();
        let length = content_length(&head);
        (head, self.body(length))
    }

    /// Whether the server has closed the connection, with nothing more sent.
    fn is_closed(&mut self) -> bool {
        !self.receive() && self.received.is_empty()
    }
}

#[track_caller]
fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().unwrap())
        })
        .unwrap_or_else(|| panic!("no Content-Length in {head:?}"))
}

#[track_caller]
fn assert_hello(response: (String, Vec<u8>)) {
    assert!(
        response.0.starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        response.0
    );
    assert_eq!(response.1, HELLO);
}

#[test]
fn keeps_connections_alive_and_answers_pipelined_requests_in_order() {
    let server = Server::start("hyper_server", &[]);
    let mut client = RawClient::new(&server);
    for _ in 0..3 {
        client.send(GET);
        assert_hello(client.response());
    }
    let echo = b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\nping";
    client.send(&[GET, &echo[..], GET].concat());
    assert_hello(client.response());
    let (head, body) = client.response();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(body, b"ping");
    assert_hello(client.response());
}

/// The server's resident memory, in bytes.
fn resident_bytes(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[test]
fn a_client_that_stops_reading_stops_the_server_making_more() {
    /// Far more than any buffer between the two: 1 GiB.
    const BODY: u64 = 1 << 30;
    /// What the server may hold meanwhile: the kernel's socket buffers are at most a
    /// few MiB each, hyper's write buffer about 400 KiB.
    const MEMORY_BOUND: u64 = 64 << 20;
    /// The server is watched this long after the client stops, in steps of this.
    const WATCH: Duration = Duration::from_secs(1);
    const STEP: Duration = Duration::from_millis(20);

    let server = Server::start("hyper_server", &[]);
    let mut warm = RawClient::new(&server);
    warm.send(GET);
    assert_hello(warm.response());
    let before = resident_bytes(&server);

    let mut stalled = RawClient::new(&server);
    stalled.send(format!("GET /bytes/{BODY} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes());
    let head = stalled.head();
    assert_eq!(content_length(&head) as u64, BODY);
    stalled.body(1 << 20);
    // Now stop reading. Without backpressure the server would make the whole GiB, one
    // 64 KiB piece after another, and hold what the socket cannot take.
    let mut most = before;
    for _ in 0..WATCH.as_millis() / STEP.as_millis() {
        most = most.max(resident_bytes(&server));
        thread::sleep(STEP);
    }
    assert!(
        most - before < MEMORY_BOUND,
        "the server grew by {} MiB for a client that stopped reading",
        (most - before) >> 20
    );
    // And the loop is not stuck on that client: others are served.
    warm.send(GET);
    assert_hello(warm.response());
}

#[test]
fn sigterm_closes_idle_connections_and_finishes_requests_in_flight() {
    let mut server = Server::start("hyper_server", &[]);
    let mut idle = RawClient::new(&server);
    idle.send(GET);
    assert_hello(idle.response());

    // A request whose body is half sent, and whose answer has begun: in flight.
    let mut busy = RawClient::new(&server);
    busy.send(b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nhello");
    let head = busy.head();
    assert_eq!(content_length(&head), 10, "{head}");
    assert_eq!(busy.body(5), b"hello");

    server.signal(libc::SIGTERM);
    assert!(idle.is_closed(), "an idle connection closes at once");
    busy.send(b"world");
    assert_eq!(busy.body(5), b"world", "the request in flight is answered");
    assert!(busy.is_closed(), "and then its connection closes");
    assert!(server.wait().success(), "the server exits 0");
    let refused = TcpStream::connect(("127.0.0.1", server.port()));
    assert_eq!(
        refused.map_err(|e| e.kind()).err(),
        Some(io::ErrorKind::ConnectionRefused)
    );
}

/// Runs curl with `args` and returns its standard output, or `None` (and says so) if
/// curl is not installed.
fn curl(test: &str, args: &[&str]) -> Option<String> {
    if !tls::installed("curl", test) {
        return None;
    }
    let output = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "20"])
        .args(["--write-out", " %{http_version}"])
        .args(args)
        .output()
        .expect("run curl");
    assert!(
        output.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

#[test]
fn curl_speaks_http1_and_http2_with_prior_knowledge() {
    let server = Server::start("hyper_server", &[]);
    let url = format!("http://127.0.0.1:{}/", server.port());
    let test = "curl_speaks_http1_and_http2_with_prior_knowledge";
    let Some(http1) = curl(test, &[&url]) else {
        return;
    };
    assert_eq!(http1, "Hello, World! 1.1");
    let http2 = curl(test, &["--http2-prior-knowledge", &url]).unwrap();
    assert_eq!(http2, "Hello, World! 2");
}

#[test]
fn curl_speaks_https_with_either_version() {
    let cert = CertFile::new("hyper-curl");
    let server = Server::start("hyper_server", &["--tls", "--cert-out", cert.path()]);
    let url = format!("https://localhost:{}/", server.port());
    let resolve = format!("localhost:{}:127.0.0.1", server.port());
    let test = "curl_speaks_https_with_either_version";
    let Some(insecure) = curl(test, &["--insecure", &url]) else {
        return;
    };
    assert_eq!(insecure, "Hello, World! 2", "ALPN picks HTTP/2");
    let verified = curl(
        test,
        &[
            "--cacert",
            cert.path(),
            "--resolve",
            &resolve,
            "--http1.1",
            &url,
        ],
    );
    assert_eq!(verified.unwrap(), "Hello, World! 1.1");
}
