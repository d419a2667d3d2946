//! `timers`: an echo server that closes connections idle for too long.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::support::Server;

/// The idle limit the server is started with.
const IDLE: Duration = Duration::from_millis(300);

#[test]
fn timers_closes_an_idle_connection_after_the_idle_time() {
    let server = Server::start("timers", &["0.3"]);
    let mut client = server.connect();
    // The server's idle timer starts after it has read and echoed this message, so
    // after this instant: the one lower bound the client can take. (Taken after the
    // echo arrives, it would be late by the echo's trip, and a timer that fires on
    // time could look early.)
    let sent_at = Instant::now();
    client.write_all(b"ping").unwrap();
    let mut echo = [0; 4];
    client.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"ping");
    let mut goodbye = String::new();
    // Blocks until the server closes (the read timeout bounds it).
    client.read_to_string(&mut goodbye).unwrap();
    assert!(
        sent_at.elapsed() >= IDLE,
        "closed early: {:?} after the last message was sent",
        sent_at.elapsed()
    );
    assert_eq!(goodbye, "idle for too long, goodbye\n");
}

#[test]
fn timers_keeps_a_connection_that_stays_active() {
    let server = Server::start("timers", &["0.3"]);
    let mut client = server.connect();
    let started = Instant::now();
    // Ten messages, 100 ms apart: every read comes well within the idle time, so the
    // connection outlives three idle periods. The pauses are the scenario itself.
    for i in 0..10u8 {
        client.write_all(&[b'a' + i]).unwrap();
        let mut echo = [0; 1];
        client.read_exact(&mut echo).unwrap();
        assert_eq!(echo[0], b'a' + i);
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(started.elapsed() > IDLE * 3);
}
