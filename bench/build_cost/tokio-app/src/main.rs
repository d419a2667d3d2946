//! A copy of shared/bench/net/servers/tokio-echo: the program whose clean release build
//! bench/build_cost.sh times for tokio.

// Single-threaded tokio echo server: spawn per connection, 4 KiB buffer, write_all back.
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .expect("usage: tokio-echo PORT")
        .parse()
        .expect("port");
    let listener = TcpListener::bind(std::net::SocketAddr::from(([127, 0, 0, 1], port))).await?;
    loop {
        let (mut s, _) = match listener.accept().await {
            Ok(x) => x,
            Err(_) => continue,
        };
        let _ = s.set_nodelay(true);
        tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            loop {
                let n = match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if s.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        });
    }
}
