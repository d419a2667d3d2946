//! `thread_per_core`: one port, served by two runtimes on two threads.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};

use crate::support::Server;

/// Connections to try before giving up on seeing both threads. `SO_REUSEPORT` picks a
/// listener by a hash of each connection's addresses, so with two listeners the chance
/// that this many connections all land on one is 2^-63.
const MAX_CONNECTIONS: usize = 64;
/// Times to ask for the stats before giving up on seeing a closed connection counted.
const MAX_STATS_REQUESTS: usize = 1000;

#[test]
fn thread_per_core_serves_one_port_from_two_runtimes() {
    let server = Server::start("thread_per_core", &["2"]);
    let mut threads = BTreeSet::new();
    for _ in 0..MAX_CONNECTIONS {
        let mut stream = server.connect();
        let mut lines = BufReader::new(stream.try_clone().unwrap());
        let mut greeting = String::new();
        lines.read_line(&mut greeting).expect("a greeting");
        let thread = greeting
            .strip_prefix("served by ")
            .unwrap_or_else(|| panic!("not a greeting: {greeting:?}"))
            .trim_end()
            .to_string();
        stream.write_all(b"ping\n").unwrap();
        let mut echo = String::new();
        lines.read_line(&mut echo).expect("an echo");
        assert_eq!(echo, "ping\n", "{thread} echoes");
        threads.insert(thread);
        if threads.len() == 2 {
            break;
        }
    }
    assert_eq!(
        threads,
        BTreeSet::from(["core-0".to_string(), "core-1".to_string()])
    );
}

#[test]
fn thread_per_core_counts_connections_across_cores() {
    let server = Server::start("thread_per_core", &["2"]);
    let mut connections: Vec<_> = (0..4)
        .map(|_| {
            let stream = server.connect();
            let mut lines = BufReader::new(stream.try_clone().unwrap());
            let mut greeting = String::new();
            lines.read_line(&mut greeting).expect("a greeting");
            (stream, lines)
        })
        .collect();
    let (stream, lines) = &mut connections[0];
    // The harness's own probe connection, made before ours, closes on its own
    // schedule: ask until its close is counted too (each ask is a round trip).
    let mut stats = String::new();
    for _ in 0..MAX_STATS_REQUESTS {
        stream.write_all(b"stats\n").unwrap();
        stats.clear();
        lines.read_line(&mut stats).expect("the stats");
        if stats.starts_with("stats: 4 open (") {
            break;
        }
    }
    // Every connection that was greeted was reported before its greeting.
    assert!(stats.starts_with("stats: 4 open (core-0: "), "{stats:?}");
    assert!(
        stats.ends_with(", 5 served\n"),
        "ours and the probe: {stats:?}"
    );
}
