//! A copy of shared/bench/net/servers/smol-echo: the program whose clean release build
//! bench/build_cost.sh times for smol.

// Single-threaded smol-style echo server: async-executor LocalExecutor + async-io Async<TcpListener>.
use async_executor::LocalExecutor;
use async_io::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use std::net::TcpListener;

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .expect("usage: smol-echo PORT")
        .parse()
        .expect("port");
    let ex = LocalExecutor::new();
    async_io::block_on(ex.run(async {
        let listener = Async::<TcpListener>::bind(([127, 0, 0, 1], port)).expect("bind");
        loop {
            let (mut s, _) = match listener.accept().await {
                Ok(x) => x,
                Err(_) => continue,
            };
            let _ = s.get_ref().set_nodelay(true);
            ex.spawn(async move {
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
            })
            .detach();
        }
    }));
}
