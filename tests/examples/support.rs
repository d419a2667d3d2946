//! Starting an example as a child process on a free port, and stopping it.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// How long a test waits for any one thing: a server to accept, a reply, a program to
/// finish. Only reached when something is broken.
pub const PATIENCE: Duration = Duration::from_secs(20);
/// How often to retry connecting to a server that is still starting.
const CONNECT_RETRY: Duration = Duration::from_millis(10);
/// Attempts at starting a server, each on a fresh port, in case another process takes
/// the port between our probe and the server's bind.
const START_ATTEMPTS: usize = 3;

/// The example binary `name`, next to this test's binary: the test runs as
/// `target/<profile>/deps/examples-<hash>`, the examples are in
/// `target/<profile>/examples/`.
pub fn example_path(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(Path::parent)
        .expect("the test binary is in target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} does not exist: build the examples first (`cargo test` does, \
         `cargo test --test examples` alone does not; run `cargo build --examples`)",
        path.display()
    );
    path
}

/// A running example server, killed when dropped, so a failing test leaves none
/// behind.
pub struct Server {
    child: Child,
    port: u16,
    /// Every line the server has written to stderr so far.
    stderr: Arc<Lines>,
}

impl Server {
    /// Starts the example `name` with a free port as its first argument and `args`
    /// after it, and returns once it accepts connections.
    #[track_caller]
    pub fn start(name: &str, args: &[&str]) -> Server {
        Server::start_with(name, |port| port.to_string(), args)
    }

    /// Starts the example `name` with `127.0.0.1:PORT` (a free port) as its first
    /// argument, as tokio's examples take it, and `args` after it.
    #[track_caller]
    pub fn start_on_address(name: &str, args: &[&str]) -> Server {
        Server::start_with(name, |port| format!("127.0.0.1:{port}"), args)
    }

    /// The address the server listens on.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    #[track_caller]
    fn start_with(name: &str, listen_arg: impl Fn(u16) -> String, args: &[&str]) -> Server {
        let path = example_path(name);
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let mut child = Command::new(&path)
                .arg(listen_arg(port))
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
            let stderr = forward_stderr(&mut child);
            let mut server = Server {
                child,
                port,
                stderr,
            };
            if server.wait_until_accepting() {
                return server;
            }
        }
        panic!("{name} exited before accepting a connection, {START_ATTEMPTS} times");
    }

    /// Connects until the server accepts, or returns false if it exited (its port may
    /// have been taken). Panics if it neither accepts nor exits in time.
    fn wait_until_accepting(&mut self) -> bool {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match TcpStream::connect(("127.0.0.1", self.port)) {
                Ok(_probe) => return true,
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {}
                Err(e) => panic!("connecting to the server: {e}"),
            }
            if self.child.try_wait().expect("the child's status").is_some() {
                return false;
            }
            assert!(Instant::now() < deadline, "the server does not accept");
            thread::sleep(CONNECT_RETRY);
        }
    }

    /// A new connection to the server, with reads and writes that give up after
    /// [`PATIENCE`].
    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream.set_write_timeout(Some(PATIENCE)).unwrap();
        stream
    }

    /// The server's resident memory (`VmRSS` in `/proc/<pid>/status`), in bytes.
    pub fn rss(&self) -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let kib: usize = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().strip_suffix("kB"))
            .and_then(|kib| kib.trim().parse().ok())
            .expect("a VmRSS line");
        kib * 1024
    }

    /// Waits (up to [`PATIENCE`]) for a line of the server's stderr that contains
    /// `text`, and returns it.
    #[track_caller]
    pub fn wait_for_stderr(&self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut lines = self.stderr.lines.lock().unwrap();
        loop {
            if let Some(line) = lines.iter().find(|line| line.contains(text)) {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "the server never wrote {text:?} on stderr");
            lines = self.stderr.added.wait_timeout(lines, left).unwrap().0;
        }
    }

    /// Stops the server with `SIGTERM`, checks that it exits with success in time,
    /// and returns the last line it wrote on stderr.
    #[track_caller]
    pub fn stop(mut self) -> String {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill has no memory-safety preconditions; `pid` is our child, not yet
        // waited for, so the id is not reused.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                break status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            thread::sleep(CONNECT_RETRY);
        };
        assert!(status.success(), "the server failed: {status}");
        self.wait_for_stderr("stopping")
    }
}

// Only the hyper tests (feature `hyper`) watch a server's memory and signal it.
#[cfg_attr(not(feature = "hyper"), allow(dead_code))]
impl Server {
    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends the server `signal` (e.g. `libc::SIGTERM`).
    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid fits pid_t");
        // SAFETY: kill(2) only sends a signal; the pid is our own child, not yet reaped
        // (it is reaped in `wait` or `drop`), so it cannot name another process.
        let sent = unsafe { libc::kill(pid, signal) };
        assert_eq!(sent, 0, "kill: {}", io::Error::last_os_error());
    }

    /// Waits for the server to exit, failing the test after [`PATIENCE`].
    pub fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            thread::sleep(CONNECT_RETRY);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines a child wrote on stderr, and a signal for each new one.
#[derive(Default)]
struct Lines {
    lines: Mutex<Vec<String>>,
    added: Condvar,
}

/// Copies the child's error output to the test's, which the test harness captures
/// (threads inherit the capture) and shows only if the test fails, and keeps the
/// lines for the test to look at.
fn forward_stderr(child: &mut Child) -> Arc<Lines> {
    let stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
    let lines = Arc::new(Lines::default());
    let kept = lines.clone();
    thread::spawn(move || {
        for line in stderr.lines() {
            let Ok(line) = line else { return };
            eprintln!("{line}");
            kept.lines.lock().unwrap().push(line);
            kept.added.notify_all();
        }
    });
    lines
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().unwrap().port()
}

/// Runs the example `name` to completion and returns its standard output, checking
/// that it exits with success in time.
pub fn run_to_completion(name: &str) -> String {
    run_with_args(name, &[])
}

/// [`run_to_completion`] with arguments.
pub fn run_with_args(name: &str, args: &[&str]) -> String {
    run(name, args, None)
}

/// [`run_to_completion`] with `input` on the example's stdin, closed after it.
pub fn run_with_input(name: &str, input: &[u8]) -> String {
    run(name, &[], Some(input.to_vec()))
}

/// Runs the example `name` with `args`, and `input` on its stdin if there is one (else
/// no stdin); returns its standard output once it has exited with success.
fn run(name: &str, args: &[&str], input: Option<Vec<u8>>) -> String {
    let stdin = if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    };
    let mut child = Command::new(example_path(name))
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the example");
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // A thread of its own, so that an example that writes before it has read
        // everything cannot deadlock with this one.
        thread::spawn(move || stdin.write_all(&input));
    }
    let mut stdout = child.stdout.take().unwrap();
    let (done, output) = mpsc::channel();
    thread::spawn(move || {
        let mut text = String::new();
        let read = io::Read::read_to_string(&mut stdout, &mut text);
        let _ = done.send(read.map(|_| text));
    });
    let Ok(text) = output.recv_timeout(PATIENCE) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{name} did not finish in {PATIENCE:?}");
    };
    let status = child.wait().expect("wait for the example");
    assert!(status.success(), "{name} failed: {status}");
    text.expect("read the example's output")
}
