//! One runtime per core: an echo server on 127.0.0.1:7781 served by one thread per
//! core, each running its own evloop runtime with its own listener on the same port.
//!
//! What it teaches: evloop is single-threaded, and to use every core you run several
//! runtimes that share nothing. `SO_REUSEPORT` lets each thread bind its own listening
//! socket to the same address; the kernel spreads incoming connections across them (by
//! a hash of the connection's addresses and ports), so the threads never touch a shared
//! accept queue, a lock or each other's tasks. A connection stays on the thread that
//! accepted it for its whole life.
//!
//! When the runtimes do need to talk, they send messages: `evloop::sync::remote`
//! channels have senders that any thread may hold. Here every core reports each
//! connection it opens and closes to a counting task on the main thread's runtime,
//! and a client that sends the line `stats` gets the counts back: its core asks the
//! counter over the same channel and awaits the answer on a `remote::oneshot`.
//!
//! Each connection is greeted with the name of the thread serving it, then everything
//! it sends is echoed back. Run with
//! `cargo run --release --example thread_per_core [PORT [THREADS]]` (by default as many
//! threads as `std::thread::available_parallelism` reports), then connect a few times
//! with `nc 127.0.0.1 7781`, type `stats`, and watch the greetings and the server's log.
//!
//! The threads are not pinned to cores; the scheduler keeps each mostly on one. To pin
//! them, run the server under `taskset`, or call `sched_setaffinity` in each thread.

use std::io;
use std::net::SocketAddr;
use std::thread;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpSocket, TcpStream};
use evloop::sync::remote::{mpsc, oneshot};

/// Connections each listener's kernel queue holds before `accept`.
const BACKLOG: u32 = 1024;

/// What a core tells the counter on the main thread.
enum Report {
    Opened {
        core: usize,
    },
    Closed {
        core: usize,
    },
    /// A client asked for the counts; the answer goes back on the one-shot.
    Stats(oneshot::Sender<String>),
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = parse_arg(args.next(), 7781)?;
    let default_threads = thread::available_parallelism()?.get();
    let threads: usize = parse_arg(args.next(), default_threads)?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    // Bind every socket here, before any thread starts, so that a port in use is
    // reported at once. A socket needs no runtime until it listens.
    let sockets = (0..threads)
        .map(|_| {
            let socket = TcpSocket::new_v4()?;
            socket.set_reuseport(true)?;
            socket.bind(addr)?;
            Ok(socket)
        })
        .collect::<io::Result<Vec<_>>>()?;
    println!("thread_per_core: {threads} threads serving {addr}");
    let (reports, inbox) = mpsc::unbounded_channel();
    let workers: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(core, socket)| {
            let reports = reports.clone();
            thread::Builder::new()
                .name(format!("core-{core}"))
                .spawn(move || run_one_runtime(core, socket, reports))
        })
        .collect::<io::Result<_>>()?;
    drop(reports);
    // The main thread's own runtime counts; it ends when every core has stopped.
    evloop::block_on(count_connections(inbox, threads));
    for worker in workers {
        worker.join().expect("a worker thread panicked")?;
    }
    Ok(())
}

/// A thread's whole life: its own runtime, its own listener, its own connections.
fn run_one_runtime(
    core: usize,
    socket: TcpSocket,
    reports: mpsc::UnboundedSender<Report>,
) -> io::Result<()> {
    let name = thread::current().name().unwrap_or("unnamed").to_string();
    let runtime = evloop::Runtime::new()?;
    runtime.block_on(async {
        // Registers the socket with this thread's runtime: its connections are ours.
        let listener = socket.listen(BACKLOG)?;
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    println!("{name} serves {peer}");
                    let reports = reports.clone();
                    drop(evloop::spawn(serve(stream, core, name.clone(), reports)));
                }
                Err(error) => eprintln!("{name}: accept failed: {error}"),
            }
        }
    })
}

/// Greets the client with the thread's name, then echoes; answers `stats` with the
/// counts from the main thread.
async fn serve(
    mut stream: TcpStream,
    core: usize,
    name: String,
    reports: mpsc::UnboundedSender<Report>,
) {
    // Reported before the greeting: a client that saw it and then asks any core for
    // the stats is counted (the channel keeps the order of sends).
    let _ = reports.send(Report::Opened { core });
    let _ = stream.set_nodelay(true);
    let greeting = format!("served by {name}\n");
    if stream.write_all(greeting.as_bytes()).await.is_ok() {
        let _ = echo_or_stats(&mut stream, &reports).await;
    }
    let _ = reports.send(Report::Closed { core });
}

async fn echo_or_stats(
    stream: &mut TcpStream,
    reports: &mpsc::UnboundedSender<Report>,
) -> io::Result<()> {
    let mut buf = [0; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        if &buf[..n] == b"stats\n" {
            let (answer, stats) = oneshot::channel();
            let stats = match reports.send(Report::Stats(answer)) {
                Ok(()) => stats.await.unwrap_or_default(),
                Err(_) => String::from("stats: the counter has stopped\n"),
            };
            stream.write_all(stats.as_bytes()).await?;
        } else {
            stream.write_all(&buf[..n]).await?;
        }
    }
}

/// The counter: open connections per core and how many were served in all.
async fn count_connections(mut inbox: mpsc::UnboundedReceiver<Report>, threads: usize) {
    let mut open = vec![0u64; threads];
    let mut served = 0u64;
    while let Some(report) = inbox.recv().await {
        match report {
            Report::Opened { core } => {
                open[core] += 1;
                served += 1;
            }
            Report::Closed { core } => open[core] -= 1,
            Report::Stats(answer) => {
                let per_core: Vec<String> = open
                    .iter()
                    .enumerate()
                    .map(|(core, n)| format!("core-{core}: {n}"))
                    .collect();
                let total: u64 = open.iter().sum();
                let _ = answer.send(format!(
                    "stats: {total} open ({}), {served} served\n",
                    per_core.join(", ")
                ));
            }
        }
    }
}

fn parse_arg<T: std::str::FromStr>(arg: Option<String>, default: T) -> io::Result<T> {
    match arg {
        Some(arg) => arg.parse().map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("not a number: {arg}"))
        }),
        None => Ok(default),
    }
}
