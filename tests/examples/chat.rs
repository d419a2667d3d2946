//! `chat`: clients on real sockets, relaying through the server.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;

use crate::support::{PATIENCE, Server};

/// The most a flooding client sends while waiting for a slow one to be dropped: far
/// more than the kernel buffers plus the server's outbox hold.
const FLOOD_LIMIT: usize = 64 * 1024 * 1024;
/// Lines the flooding client may send ahead of what a reading client has read: fewer
/// than the server queues for a client before dropping it (64).
const WINDOW: usize = 16;

/// A chat client: a socket and a line reader on it.
struct Client {
    stream: TcpStream,
    lines: BufReader<TcpStream>,
}

impl Client {
    /// Connects and answers the name prompt, without waiting for the welcome.
    fn join(server: &Server, name: &str) -> Client {
        let stream = server.connect();
        let mut client = Client {
            lines: BufReader::new(stream.try_clone().unwrap()),
            stream,
        };
        assert!(client.line().starts_with("Welcome"), "a name prompt");
        client.say(name);
        client
    }

    fn say(&mut self, line: &str) {
        self.stream
            .write_all(format!("{line}\n").as_bytes())
            .expect("send");
    }

    /// The next line from the server, without its `\n`.
    fn line(&mut self) -> String {
        let mut line = String::new();
        let n = self.lines.read_line(&mut line).expect("a line in time");
        assert!(n > 0, "the server closed the connection");
        line.trim_end_matches('\n').to_string()
    }
}

#[test]
fn chat_relays_lines_with_names_and_announces_who_comes_and_goes() {
    let server = Server::start("chat", &[]);
    let mut alice = Client::join(&server, "alice");
    assert_eq!(alice.line(), "* welcome, alice; nobody else is here yet");
    let mut bob = Client::join(&server, "bob");
    assert_eq!(bob.line(), "* welcome, bob; here: alice");
    assert_eq!(alice.line(), "* bob joined");

    bob.say("hi alice");
    assert_eq!(alice.line(), "bob: hi alice");
    alice.say("hello bob");
    assert_eq!(bob.line(), "alice: hello bob");

    bob.stream.shutdown(Shutdown::Both).unwrap();
    assert_eq!(alice.line(), "* bob left");
}

#[test]
fn chat_drops_a_client_that_does_not_read_and_the_others_miss_nothing() {
    let server = Server::start("chat", &[]);
    let mut alice = Client::join(&server, "alice");
    alice.line();
    let mut bob = Client::join(&server, "bob");
    bob.line();
    assert_eq!(alice.line(), "* bob joined");
    // Carol joins and then never reads.
    let _carol = Client::join(&server, "carol");
    assert_eq!(alice.line(), "* carol joined");
    assert_eq!(bob.line(), "* carol joined");

    // Alice floods until Bob hears that Carol was dropped, then says "done". She keeps
    // at most `WINDOW` lines ahead of what Bob has read (he hands her a credit for each
    // line), so Bob, who reads, is never the slow one, however the threads are
    // scheduled; Carol falls behind by all of it.
    let (credit, credits) = mpsc::channel();
    for _ in 0..WINDOW {
        credit.send(()).unwrap();
    }
    let carol_left = Arc::new(AtomicBool::new(false));
    let flood = {
        let carol_left = carol_left.clone();
        let mut stream = alice.stream.try_clone().unwrap();
        let padding = "x".repeat(1000);
        thread::spawn(move || {
            let mut sent = 0;
            let mut bytes = 0;
            while !carol_left.load(Ordering::Relaxed) && bytes < FLOOD_LIMIT {
                credits.recv_timeout(PATIENCE).expect("bob reads on");
                let line = format!("{sent} {padding}\n");
                stream.write_all(line.as_bytes()).expect("flood");
                sent += 1;
                bytes += line.len();
            }
            stream.write_all(b"done\n").expect("send");
            sent
        })
    };
    let mut received = 0;
    loop {
        let line = bob.line();
        if line == "* carol left" {
            carol_left.store(true, Ordering::Relaxed);
        } else if line == "alice: done" {
            break;
        } else {
            let expected = format!("alice: {received} ");
            assert!(
                line.starts_with(&expected),
                "{line:.30} is not {expected}..."
            );
            received += 1;
            // Alice may have stopped waiting for credits.
            let _ = credit.send(());
        }
    }
    let sent = flood.join().unwrap();
    assert!(
        carol_left.load(Ordering::Relaxed),
        "carol was not dropped after {sent} lines"
    );
    assert_eq!(received, sent, "bob got every line alice sent");
    assert_eq!(alice.line(), "* carol left");
}
