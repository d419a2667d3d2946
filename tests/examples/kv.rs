//! `kv`: a scripted Redis session over a real socket.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{PATIENCE, Server};

/// How often the expiry tests ask again whether a key is gone.
const EXPIRY_POLL: Duration = Duration::from_millis(5);

/// A Redis client that checks each reply byte for byte.
pub struct Client {
    pub stream: TcpStream,
    /// Bytes received and not yet checked.
    received: Vec<u8>,
}

impl Client {
    pub fn new(server: &Server) -> Client {
        Client {
            stream: server.connect(),
            received: Vec::new(),
        }
    }

    /// Sends `args` as one RESP command and checks the reply.
    #[track_caller]
    pub fn call(&mut self, args: &[&str], reply: &str) {
        self.send(&command(args));
        self.expect(reply);
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Reads until `expected.len()` bytes have come and checks them.
    #[track_caller]
    pub fn expect(&mut self, expected: &str) {
        while self.received.len() < expected.len()
            && expected.as_bytes().starts_with(&self.received)
        {
            self.receive();
        }
        let got: Vec<u8> = self
            .received
            .drain(..expected.len().min(self.received.len()))
            .collect();
        assert_eq!(String::from_utf8_lossy(&got), expected);
    }

    /// Sends a command and returns its reply as received: a line, or for a bulk
    /// string two lines.
    pub fn reply(&mut self, args: &[&str]) -> String {
        self.send(&command(args));
        let mut reply = self.line();
        if reply.starts_with('$') && reply != "$-1\r\n" {
            reply += &self.line();
        }
        reply
    }

    /// The next line received, with its `\r\n`.
    fn line(&mut self) -> String {
        loop {
            if let Some(end) = self.received.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.received.drain(..end + 2).collect();
                return String::from_utf8_lossy(&line).into_owned();
            }
            self.receive();
        }
    }

    /// Sends `args` until the reply is `reply`, giving up after [`PATIENCE`].
    #[track_caller]
    fn call_until(&mut self, args: &[&str], reply: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.reply(args) != reply {
            assert!(
                Instant::now() < deadline,
                "{args:?} never answered {reply:?}"
            );
            thread::sleep(EXPIRY_POLL);
        }
    }

    fn receive(&mut self) {
        let mut buf = [0; 4096];
        match self.stream.read(&mut buf).expect("a reply in time") {
            0 => panic!("the server closed the connection"),
            n => self.received.extend_from_slice(&buf[..n]),
        }
    }
}

/// `args` as a RESP array of bulk strings.
pub fn command(args: &[&str]) -> Vec<u8> {
    let mut bytes = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        bytes.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
    }
    bytes
}

#[test]
fn kv_answers_a_scripted_session() {
    let server = Server::start("kv", &[]);
    let mut client = Client::new(&server);
    client.call(&["PING"], "+PONG\r\n");
    client.call(&["ping", "hello"], "$5\r\nhello\r\n");
    client.call(&["ECHO", "a b"], "$3\r\na b\r\n");
    client.call(&["GET", "missing"], "$-1\r\n");
    client.call(&["SET", "k", "v"], "+OK\r\n");
    client.call(&["GET", "k"], "$1\r\nv\r\n");
    client.call(&["SET", "k", "value 2"], "+OK\r\n");
    client.call(&["GET", "k"], "$7\r\nvalue 2\r\n");
    client.call(&["INCR", "n"], ":1\r\n");
    client.call(&["INCR", "n"], ":2\r\n");
    client.call(&["GET", "n"], "$1\r\n2\r\n");
    client.call(
        &["INCR", "k"],
        "-ERR value is not an integer or out of range\r\n",
    );
    client.call(&["DBSIZE"], ":2\r\n");
    client.call(&["DEL", "k", "n", "missing"], ":2\r\n");
    client.call(&["GET", "k"], "$-1\r\n");
    client.call(
        &["GET"],
        "-ERR wrong number of arguments for 'get' command\r\n",
    );
    client.call(
        &["SET", "k", "v", "PX", "0"],
        "-ERR invalid expire time in 'set' command\r\n",
    );
    client.call(&["SET", "k", "v", "XX"], "-ERR syntax error\r\n");
}

#[test]
fn kv_keys_expire() {
    let server = Server::start("kv", &[]);
    let mut client = Client::new(&server);
    client.call(&["SET", "read", "v", "PX", "50"], "+OK\r\n");
    client.call(&["SET", "unread", "v", "PX", "50"], "+OK\r\n");
    // A read past the deadline finds the key gone.
    client.call_until(&["GET", "read"], "$-1\r\n");
    // A key nobody reads goes too: `DBSIZE` counts keys still in the map, expired or
    // not, so this shows the server's expiry timer removed it.
    client.call_until(&["DBSIZE"], ":0\r\n");

    client.call(&["TTL", "missing"], ":-2\r\n");
    client.call(&["EXPIRE", "missing", "100"], ":0\r\n");
    client.call(&["SET", "k", "v"], "+OK\r\n");
    client.call(&["TTL", "k"], ":-1\r\n");
    client.call(&["EXPIRE", "k", "100"], ":1\r\n");
    let ttl = client.reply(&["TTL", "k"]);
    assert!(
        ttl == ":100\r\n" || ttl == ":99\r\n",
        "TTL after EXPIRE 100: {ttl}"
    );
    client.call(&["SET", "k", "v", "EX", "50"], "+OK\r\n");
    let ttl = client.reply(&["TTL", "k"]);
    assert!(
        ttl == ":50\r\n" || ttl == ":49\r\n",
        "TTL after SET EX 50: {ttl}"
    );
    client.call(&["SET", "k", "v"], "+OK\r\n");
    client.call(&["TTL", "k"], ":-1\r\n");
    client.call(&["EXPIRE", "k", "0"], ":1\r\n");
    client.call(&["GET", "k"], "$-1\r\n");
}

#[test]
fn kv_answers_pipelined_commands_in_order() {
    let server = Server::start("kv", &[]);
    let mut client = Client::new(&server);
    let mut batch = Vec::new();
    for args in [
        &["PING"][..],
        &["SET", "p", "1"],
        &["INCR", "p"],
        &["GET", "p"],
    ] {
        batch.extend(command(args));
    }
    client.send(&batch);
    client.expect("+PONG\r\n+OK\r\n:2\r\n$1\r\n2\r\n");

    // More than one read's worth: commands cut across reads are finished by the next.
    const INCRS: usize = 2000;
    let batch: Vec<u8> = (0..INCRS).flat_map(|_| command(&["INCR", "c"])).collect();
    client.send(&batch);
    let replies: String = (1..=INCRS).map(|n| format!(":{n}\r\n")).collect();
    client.expect(&replies);
}

#[test]
fn kv_answers_inline_commands() {
    let server = Server::start("kv", &[]);
    let mut client = Client::new(&server);
    client.send(b"PING\r\n");
    client.expect("+PONG\r\n");
    client.send(b"SET x 5\nINCR x\r\n\r\nGET x\r\n");
    client.expect("+OK\r\n:6\r\n$1\r\n6\r\n");
}

#[test]
fn kv_refuses_unknown_commands_and_broken_protocol() {
    let server = Server::start("kv", &[]);
    let mut client = Client::new(&server);
    client.call(
        &["FLUBBER", "x"],
        "-ERR unknown command 'FLUBBER', with args beginning with: 'x' \r\n",
    );
    client.call(&["PING"], "+PONG\r\n");
    client.send(b"*1\r\n$x\r\n");
    client.expect("-ERR Protocol error: invalid bulk length\r\n");
    let mut rest = Vec::new();
    client.stream.read_to_end(&mut rest).expect("end of stream");
    assert!(rest.is_empty(), "the server closes the connection");
}

#[test]
fn kv_refuses_expiry_times_out_of_range() {
    let server = Server::start("kv", &[]);
    let mut client = Client::new(&server);
    client.call(&["SET", "k", "v"], "+OK\r\n");
    let far = i64::MAX.to_string();
    client.call(
        &["SET", "a", "v", "EX", &far],
        "-ERR invalid expire time in 'set' command\r\n",
    );
    client.call(
        &["SET", "a", "v", "PX", "+5"],
        "-ERR invalid expire time in 'set' command\r\n",
    );
    client.call(
        &["EXPIRE", "k", &far],
        "-ERR invalid expire time in 'expire' command\r\n",
    );
    client.call(
        &["EXPIRE", "k", "9223372036854775808"],
        "-ERR value is not an integer or out of range\r\n",
    );
    client.call(&["TTL", "k"], ":-1\r\n");
    client.call(&["GET", "k"], "$1\r\nv\r\n");
}
