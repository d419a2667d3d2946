//! `from_tokio_echo`, `from_tokio_proxy` and `from_tokio_chat`, tokio's examples ported
//! to evloop, talked to by real clients: directly, and through the proxy.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;

use std::time::Duration;

use crate::support::{PATIENCE, Server};

/// How long alice listens for bob before he speaks again, while she may not be in the
/// room yet; and how many times he tries.
const SYNC_WAIT: Duration = Duration::from_millis(50);
const SYNC_ATTEMPTS: u32 = 200;

/// Sends `request` on a new connection to `server`, half-closes, and returns all the
/// server sends back until it closes.
fn exchange(server: &Server, request: &[u8]) -> Vec<u8> {
    let mut stream = server.connect();
    stream.write_all(request).expect("send");
    stream.shutdown(Shutdown::Write).expect("half-close");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("the reply, in time");
    reply
}

#[test]
fn the_ported_echo_server_echoes_every_byte() {
    let echo = Server::start_on_address("from_tokio_echo", &[]);
    let request: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
    assert_eq!(exchange(&echo, &request), request);
    // Several clients at once, each served by its own task.
    let clients: Vec<_> = (0..8u8)
        .map(|n| (echo.connect(), vec![n; 10_000]))
        .collect();
    for (mut stream, data) in clients {
        stream.write_all(&data).unwrap();
        stream.shutdown(Shutdown::Write).unwrap();
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).unwrap();
        assert_eq!(reply, data);
    }
}

#[test]
fn the_ported_proxy_relays_to_the_echo_server_and_back() {
    let echo = Server::start_on_address("from_tokio_echo", &[]);
    let proxy = Server::start_on_address("from_tokio_proxy", &[&echo.address()]);
    let request = b"through the proxy and back\n".repeat(5_000);
    // The client's half-close travels through the proxy to the echo server, whose
    // end of stream travels back: both directions finish.
    assert_eq!(exchange(&proxy, &request), request);
    assert_eq!(exchange(&proxy, b"again"), b"again");
}

/// A client of the ported chat: a socket and a line reader on it.
struct ChatClient {
    stream: std::net::TcpStream,
    lines: BufReader<std::net::TcpStream>,
}

/// Lines a chat client reads past, at most, looking for the one it expects.
const MAX_LINES_SKIPPED: usize = 1000;

impl ChatClient {
    /// Connects and gives its name.
    fn join(server: &Server, name: &str) -> ChatClient {
        let stream = server.connect();
        let mut client = ChatClient {
            lines: BufReader::new(stream.try_clone().unwrap()),
            stream,
        };
        assert_eq!(client.line(), "Please enter your username:");
        client.say(name);
        client
    }

    fn say(&mut self, line: &str) {
        self.stream
            .write_all(format!("{line}\n").as_bytes())
            .unwrap();
    }

    /// The next line, without its line end.
    fn line(&mut self) -> String {
        let mut line = String::new();
        assert!(self.lines.read_line(&mut line).expect("a line in time") > 0);
        line.trim_end().to_string()
    }

    /// Reads until `expected`, skipping what came before it (bounded).
    #[track_caller]
    fn line_until(&mut self, expected: &str) {
        for _ in 0..MAX_LINES_SKIPPED {
            if self.line() == expected {
                return;
            }
        }
        panic!("never got {expected:?}");
    }
}

#[test]
fn the_ported_chat_relays_lines_and_announces_who_leaves() {
    let chat = Server::start_on_address("from_tokio_chat", &[]);
    let mut alice = ChatClient::join(&chat, "alice");
    let mut bob = ChatClient::join(&chat, "bob");
    // tokio's chat does not acknowledge a name, so alice may not be in the room yet
    // (and may have missed bob's arrival). Bob talks until she hears him.
    let mut heard = false;
    alice.stream.set_read_timeout(Some(SYNC_WAIT)).unwrap();
    for attempt in 0..SYNC_ATTEMPTS {
        bob.say(&format!("are you there? {attempt}"));
        let mut line = String::new();
        if matches!(alice.lines.read_line(&mut line), Ok(1..)) {
            heard = true;
            break;
        }
    }
    assert!(heard, "alice never joined the room");
    alice.stream.set_read_timeout(Some(PATIENCE)).unwrap();
    // Both are in the room from here on, and every line arrives in order.
    bob.say("hi alice");
    alice.line_until("bob: hi alice");
    alice.say("hello bob");
    bob.line_until("alice: hello bob");
    bob.stream.shutdown(Shutdown::Both).unwrap();
    alice.line_until("bob has left the chat");
}
