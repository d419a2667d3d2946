//! A key-value server that speaks a subset of the Redis protocol (RESP2): `PING`,
//! `ECHO`, `SET key value [EX seconds | PX milliseconds]`, `GET`, `DEL`, `INCR`,
//! `EXPIRE`, `TTL`, `DBSIZE` and `CONFIG GET`, enough for `redis-cli` and
//! `redis-benchmark`.
//!
//! What it teaches: state shared by every connection on one thread with
//! `Rc<RefCell<..>>` and no lock; keys that expire on evloop timers (`store.rs`);
//! pipelining, where a client sends many commands before reading any reply and the
//! server answers a turn's worth with one write; a wire protocol parsed straight from
//! the read buffer, keeping its place in a command that arrives in pieces
//! (`resp.rs`); and a server that holds up against clients that are slow, greedy or
//! hostile: bounded values and commands, a bound on the replies a client may leave
//! unread, and a bounded share of the loop per turn (`connection.rs`), with big
//! values sent from the store's own bytes rather than copied (`output.rs`).
//!
//! Run with `cargo run --release --example kv [PORT]` (port 6380 by default), then
//! `redis-cli -p 6380`, `redis-benchmark -p 6380 -t set,get -q`, or
//! `nc 127.0.0.1 6380` and type `PING`. The limits have flags (`--help` lists
//! them; `config.rs` explains each). Ctrl-C or `SIGTERM` stops it, printing what
//! it did.

#[path = "../shared/args.rs"]
mod args;
mod commands;
mod config;
mod connection;
#[path = "../shared/counter.rs"]
mod counter;
#[path = "../shared/linger.rs"]
mod linger;
mod number;
mod output;
mod reply;
mod resp;
mod stats;
#[path = "../shared/stop.rs"]
mod stop;
mod store;

use std::cell::RefCell;
use std::io;
use std::rc::Rc;

use evloop::net::TcpListener;

use config::Config;
use connection::Shared;
use stop::{accept_or_stop, stop_signals};
use store::Store;

#[evloop::main]
async fn main() -> io::Result<()> {
    let config = Config::from_args(std::env::args().skip(1))?;
    let mut signals = stop_signals()?;
    let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
    println!("kv: listening on {}", listener.local_addr()?);
    let store = Rc::new(RefCell::new(Store::default()));
    drop(evloop::spawn(store::expire_keys(store.clone())));
    let shared = Rc::new(Shared {
        store,
        config,
        stats: Default::default(),
    });
    while let Some(accepted) = accept_or_stop(&listener, &mut signals).await {
        match accepted {
            Ok(stream) => drop(evloop::spawn(connection::serve(stream, shared.clone()))),
            // Out of file descriptors, or the like: the listener waits for one to be
            // freed before it tries again, so just carry on.
            Err(error) => eprintln!("kv: accept failed: {error}"),
        }
    }
    // Returning drops the runtime, and with it every connection.
    eprintln!("kv: stopping; {}", shared.stats);
    Ok(())
}
