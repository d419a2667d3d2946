//! tokio's `examples/chat.rs`, ported to evloop: a line-based chat room. A client
//! first sends its name; after that, every line it sends goes to every other client,
//! and the room hears who joins and leaves.
//!
//! The port keeps tokio's design: the shared state is a `Mutex` around a map from
//! address to an unbounded channel, one per client; each client's task reads lines
//! from its socket through tokio-util's `Framed` with `LinesCodec` and writes what
//! arrives on its channel. What had to change (see `docs/from-tokio.md`):
//!
//! - `tokio::sync::{mpsc, Mutex}` became `evloop::sync::{mpsc, Mutex}`, and the
//!   `Arc` around the state an `Rc`: evloop's primitives are for tasks on one thread;
//! - `Framed` needs tokio's io traits, so the stream goes in through tokio-util's
//!   compat adapter (`stream.compat()`), and the peer address is one `get_ref` deeper;
//! - `tokio::select!` became `futures::select!`, whose futures must be fused;
//! - `tokio_stream::StreamExt` became `futures::StreamExt`, and the `tracing` logs
//!   became `println!`/`eprintln!` (evloop has no tracing integration).
//!
//! Run with `cargo run --example from_tokio_chat [ADDRESS]` (127.0.0.1:6142 by
//! default), then `nc 127.0.0.1 6142` from two terminals.

// Kept as in tokio's example, so that the diff against it holds only what evloop needs.
#![allow(clippy::uninlined_format_args, clippy::collapsible_if)]

use evloop::net::{TcpListener, TcpStream};
use evloop::sync::{Mutex, mpsc};
use futures::{FutureExt, SinkExt, StreamExt};
use tokio_util::codec::{Framed, LinesCodec};
use tokio_util::compat::{Compat, FuturesAsyncReadCompatExt};

use std::collections::HashMap;
use std::env;
use std::error::Error;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

const DEFAULT_ADDR: &str = "127.0.0.1:6142";

#[evloop::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // The room, shared by every client's task.
    let state = Rc::new(Mutex::new(Shared::new()));

    let addr = env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_ADDR.to_string());

    let listener = TcpListener::bind(&addr).await?;

    println!("server running on {}", addr);

    loop {
        let (stream, addr) = listener.accept().await?;

        let state = Rc::clone(&state);

        // One task per client.
        evloop::spawn(async move {
            if let Err(e) = process(state, stream, addr).await {
                eprintln!("Connection from {} failed: {:?}", addr, e);
            }
        });
    }
}

/// The sending half of a client's channel.
type Tx = mpsc::UnboundedSender<String>;

/// The receiving half of a client's channel.
type Rx = mpsc::UnboundedReceiver<String>;

/// Every client's channel, by address.
struct Shared {
    peers: HashMap<SocketAddr, Tx>,
}

/// One client: its socket, line by line, and its channel from the others.
struct Peer {
    lines: Framed<Compat<TcpStream>, LinesCodec>,

    rx: Rx,
}

impl Shared {
    fn new() -> Self {
        Shared {
            peers: HashMap::new(),
        }
    }

    /// Sends `message` to every client but `sender`, and forgets those whose task has
    /// ended.
    async fn broadcast(&mut self, sender: SocketAddr, message: &str) {
        let mut failed_peers = Vec::new();
        let message = message.to_string();

        for (addr, tx) in self.peers.iter() {
            if *addr != sender {
                if tx.send(message.clone()).is_err() {
                    failed_peers.push(*addr);
                }
            }
        }

        for addr in failed_peers {
            self.peers.remove(&addr);
            eprintln!("Removed disconnected peer: {}", addr);
        }
    }
}

impl Peer {
    /// Registers a client in the room.
    async fn new(
        state: Rc<Mutex<Shared>>,
        lines: Framed<Compat<TcpStream>, LinesCodec>,
    ) -> io::Result<Peer> {
        let addr = lines.get_ref().get_ref().peer_addr()?;

        let (tx, rx) = mpsc::unbounded_channel();

        state.lock().await.peers.insert(addr, tx);

        Ok(Peer { lines, rx })
    }
}

/// One client's whole life: name, join, chat, leave.
async fn process(
    state: Rc<Mutex<Shared>>,
    stream: TcpStream,
    addr: SocketAddr,
) -> Result<(), Box<dyn Error>> {
    let mut lines = Framed::new(stream.compat(), LinesCodec::new());

    lines.send("Please enter your username:").await?;

    let username = match lines.next().await {
        Some(Ok(line)) => line,
        _ => {
            eprintln!("Failed to get username from {}. Client disconnected.", addr);
            return Ok(());
        }
    };

    let mut peer = Peer::new(state.clone(), lines).await?;

    {
        let mut state = state.lock().await;
        let msg = format!("{username} has joined the chat");
        println!("{}", msg);
        state.broadcast(addr, &msg).await;
    }

    loop {
        futures::select! {
            // A line from another client: pass it on to this one.
            msg = peer.rx.recv().fuse() => match msg {
                Some(msg) => {
                    if let Err(e) = peer.lines.send(&msg).await {
                        eprintln!("Failed to send message to {}: {:?}", username, e);
                        break;
                    }
                }
                None => break,
            },
            // A line from this client: tell everyone else.
            result = peer.lines.next().fuse() => match result {
                Some(Ok(msg)) => {
                    let mut state = state.lock().await;
                    let msg = format!("{username}: {msg}");

                    state.broadcast(addr, &msg).await;
                }
                Some(Err(e)) => {
                    eprintln!(
                        "an error occurred while processing messages for {}; error = {:?}",
                        username,
                        e
                    );
                    break;
                }
                None => break,
            },
        }
    }

    {
        let mut state = state.lock().await;
        state.peers.remove(&addr);

        let msg = format!("{username} has left the chat");
        println!("{}", msg);
        state.broadcast(addr, &msg).await;
    }

    Ok(())
}
