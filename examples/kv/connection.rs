//! One client: read commands, answer them, write the replies, repeat, within limits
//! that bound what the connection holds in memory and how long it keeps the loop.
//!
//! - **Output**: while more than `output_soft_limit` bytes of replies are unsent,
//!   the connection reads and parses nothing; it only writes. A client that sends
//!   commands and never reads the replies fills its socket buffers, then ours, and
//!   then stops being answered. Redis calls this `client-output-buffer-limit`. One
//!   reply can still be big (a `GET` of a large value, which shares the store's
//!   bytes rather than copying them: `output.rs`), so the unsent bytes may go over
//!   the soft limit by one reply; if they stay over `output_hard_limit` for
//!   `output_hard_time`, the connection is closed, with one line on stderr.
//! - **Turns**: one turn answers at most [`COMMANDS_PER_TURN`] commands, or stops at
//!   the soft limit, then writes and gives the other connections their turn. A
//!   client that pipelines a million commands does not hold the loop for all of them.
//! - **Input**: the parser bounds each value and each command (see `resp.rs`); what
//!   it has not parsed yet is all the input a connection holds.
//!
//! After a protocol error the connection sends its replies, the error last, and
//! closes with a lingering close (see `linger.rs`).

use std::cell::RefCell;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use evloop::io::{AsyncRead, AsyncWrite};
use evloop::net::TcpStream;
use evloop::time::{Instant, timeout_at};

use crate::commands;
use crate::config::Config;
use crate::linger;
use crate::output::Output;
use crate::reply;
use crate::resp::{Parser, ProtocolError};
use crate::stats::Stats;
use crate::store::Store;

/// How many bytes each read asks for. The input buffer grows by this much when a
/// command is longer.
const READ_CHUNK: usize = 16 * 1024;
/// The most commands one turn answers before the connection writes and yields: about
/// 100 µs of `GET`s, so a long pipeline shares the loop.
const COMMANDS_PER_TURN: usize = 1024;
/// Buffers bigger than this, left empty after a big command or reply, are given back
/// rather than kept for the connection's whole life.
const KEEP_BUFFER: usize = 64 * 1024;

/// What every connection shares: the store, the settings, the counters.
pub struct Shared {
    pub store: Rc<RefCell<Store>>,
    pub config: Config,
    pub stats: Stats,
}

/// Serves one client until it closes, breaks the protocol, or keeps too many
/// replies unsent for too long.
pub async fn serve(stream: TcpStream, shared: Rc<Shared>) {
    let (config, stats) = (&shared.config, &shared.stats);
    stats.connections.add(1);
    let _ = stream.set_nodelay(true);
    let mut conn = Connection::new(Parser::new(config.limits()));
    let mut input_ended = false;
    loop {
        let stop = if conn.output.len() > config.output_soft_limit {
            Stop::OutputFull
        } else {
            conn.answer(&mut shared.store.borrow_mut(), config, stats)
        };
        let read = match stop {
            Stop::ProtocolError => {
                stats.closed_for_protocol.add(1);
                let last = conn.output.to_vec();
                let sent = linger::send_and_close(stream, &last, linger::LINGER_TIME).await;
                stats.bytes_written.add(sent);
                return;
            }
            Stop::TurnOver => {
                // Write what the turn produced, without waiting, and let the others
                // run; the commands still buffered come next turn.
                if let Some(Ok(n)) = write_if_ready(&stream, &conn.output).await {
                    conn.wrote(n, stats);
                }
                evloop::task::yield_now().await;
                continue;
            }
            Stop::OutputFull => false,
            Stop::NeedInput if input_ended && conn.output.is_empty() => return,
            Stop::NeedInput => !input_ended,
        };
        let deadline = conn.hard_limit_deadline(config);
        let (spare, output) = conn.buffers(read);
        let progress = match deadline {
            None => transfer(&stream, spare, output).await,
            Some(deadline) => match timeout_at(deadline, transfer(&stream, spare, output)).await {
                Ok(progress) => progress,
                Err(_) => {
                    stats.closed_for_output.add(1);
                    log_output_limit(&stream, conn.output.len(), config);
                    return;
                }
            },
        };
        match progress {
            Ok(Progress::Read(0)) => input_ended = true,
            Ok(Progress::Read(n)) => conn.received(n, stats),
            Ok(Progress::Wrote(n)) => conn.wrote(n, stats),
            Err(_) => return,
        }
    }
}

/// Why a turn of answering stopped.
enum Stop {
    /// Every whole command read so far is answered: read more.
    NeedInput,
    /// The turn's share of commands is used up; more may be buffered.
    TurnOver,
    /// The unsent replies are over the soft limit: write before answering more.
    OutputFull,
    /// The client broke the protocol; the error is the last reply in the output.
    ProtocolError,
}

/// What one wait for the socket achieved.
enum Progress {
    Read(usize),
    Wrote(usize),
}

/// One connection's buffers and parser.
struct Connection {
    /// `input[start..filled]` has been read and not parsed yet.
    input: Vec<u8>,
    start: usize,
    filled: usize,
    parser: Parser,
    /// The replies not written yet.
    output: Output,
    /// Since when the unsent replies have been over the hard limit.
    over_hard_limit_since: Option<Instant>,
}

impl Connection {
    fn new(parser: Parser) -> Connection {
        Connection {
            input: vec![0; READ_CHUNK],
            start: 0,
            filled: 0,
            parser,
            output: Output::default(),
            over_hard_limit_since: None,
        }
    }

    /// Answers the whole commands read so far, up to the turn's limits, appending
    /// the replies to the output.
    fn answer(&mut self, store: &mut Store, config: &Config, stats: &Stats) -> Stop {
        let mut args = Vec::new();
        for _ in 0..COMMANDS_PER_TURN {
            if self.output.len() > config.output_soft_limit {
                return Stop::OutputFull;
            }
            match self
                .parser
                .parse(&self.input[self.start..self.filled], &mut args)
            {
                Ok(Some(used)) => {
                    self.start += used;
                    if !args.is_empty() {
                        stats.commands.add(1);
                        commands::execute(store, &args, &mut self.output);
                    }
                }
                Ok(None) => return Stop::NeedInput,
                Err(ProtocolError(message)) => {
                    reply::error(&mut self.output, &format!("ERR Protocol error: {message}"));
                    return Stop::ProtocolError;
                }
            }
        }
        Stop::TurnOver
    }

    /// The room for the next read (if `read`) and the unsent replies.
    fn buffers(&mut self, read: bool) -> (Option<&mut [u8]>, &Output) {
        let spare = if read {
            self.make_room();
            Some(&mut self.input[self.filled..])
        } else {
            None
        };
        (spare, &self.output)
    }

    /// Makes room for the next read, after moving the unparsed bytes to the front.
    ///
    /// Only a command cut short by the last read is moved: the bytes of a command
    /// still arriving stay where they are, read after read, so a long command costs
    /// no copying beyond the buffer's growth (which doubles).
    fn make_room(&mut self) {
        if self.start > 0 {
            self.input.copy_within(self.start..self.filled, 0);
            self.filled -= self.start;
            self.start = 0;
        }
        if self.filled == 0 && self.input.len() > KEEP_BUFFER {
            self.input = vec![0; READ_CHUNK];
        }
        if self.input.len() - self.filled < READ_CHUNK {
            self.input.resize(self.filled + READ_CHUNK, 0);
        }
    }

    fn received(&mut self, n: usize, stats: &Stats) {
        self.filled += n;
        stats.bytes_read.add(n);
    }

    fn wrote(&mut self, n: usize, stats: &Stats) {
        self.output.advance(n);
        stats.bytes_written.add(n);
    }

    /// When the connection is to be closed for its unsent replies, if they are over
    /// the hard limit (the clock starts when they go over, and stops when they drop
    /// back under).
    fn hard_limit_deadline(&mut self, config: &Config) -> Option<Instant> {
        if self.output.len() <= config.output_hard_limit {
            self.over_hard_limit_since = None;
            return None;
        }
        let since = *self.over_hard_limit_since.get_or_insert_with(Instant::now);
        Some(since.checked_add(config.output_hard_time).unwrap_or(since))
    }
}

/// Waits until the socket takes some of the `output` or, given room, delivers input.
async fn transfer(
    stream: &TcpStream,
    mut spare: Option<&mut [u8]>,
    output: &Output,
) -> io::Result<Progress> {
    let slices = output.slices();
    poll_fn(|cx| {
        if !output.is_empty() {
            if let Poll::Ready(written) = Pin::new(&mut &*stream).poll_write_vectored(cx, &slices) {
                return Poll::Ready(written.map(Progress::Wrote));
            }
        }
        match spare.as_deref_mut() {
            Some(spare) => Pin::new(&mut &*stream)
                .poll_read(cx, spare)
                .map(|read| read.map(Progress::Read)),
            None => Poll::Pending,
        }
    })
    .await
}

/// Writes some of `output` if the socket takes it now; `None` if it would wait.
async fn write_if_ready(stream: &TcpStream, output: &Output) -> Option<io::Result<usize>> {
    let slices = output.slices();
    poll_fn(
        |cx| match Pin::new(&mut &*stream).poll_write_vectored(cx, &slices) {
            Poll::Ready(written) => Poll::Ready(Some(written)),
            Poll::Pending => Poll::Ready(None),
        },
    )
    .await
}

fn log_output_limit(stream: &TcpStream, unsent: usize, config: &Config) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "a client".to_owned(), |addr| addr.to_string());
    eprintln!(
        "kv: closing {peer}: {unsent} bytes of replies unsent, over the output hard limit \
         of {} bytes for {:?}",
        config.output_hard_limit, config.output_hard_time
    );
}
