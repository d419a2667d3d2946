//! The loop made visible: a tiny TCP server run with the loop trace on, so you can
//! watch the loop turn as requests arrive. Each client is one task; whatever it sends
//! comes back upper-cased after a 50 ms timer (so timers show up too).
//!
//! Run it with `cargo run --example trace [PORT]` (port 7779 by default), then in
//! another terminal connect with `nc 127.0.0.1 7779` and type a line. The server's
//! stderr shows each tick:
//!
//! - while nobody talks, the last line is `park: epoll_wait(forever: nothing
//!   runnable, no timer)`: the thread sleeps in the kernel, using no CPU;
//! - a client connects: epoll reports the listening socket readable, its waker wakes
//!   the `block_on` future (the accept loop), which accepts and spawns a task;
//! - you type a line: the client's fd turns readable, its task is queued and polled,
//!   it arms a timer, and the loop parks with `epoll_wait(50.0ms: next timer)` (a
//!   little less from the second timer on: the loop learns how late parks return);
//! - the timer fires, the task is polled again and writes the answer.
//!
//! What each line means is explained in `src/runtime/trace.rs`. Any program shows the
//! same trace with `EVLOOP_TRACE=1` in its environment.

use std::io;
use std::time::Duration;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};

/// How long the server "thinks" before answering: long enough to see the timer in
/// the trace, short enough not to notice.
const THINKING: Duration = Duration::from_millis(50);

fn main() -> io::Result<()> {
    let port = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("not a port: {arg}"))
        })?,
        None => 7779,
    };
    let runtime = evloop::Runtime::builder().trace(true).build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        println!("trace: listening on {}", listener.local_addr()?);
        loop {
            let (stream, peer) = listener.accept().await?;
            println!("trace: {peer} connected");
            drop(evloop::spawn(serve(stream)));
        }
    })
}

/// One client: read, think, answer in upper case, until the client closes.
async fn serve(mut stream: TcpStream) {
    let mut buf = [0u8; 1024];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        evloop::time::sleep(THINKING).await;
        buf[..n].make_ascii_uppercase();
        if stream.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
