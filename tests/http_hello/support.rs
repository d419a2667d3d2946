//! Running `http_hello` as a child process, and a client that reads its responses.
//!
//! `cargo test` builds the examples before it runs the tests; the binary is found next
//! to this test's own executable.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long the server may take to start or to exit; a hang shows up as this.
pub const LIMIT: Duration = Duration::from_secs(10);

/// Pause between two checks of a condition polled with a deadline (a connect that is
/// refused, a child that has not exited): a poll interval, not a synchronisation.
pub const POLL_INTERVAL: Duration = Duration::from_millis(5);

pub const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// The example running as a child process, killed if a test fails before it exits.
pub struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts `http_hello` on a free port and waits until it accepts connections.
    pub fn start() -> Server {
        Server::start_with(&[], None)
    }

    /// Starts `http_hello` with `args` after the port, and with at most `max_fds` open
    /// files (`ulimit -n`) if given.
    pub fn start_with(args: &[&str], max_fds: Option<u32>) -> Server {
        let port = free_port();
        let mut command = match max_fds {
            // The shell sets the limit, then becomes the server (same pid).
            Some(fds) => {
                let mut shell = Command::new("sh");
                shell
                    .arg("-c")
                    .arg(format!("ulimit -n {fds} && exec \"$0\" \"$@\""))
                    .arg(example_binary());
                shell
            }
            None => Command::new(example_binary()),
        };
        let child = command
            .arg(port.to_string())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the http_hello example");
        let mut server = Server { child, port };
        let deadline = Instant::now() + LIMIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                let (_, stderr) = server.wait_for_exit();
                panic!("http_hello exited ({status}) before accepting: {stderr}");
            }
            assert!(Instant::now() < deadline, "http_hello never accepted");
            thread::sleep(POLL_INTERVAL);
        }
        server
    }

    pub fn connect(&self) -> Client {
        Client::new(TcpStream::connect(("127.0.0.1", self.port)).unwrap())
    }

    /// Sends `request` on a new connection and returns the response, after checking
    /// that the server closes the connection once it has answered.
    pub fn answer_before_close(&self, request: &[u8]) -> Response {
        let mut client = self.connect();
        client.send(request).unwrap();
        let response = client.response().unwrap().expect("a response");
        assert!(
            client.is_closed_by_server(),
            "still open after {response:?}"
        );
        response
    }

    pub fn send_signal(&self, signal: i32) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill has no memory-safety preconditions; `pid` is our child, which
        // has not been waited for (so the id is not reused).
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits (bounded) for the child to exit; returns its status and its stderr.
    pub fn wait_for_exit(&mut self) -> (ExitStatus, String) {
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
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn assert_hello(&self) {
        assert_eq!(self.status, 200, "{self:?}");
        assert_eq!(self.body, b"Hello, World!");
    }

    pub fn says_close(&self) -> bool {
        self.head.contains("\r\nConnection: close\r\n")
    }
}

/// A keep-alive client that reads responses one by one (several may come in one read).
pub struct Client {
    pub stream: TcpStream,
    received: Vec<u8>,
}

impl Client {
    pub fn new(stream: TcpStream) -> Client {
        stream.set_read_timeout(Some(LIMIT)).unwrap();
        Client {
            stream,
            received: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// The next response; `Ok(None)` if the server closed the connection before its
    /// first byte. A response cut short is an `UnexpectedEof` error.
    pub fn response(&mut self) -> io::Result<Option<Response>> {
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
    pub fn is_closed_by_server(&mut self) -> bool {
        matches!(self.response(), Ok(None))
    }

    /// Reads the next response and checks it is the hello.
    pub fn expect_hello(&mut self) {
        self.response()
            .unwrap()
            .expect("a hello response")
            .assert_hello();
    }

    /// Ends the client's side and checks the server answers nothing more: a request
    /// answered twice would leave a response behind.
    pub fn assert_no_more_responses(&mut self) {
        self.stream.shutdown(std::net::Shutdown::Write).unwrap();
        assert!(self.is_closed_by_server());
    }
}
