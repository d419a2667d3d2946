//! `kv` against hostile clients: one that never reads its replies, one that
//! pipelines a gigabyte of replies in 8 KiB of commands, one that sends a command of
//! a million arguments, and ones that break the protocol with more input behind.

use std::io::{self, Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use crate::kv::{Client, command};
use crate::support::{PATIENCE, Server};

const MIB: usize = 1024 * 1024;

/// The value the flooding client asks for, again and again: bigger than the hard
/// limit the test sets, so that one reply the client does not read passes it.
const FLOOD_VALUE: usize = 16 * MIB;
/// The output hard limit and its time, lowered from the defaults (64 MiB, 5 s) to
/// keep the test small and quick.
const HARD_LIMIT: usize = 8 * MIB;
const HARD_SECONDS: &str = "1";
/// The server's resident memory during the flood, at most: the stored value (the
/// replies share it), the value's copy in the input buffer of the `SET` that stored
/// it, and 16 MiB for everything else (the binary, buffers, the allocator's slack).
/// Without the limits it grew by 250 MB a second.
const FLOOD_RSS_BOUND: usize = 2 * FLOOD_VALUE + 16 * MIB;
/// How soon another client's `PING` must be answered while the flood goes on.
const PING_LATENCY: Duration = Duration::from_millis(100);
/// How many `PING`s the other client sends during the flood, at most.
const MAX_PINGS: usize = 100_000;

#[test]
fn kv_a_client_that_never_reads_is_bounded_and_then_dropped() {
    let hard_limit = HARD_LIMIT.to_string();
    let server = Server::start(
        "kv",
        &[
            "--output-hard-limit",
            &hard_limit,
            "--output-hard-seconds",
            HARD_SECONDS,
        ],
    );
    let mut pinger = Client::new(&server);
    pinger.call(&["SET", "b", &"v".repeat(FLOOD_VALUE)], "+OK\r\n");

    let flood_start = Instant::now();
    let flooder = server.connect();
    let flood = thread::spawn(move || flood_until_dropped(flooder));

    let mut worst_ping = Duration::ZERO;
    let mut most_rss = server.rss();
    let mut pings = 0;
    while !flood.is_finished() && pings < MAX_PINGS {
        let start = Instant::now();
        pinger.call(&["PING"], "+PONG\r\n");
        worst_ping = worst_ping.max(start.elapsed());
        most_rss = most_rss.max(server.rss());
        pings += 1;
    }
    let dropped = flood.join().unwrap();
    assert!(dropped, "the flooder was never disconnected");
    let line = server.wait_for_stderr("over the output hard limit");
    eprintln!(
        "flood: {pings} PINGs, the slowest answered in {worst_ping:?}; server RSS at most \
         {} MiB; flooder dropped after {:?}: {line}",
        most_rss / MIB,
        flood_start.elapsed()
    );
    assert!(pings > 0, "no PING was sent during the flood");
    assert!(
        worst_ping < PING_LATENCY,
        "a PING took {worst_ping:?} during the flood"
    );
    assert!(
        most_rss < FLOOD_RSS_BOUND,
        "the server's RSS reached {most_rss} bytes (bound {FLOOD_RSS_BOUND})"
    );
    // The server goes on as before, and counts what it did.
    pinger.call(&["PING"], "+PONG\r\n");
    let summary = server.stop();
    assert!(summary.contains("1 for the output limit"), "{summary}");
}

/// Pipelines `GET b` without ever reading a reply, until the server hangs up (then
/// `true`) or [`PATIENCE`] runs out (`false`).
fn flood_until_dropped(mut flooder: std::net::TcpStream) -> bool {
    let batch = command(&["GET", "b"]).repeat(1000);
    // Once the server stops reading, writes block: time them out and try again, so
    // that the hang-up is noticed.
    flooder
        .set_write_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match flooder.write(&batch) {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn kv_a_gigabyte_of_pipelined_replies_is_never_buffered_at_once() {
    const VALUE: usize = MIB;
    const GETS: usize = 1024;
    /// The value, the soft limit's worth of replies, and slack.
    const RSS_BOUND: usize = 2 * VALUE + 16 * MIB;
    let server = Server::start("kv", &[]);
    let mut client = Client::new(&server);
    client.call(&["SET", "b", &"v".repeat(VALUE)], "+OK\r\n");
    // 8 KiB of commands asking for 1 GiB of replies, all sent before reading any.
    client.send(&command(&["GET", "b"]).repeat(GETS));
    let reply_len = format!("${VALUE}\r\n").len() + VALUE + 2;
    let mut left = GETS * reply_len;
    let mut most_rss = 0;
    let mut buf = vec![0; 256 * 1024];
    while left > 0 {
        let n = client.stream.read(&mut buf).expect("the replies in time");
        assert!(n > 0, "the server closed with {left} bytes of replies left");
        assert!(buf[..n].iter().all(|&b| b"v$1048576\r\n".contains(&b)));
        left = left.checked_sub(n).expect("more bytes than the replies");
        most_rss = most_rss.max(server.rss());
    }
    eprintln!(
        "1 GiB of replies: server RSS at most {} MiB",
        most_rss / MIB
    );
    assert!(
        most_rss < RSS_BOUND,
        "the server's RSS reached {most_rss} bytes (bound {RSS_BOUND})"
    );
    client.call(&["PING"], "+PONG\r\n");
}

#[test]
fn kv_answers_one_command_of_a_million_arguments() {
    const ARGS: usize = 1024 * 1024;
    let server = Server::start("kv", &[]);
    let mut client = Client::new(&server);
    let mut del = format!("*{ARGS}\r\n$3\r\nDEL\r\n").into_bytes();
    del.extend(b"$1\r\nx\r\n".repeat(ARGS - 1));
    client.call(&["SET", "x", "1"], "+OK\r\n");
    // 7 MB: it arrives in hundreds of reads, each continuing the parse.
    client.send(&del);
    client.expect(":1\r\n");
    client.call(&["DBSIZE"], ":0\r\n");
}

#[test]
fn kv_refuses_a_value_over_the_bulk_limit() {
    let server = Server::start("kv", &["--max-bulk-len", "1024"]);
    let mut client = Client::new(&server);
    client.call(&["SET", "k", &"v".repeat(1024)], "+OK\r\n");
    client.send(&command(&["SET", "k", &"v".repeat(1025)]));
    client.expect("-ERR Protocol error: invalid bulk length\r\n");
    assert_closed_cleanly(&mut client);
}

/// A protocol error with more input behind it, the way a pipelining client sends:
/// the client must be able to finish sending, then read the error reply and an
/// orderly end of stream. Closed with that input unread, the server's socket would
/// answer with a reset, failing the client's writes and maybe destroying the reply.
#[test]
fn kv_closes_after_a_protocol_error_without_a_reset() {
    /// More than the kernel buffers of both sides hold, so most of it is sent after
    /// the server has answered.
    const BEHIND: usize = 16 * MIB;
    let server = Server::start("kv", &[]);
    let pings = command(&["PING"]).repeat(64 * 1024 / 14);
    for (bad, error) in [
        (&b"*1\r\n$+4\r\nPING\r\n"[..], "invalid bulk length"),
        (b"*+1\r\n$4\r\nPING\r\n", "invalid multibulk length"),
    ] {
        let mut client = Client::new(&server);
        client.send(bad);
        for _ in 0..BEHIND / pings.len() {
            client.send(&pings);
        }
        client.expect(&format!("-ERR Protocol error: {error}\r\n"));
        assert_closed_cleanly(&mut client);
    }
}

/// Checks that the server ends the connection with end of stream and nothing more.
#[track_caller]
fn assert_closed_cleanly(client: &mut Client) {
    let mut rest = Vec::new();
    client
        .stream
        .read_to_end(&mut rest)
        .expect("an end of stream, not a reset");
    assert!(rest.is_empty(), "more after the error: {rest:?}");
}
