//! tokio's `examples/echo.rs`, ported to evloop: an echo server that writes back
//! whatever each client sends. The port changed four lines of code, all names: the two
//! `use` lines, the `main` attribute and the `spawn` call (see `docs/from-tokio.md`);
//! everything else is tokio's program as it was, so it panics inside a connection's
//! task on a read or write error, as tokio's does (evloop reports a detached task's
//! panic on stderr, and the server goes on).
//!
//! Run with `cargo run --example from_tokio_echo [ADDRESS]` (127.0.0.1:8080 by
//! default), then `nc 127.0.0.1 8080` and type.

// Kept as in tokio's example, so that the diff against it holds only what evloop needs.
#![allow(clippy::uninlined_format_args)]

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::TcpListener;

use std::env;
use std::error::Error;

#[evloop::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // The address to listen on: the first argument, or 127.0.0.1:8080.
    let addr = env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());

    let listener = TcpListener::bind(&addr).await?;
    println!("Listening on: {}", addr);

    loop {
        let (mut socket, _) = listener.accept().await?;

        // One task per connection. It need not be Send, though this one happens to be:
        // every task runs on this thread.
        evloop::spawn(async move {
            let mut buf = vec![0; 1024];

            loop {
                let n = socket
                    .read(&mut buf)
                    .await
                    .expect("failed to read data from socket");

                // End of stream: the client closed its side.
                if n == 0 {
                    return;
                }

                socket
                    .write_all(&buf[0..n])
                    .await
                    .expect("failed to write data to socket");
            }
        });
    }
}
