//! The textbook epoll server, rebuilt on evloop: listens on 127.0.0.1:7778 (or the port
//! given as the first argument), upper-cases whatever each client sends, and writes it
//! back. Any number of clients; each is one task.
//!
//! Run with `cargo run --release --example echo [PORT]`, then talk to it with
//! `cargo run --release --example echo_client` or `nc 127.0.0.1 7778`.

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};

#[evloop::main]
async fn main() -> std::io::Result<()> {
    let port = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("not a port: {arg}"),
            )
        })?,
        None => 7778,
    };
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("echo: listening on {}", listener.local_addr()?);
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => drop(evloop::spawn(serve(stream))),
            // Out of file descriptors, or the like: the listener waits for one to be
            // freed before it tries again, so just carry on.
            Err(error) => eprintln!("echo: accept failed: {error}"),
        }
    }
}

/// One client: read, upper-case, write back, until the client closes.
async fn serve(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf[..n].make_ascii_uppercase();
        if stream.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
