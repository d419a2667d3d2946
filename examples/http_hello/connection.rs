//! One connection: read, answer every complete request with one write, repeat until
//! the client closes, a request asks to close, a time limit passes, or the server
//! stops.
//!
//! Every wait has an evloop timer on it, so no client can hold a connection (and its
//! file descriptor) for long without sending proper requests:
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
use evloop::time::{Instant, timeout, timeout_at};

use crate::config::Config;
use crate::inbox::{After, Inbox, REQUEST_TIMEOUT, Waiting};
use crate::linger;
use crate::shutdown::{Shutdown, Tracked};
use crate::stats::Stats;

/// What every connection shares.
pub struct Shared {
    pub config: Config,
    pub shutdown: Rc<Shutdown>,
    pub stats: Stats,
}

/// Which limit the next read waits under.
enum Limit {
    /// The head must be complete by then.
    Head(Instant),
    /// Something must arrive by then.
    Idle(Instant),
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
    let mut head_started = Some(Instant::now());
    loop {
        let limit = match head_started {
            Some(started) => Limit::Head(deadline(started, config.head_timeout)),
            None => Limit::Idle(deadline(Instant::now(), config.idle_timeout)),
        };
        let deadline = match limit {
            Limit::Head(at) | Limit::Idle(at) => at,
        };
        let read = timeout_at(
            deadline,
            read_unless_stopped(&mut stream, &mut inbox, &shared.shutdown),
        );
        let n = match read.await {
            Ok(Some(Ok(n))) if n > 0 => n,
            // End of stream, an error, or shutdown while idle.
            Ok(_) => return,
            Err(_) => match limit {
                Limit::Head(_) => {
                    stats.head_timeouts.add(1);
                    let sent =
                        linger::send_and_close(stream, REQUEST_TIMEOUT, linger::LINGER_TIME).await;
                    stats.bytes_written.add(sent);
                    return;
                }
                Limit::Idle(_) => {
                    stats.idle_timeouts.add(1);
                    return;
                }
            },
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

/// Reads the next bytes of a request; `None` instead if the server is stopping and
/// the connection is idle (between requests).
async fn read_unless_stopped(
    stream: &mut TcpStream,
    inbox: &mut Inbox,
    shutdown: &Shutdown,
) -> Option<io::Result<usize>> {
    poll_fn(|cx| {
        if inbox.is_idle() && shutdown.is_stopping() {
            return Poll::Ready(None);
        }
        Pin::new(&mut *stream)
            .poll_read(cx, inbox.spare())
            .map(Some)
    })
    .await
}
