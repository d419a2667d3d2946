//! tokio's `examples/proxy.rs`, ported to evloop: accepts clients and connects each to
//! a server, copying bytes both ways with `copy_bidirectional`. The port changed four
//! lines of code, all names: the two `use` lines of tokio's crate, the `main` attribute
//! and the `spawn` call (see `docs/from-tokio.md`). As in tokio's program, a server
//! that refuses a connection ends the proxy with that error.
//!
//! Run `cargo run --example from_tokio_echo` in one terminal, then
//! `cargo run --example from_tokio_proxy [LISTEN_ADDRESS] [SERVER_ADDRESS]`
//! (127.0.0.1:8081 and 127.0.0.1:8080 by default) in another, and `nc 127.0.0.1 8081`.

// Kept as in tokio's example, so that the diff against it holds only what evloop needs.
#![allow(clippy::uninlined_format_args)]

use evloop::io::copy_bidirectional;
use evloop::net::{TcpListener, TcpStream};

use futures::FutureExt;
use std::env;
use std::error::Error;

#[evloop::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // Where to listen, and where to forward to.
    let listen_addr = env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_string());
    let server_addr = env::args()
        .nth(2)
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());

    println!("Listening on: {}", listen_addr);
    println!("Proxying to: {}", server_addr);

    let listener = TcpListener::bind(listen_addr).await?;

    while let Ok((mut inbound, _)) = listener.accept().await {
        let mut outbound = TcpStream::connect(server_addr.clone()).await?;

        // The two streams move into the task; each direction's end of stream is passed
        // on as a shutdown of the other stream's write side.
        evloop::spawn(async move {
            copy_bidirectional(&mut inbound, &mut outbound)
                .map(|r| {
                    if let Err(e) = r {
                        println!("Failed to transfer; error={}", e);
                    }
                })
                .await
        });
    }

    Ok(())
}
