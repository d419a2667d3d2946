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
//! Each connection is greeted with the name of the thread serving it, then everything
//! it sends is echoed back. Run with
//! `cargo run --release --example thread_per_core [PORT [THREADS]]` (by default as many
//! threads as `std::thread::available_parallelism` reports), then connect a few times
//! with `nc 127.0.0.1 7781` and watch the greetings and the server's log.
//!
//! The threads are not pinned to cores; the scheduler keeps each mostly on one. To pin
//! them, run the server under `taskset`, or call `sched_setaffinity` in each thread.

use std::io;
use std::net::SocketAddr;
use std::thread;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpSocket, TcpStream};

/// Connections each listener's kernel queue holds before `accept`.
const BACKLOG: u32 = 1024;

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
    let workers: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, socket)| {
            thread::Builder::new()
                .name(format!("core-{i}"))
                .spawn(move || run_one_runtime(socket))
        })
        .collect::<io::Result<_>>()?;
    for worker in workers {
        worker.join().expect("a worker thread panicked")?;
    }
    Ok(())
}

/// A thread's whole life: its own runtime, its own listener, its own connections.
fn run_one_runtime(socket: TcpSocket) -> io::Result<()> {
    let name = thread::current().name().unwrap_or("unnamed").to_string();
    let runtime = evloop::Runtime::new()?;
    runtime.block_on(async {
        // Registers the socket with this thread's runtime: its connections are ours.
        let listener = socket.listen(BACKLOG)?;
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    println!("{name} serves {peer}");
                    drop(evloop::spawn(serve(stream, name.clone())));
                }
                Err(error) => eprintln!("{name}: accept failed: {error}"),
            }
        }
    })
}

/// Greets the client with the thread's name, then echoes.
async fn serve(mut stream: TcpStream, name: String) {
    let _ = stream.set_nodelay(true);
    let greeting = format!("served by {name}\n");
    if stream.write_all(greeting.as_bytes()).await.is_err() {
        return;
    }
    let mut buf = [0; 4096];
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

fn parse_arg<T: std::str::FromStr>(arg: Option<String>, default: T) -> io::Result<T> {
    match arg {
        Some(arg) => arg.parse().map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("not a number: {arg}"))
        }),
        None => Ok(default),
    }
}
