//! A minimal HTTP/1.1 server that answers every request with "Hello, World!", keeps
//! connections alive, and shuts down gracefully on Ctrl-C or `SIGTERM`.
//!
//! It teaches four things:
//!
//! - **a protocol loop** on one connection: read into a buffer, cut out every complete
//!   request head (pipelined requests arrive in one read), answer them all with one
//!   write, keep what is left for the next read (`inbox.rs`), reading each head as
//!   strictly as RFC 9112 asks (`head.rs`);
//! - **limits on every client**, as a server facing the internet needs: a timer on
//!   every wait (`connection.rs`), and a cap on open connections, kept under the
//!   file-descriptor limit, past which new ones get a 503 at once (here);
//! - **signals as events**: `SIGINT` and `SIGTERM` are two more things the accept loop
//!   waits for, next to new connections (`stop.rs`);
//! - **graceful shutdown**: stop accepting, let each connection finish the request it
//!   is answering (idle ones close at once), give up after a deadline, print what was
//!   done, exit 0 (`shutdown.rs`).
//!
//! Run with `cargo run --release --example http_hello [PORT]` (default 8080), then
//! `curl -v http://127.0.0.1:8080/` or `wrk -t1 -c50 -d5s http://127.0.0.1:8080/`,
//! and stop it with Ctrl-C. The limits have flags (`--help` lists them; `config.rs`
//! explains each).

#[path = "../shared/args.rs"]
mod args;
mod config;
mod connection;
#[path = "../shared/counter.rs"]
mod counter;
mod head;
mod inbox;
#[path = "../shared/linger.rs"]
mod linger;
mod shutdown;
mod stats;
#[path = "../shared/stop.rs"]
mod stop;
mod watchdog;

use std::io;
use std::rc::Rc;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;

use config::Config;
use connection::Shared;
use shutdown::Shutdown;
use stop::{accept_or_stop, stop_signals};

/// How long connections get to finish their current request once shutdown begins.
const DRAIN_DEADLINE: Duration = Duration::from_secs(5);

/// How long a refused connection may linger: enough for a client on the same
/// network to send its request and see the 503, short enough that refusing does not
/// hold many file descriptors.
const REFUSE_LINGER: Duration = Duration::from_millis(200);

#[evloop::main]
async fn main() -> io::Result<()> {
    let config = Config::from_args(std::env::args().skip(1))?;
    // Listen for the signals before accepting anyone: from here on they no longer
    // kill the process, they end the accept loop below.
    let mut signals = stop_signals()?;
    let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
    println!("http_hello: listening on http://{}", listener.local_addr()?);

    let shared = Rc::new(Shared {
        config,
        shutdown: Rc::new(Shutdown::default()),
        stats: Default::default(),
    });
    while let Some(accepted) = accept_or_stop(&listener, &mut signals).await {
        match accepted {
            Ok(stream) if shared.shutdown.open() >= shared.config.max_connections => {
                shared.stats.refused.add(1);
                drop(evloop::spawn(refuse(stream)));
            }
            Ok(stream) => {
                let tracked = shared.shutdown.track();
                drop(evloop::spawn(connection::serve(
                    stream,
                    tracked,
                    shared.clone(),
                )));
            }
            // Out of file descriptors, or the like: the listener waits for one to be
            // freed before it tries again, so just carry on.
            Err(error) => eprintln!("http_hello: accept failed: {error}"),
        }
    }

    drop(listener);
    let shutdown = &shared.shutdown;
    shutdown.begin();
    eprintln!(
        "http_hello: stopping; {} connection(s) open",
        shutdown.open()
    );
    let drained = timeout(DRAIN_DEADLINE, shutdown.all_closed()).await;
    if drained.is_err() {
        eprintln!(
            "http_hello: {} connection(s) still busy after {DRAIN_DEADLINE:?}; dropping them",
            shutdown.open()
        );
    }
    eprintln!("http_hello: stopped; {}", shared.stats);
    // Returning drops the runtime, and with it every task still running.
    Ok(())
}

/// A connection over the cap: told so at once, not left waiting in the backlog
/// until a slot frees up. Its request, if it sends one, is given only a short
/// lingering close: the file descriptors are most needed when connections are
/// refused.
async fn refuse(stream: TcpStream) {
    linger::send_and_close(stream, inbox::UNAVAILABLE, REFUSE_LINGER).await;
}
