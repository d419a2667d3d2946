//! One connection: read, answer every complete request with one write, repeat until
//! the client closes, a request asks to close, a time limit passes, or the server
//! stops.
//!
//! Every wait has a deadline, watched by the connection's one evloop timer
//! (`watchdog.rs`), so no client can hold a connection (and its file descriptor) for
//! long without sending proper requests:
//!
//! - a request head must arrive whole within the head timeout, counted from the
//!   moment the connection opens or the head's first byte arrives (a client that
//!   sends half a head and stops gets a 408);
//! - between requests, and between the reads of a request body, at most the idle
//!   timeout may pass;
//! - a write must finish within the idle timeout too, for a client that stops
//!   reading.
//!
//! A connection that ends after a response it did not choose to close on (an
//! error, a 408, or `Connection: close` with more requests behind it) is closed with
//! a lingering close (see `linger.rs`), so the client can read that last response.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use evloop::io::{AsyncRead, AsyncWriteExt};
use evloop::net::TcpStream;
use evloop::time::{Instant, timeout};

use crate::config::Config;
use crate::inbox::{After, Inbox, REQUEST_TIMEOUT, Waiting};
use crate::linger;
use crate::shutdown::{Shutdown, Tracked};
use crate::stats::Stats;
use crate::watchdog::Watchdog;

/// What every connection shares.
pub struct Shared {
    pub config: Config,
    pub shutdown: Rc<Shutdown>,
    pub stats: Stats,
}

/// What ended a wait for the next bytes.
enum Wait {
    Read(Option<io::Result<usize>>),
    /// The deadline passed first.
    Expired,
}

/// Serves one connection, counted as open by `tracked` until it ends.
pub async fn serve(mut stream: TcpStream, tracked: Tracked, shared: Rc<Shared>) {
    tracked.register_task().await;
    let (config, stats) = (&shared.config, &shared.stats);
    stats.connections.add(1);
    let _ = stream.set_nodelay(true);
    let mut inbox = Inbox::new();
    let mut out = Vec::new();
    // A new connection has the head timeout to send its first head, as if the head
    // had begun.
    let opened = Instant::now();
    let mut head_started = Some(opened);
    let mut watchdog = Watchdog::new(deadline(opened, config.head_timeout));
    loop {
        match head_started {
            Some(started) => watchdog.set(deadline(started, config.head_timeout)),
            None => watchdog.set(deadline(Instant::now(), config.idle_timeout)),
        }
        let wait = read_or_expire(&mut stream, &mut inbox, &shared.shutdown, &mut watchdog);
        let n = match wait.await {
            Wait::Read(Some(Ok(n))) if n > 0 => n,
            // End of stream, an error, or shutdown while idle.
            Wait::Read(_) => return,
            Wait::Expired if head_started.is_some() => {
                stats.head_timeouts.add(1);
                let sent =
                    linger::send_and_close(stream, REQUEST_TIMEOUT, linger::LINGER_TIME).await;
                stats.bytes_written.add(sent);
                return;
            }
            Wait::Expired => {
                stats.idle_timeouts.add(1);
                return;
            }
        };
        stats.bytes_read.add(n);
        out.clear();
        let (answered, after) = inbox.answer(n, &mut out, shared.shutdown.is_stopping());
        stats.requests.add(answered);
        match after {
            After::KeepOpen => {}
            After::Close | After::Refuse => {
                if after == After::Refuse {
                    stats.bad_requests.add(1);
                }
                let sent = linger::send_and_close(stream, &out, linger::LINGER_TIME).await;
                stats.bytes_written.add(sent);
                return;
            }
        }
        if !out.is_empty() {
            match timeout(config.idle_timeout, stream.write_all(&out)).await {
                Ok(Ok(())) => stats.bytes_written.add(out.len()),
                _ => return,
            }
        }
        if answered > 0 {
            head_started = None;
        }
        match inbox.waiting() {
            Waiting::Head => {
                head_started.get_or_insert_with(Instant::now);
            }
            Waiting::NextRequest | Waiting::Body => head_started = None,
        }
    }
}

/// `start + limit`, or `start` for a limit the clock cannot represent.
fn deadline(start: Instant, limit: std::time::Duration) -> Instant {
    start.checked_add(limit).unwrap_or(start)
}

/// Reads the next bytes of a request (`None` instead if the server is stopping and
/// the connection is idle, between requests), unless the watchdog's deadline passes
/// first.
async fn read_or_expire(
    stream: &mut TcpStream,
    inbox: &mut Inbox,
    shutdown: &Shutdown,
    watchdog: &mut Watchdog,
) -> Wait {
    poll_fn(|cx| {
        if inbox.is_idle() && shutdown.is_stopping() {
            return Poll::Ready(Wait::Read(None));
        }
        if let Poll::Ready(read) = Pin::new(&mut *stream).poll_read(cx, inbox.spare()) {
            return Poll::Ready(Wait::Read(Some(read)));
        }
        watchdog.poll_expired(cx).map(|()| Wait::Expired)
    })
    .await
}
