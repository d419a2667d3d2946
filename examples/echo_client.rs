//! A client for the `echo` example: sends a few lines to the server, one at a time,
//! and prints each reply next to what was sent.
//!
//! Run the server first (`cargo run --release --example echo`), then
//! `cargo run --release --example echo_client [HOST:PORT]`.

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::TcpStream;

#[evloop::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7778".into());
    let mut stream = TcpStream::connect(addr.as_str()).await?;
    stream.set_nodelay(true)?;
    for line in ["hello, evloop", "one thread, many tasks", "bye"] {
        stream.write_all(line.as_bytes()).await?;
        let mut reply = vec![0; line.len()];
        stream.read_exact(&mut reply).await?;
        println!("{line} -> {}", String::from_utf8_lossy(&reply));
    }
    Ok(())
}
