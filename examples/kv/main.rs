//! A key-value server that speaks a subset of the Redis protocol (RESP2): `PING`,
//! `ECHO`, `SET key value [EX seconds | PX milliseconds]`, `GET`, `DEL`, `INCR`,
//! `EXPIRE`, `TTL`, `DBSIZE` and `CONFIG GET`, enough for `redis-cli` and
//! `redis-benchmark`.
//!
//! What it teaches: state shared by every connection on one thread with
//! `Rc<RefCell<..>>` and no lock; keys that expire on evloop timers (`store.rs`);
//! pipelining, where a client sends many commands before reading any reply and the
//! server answers all it has read with one write (`serve` below); and a wire protocol
//! parsed straight from the read buffer (`resp.rs`).
//!
//! Run with `cargo run --release --example kv [PORT]` (port 6380 by default), then
//! `redis-cli -p 6380`, `redis-benchmark -p 6380 -t set,get -q`, or
//! `nc 127.0.0.1 6380` and type `PING`.

mod commands;
mod resp;
mod store;

use std::cell::RefCell;
use std::io;
use std::rc::Rc;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};

use store::Store;

/// How many bytes each read asks for. The buffer grows by this much when a command
/// is longer.
const READ_CHUNK: usize = 16 * 1024;

#[evloop::main]
async fn main() -> io::Result<()> {
    let port = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("not a port: {arg}"))
        })?,
        None => 6380,
    };
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("kv: listening on {}", listener.local_addr()?);
    let store = Rc::new(RefCell::new(Store::default()));
    drop(evloop::spawn(store::expire_keys(store.clone())));
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => drop(evloop::spawn(serve(stream, store.clone()))),
            Err(error) => eprintln!("kv: accept failed: {error}"),
        }
    }
}

/// One client: read whatever has arrived, answer every whole command in it, write all
/// the answers at once, repeat.
async fn serve(mut stream: TcpStream, store: Rc<RefCell<Store>>) {
    let _ = stream.set_nodelay(true);
    // Bytes read: `buf[start..filled]` have not been parsed yet.
    let mut buf = vec![0; READ_CHUNK];
    let mut start = 0;
    let mut filled = 0;
    let mut out = Vec::new();
    loop {
        if buf.len() - filled < READ_CHUNK {
            buf.resize(filled + READ_CHUNK, 0);
        }
        match stream.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => filled += n,
        }
        // Answer every whole command read so far. A pipelining client may have sent
        // hundreds; the last one may be cut short and waits for the next read.
        let mut closing = false;
        {
            let mut store = store.borrow_mut();
            let mut args = Vec::new();
            loop {
                match resp::parse_command(&buf[start..filled], &mut args) {
                    Ok(Some(used)) => {
                        start += used;
                        commands::execute(&mut store, &args, &mut out);
                    }
                    Ok(None) => break,
                    Err(resp::ProtocolError(message)) => {
                        resp::error(&mut out, &format!("ERR Protocol error: {message}"));
                        closing = true;
                        break;
                    }
                }
            }
        }
        if !out.is_empty() {
            if stream.write_all(&out).await.is_err() {
                return;
            }
            out.clear();
        }
        if closing {
            return;
        }
        // Move the unparsed tail to the front, so that the buffer only grows for a
        // command that does not fit.
        buf.copy_within(start..filled, 0);
        filled -= start;
        start = 0;
    }
}
