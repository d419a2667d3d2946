//! `from_tokio_echo` and `from_tokio_proxy`, tokio's examples ported to evloop, talked
//! to by real clients: directly, and through the proxy.

use std::io::{Read, Write};
use std::net::Shutdown;

use crate::support::Server;

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
