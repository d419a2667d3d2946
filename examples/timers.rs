//! Time events beside file events: the classic event-loop pattern. An echo server that
//! closes every connection idle for longer than N seconds (the textbook reactor's
//! idle sweep, here one `timeout` per read), and reports how many clients it has on
//! a fixed interval.
//!
//! Run with `cargo run --example timers [PORT] [IDLE_SECONDS]` (defaults: 7782, 60),
//! then `nc 127.0.0.1 7782`: type a line, get it back; go quiet for longer than the
//! idle time and the server says goodbye and closes.

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};
use evloop::time::{self, MissedTickBehavior};

/// How often the server reports its client count.
const REPORT_EVERY: Duration = Duration::from_secs(10);

#[evloop::main]
async fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = parse_arg(args.next(), 7782, "port")?;
    let idle_secs: f64 = parse_arg(args.next(), 60.0, "idle seconds")?;
    let idle = Duration::try_from_secs_f64(idle_secs)
        .map_err(|e| invalid(format!("idle seconds {idle_secs}: {e}")))?;

    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "timers: listening on {}, closing clients idle for {idle:?}",
        listener.local_addr()?
    );

    let clients = Rc::new(Cell::new(0usize));
    drop(evloop::spawn(report_clients(clients.clone())));
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => drop(evloop::spawn(serve(stream, idle, clients.clone()))),
            Err(error) => eprintln!("timers: accept failed: {error}"),
        }
    }
}

/// One client: echo what it sends; if a read waits longer than `idle`, close.
async fn serve(mut stream: TcpStream, idle: Duration, clients: Rc<Cell<usize>>) {
    clients.set(clients.get() + 1);
    let mut buf = [0u8; 4096];
    loop {
        // The time event and the file event race: whichever comes first wins.
        match time::timeout(idle, stream.read(&mut buf)).await {
            Err(_elapsed) => {
                let _ = stream.write_all(b"idle for too long, goodbye\n").await;
                break;
            }
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => {
                if stream.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    clients.set(clients.get() - 1);
}

/// A periodic time event with no file event at all.
async fn report_clients(clients: Rc<Cell<usize>>) {
    let mut every = time::interval(REPORT_EVERY);
    // A late report is not worth catching up on.
    every.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        println!("timers: {} client(s) connected", clients.get());
    }
}

fn parse_arg<T: std::str::FromStr>(arg: Option<String>, default: T, what: &str) -> io::Result<T> {
    match arg {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| invalid(format!("not a valid {what}: {text}"))),
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}
