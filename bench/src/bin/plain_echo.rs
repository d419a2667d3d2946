//! evloop's echo server with exactly the peers' handler logic, for `bench/net.sh`.
//!
//! The `echo` example upper-cases what it reads; the harness's tokio, smol and C
//! servers echo bytes unchanged. Upper-casing 4 KiB costs this machine 0.15-0.2 µs
//! per round trip, about as much as evloop's own code spends on it, so the ratios
//! against the peers are taken with this server: 4 KiB buffer per connection, read,
//! write everything back, nothing else. The `echo` example stays in the table as its
//! own row.
//!
//! ```text
//! plain_echo PORT
//! ```

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};

#[evloop::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "usage: plain_echo PORT")
        })?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => drop(evloop::spawn(serve(stream))),
            Err(error) => eprintln!("plain_echo: accept failed: {error}"),
        }
    }
}

/// One client: read, write the same bytes back, until the client closes.
async fn serve(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if stream.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
