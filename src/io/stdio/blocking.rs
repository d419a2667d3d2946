//! `Blocking<T>`: a blocking std reader or writer driven one pool job at a time.
//!
//! A `Blocking` owns the std handle (`Stdin`, `Stdout` or `Stderr`) and a buffer. Both
//! are either at rest in it (**Idle**) or lent to one job on the pool (**Busy**), which
//! hands them back with its result, an [`Operation`]:
//!
//! ```text
//!       (0) poll_read: copy bytes left
//!           over from an earlier read
//!             +------+
//!             |      v       (1) Idle::start: a read, a write_all or a flush
//!           +----------+  -------------------------------------------->  +----------+
//!           |   Idle   |                                                 |   Busy   |
//!           +----------+  <--------------------------------------------  +----------+
//!                 |          (2) State::poll_idle: the job hands handle and
//!                 |              buffer back with its Operation
//!                 v
//!            (3) Idle, no handle: the job was lost (its pool task panicked or
//!                was cancelled); poll_idle says so once, later calls fail
//! ```
//!
//! - **Idle** (`State::Idle`): no job runs. The buffer is empty, or holds bytes a read
//!   job fetched that no caller has taken yet.
//! - **Busy** (`State::Busy`): one job runs; the `Blocking` holds only its
//!   `JoinHandle`. One job at a time keeps reads, and writes, in the order they were
//!   made.
//!
//! What each call does with it:
//!
//! - `poll_read`: bytes left? Copy them (0). Otherwise lend the buffer to one `read`
//!   of the caller's length, at most [`MAX_BUF`] (1); when it is back (2), copy from
//!   the buffer. A read future dropped while its job runs loses nothing: the job's
//!   bytes come back into the buffer, for the next `poll_read` to copy.
//! - `poll_write`: wait until idle (2); copy the caller's bytes (up to [`MAX_BUF`]) into
//!   the buffer; lend it to a `write_all` (1); return `Ready(n)` at once. This is
//!   write-behind, as in tokio: the bytes are on their way, not yet written.
//! - `poll_flush`: wait until idle (2); if anything was written since the last flush,
//!   run the std handle's `flush` (1) and wait for it (2).
//!
//! (2) is the wait every call begins with. A failed write or flush is returned as an
//! error by it, so such an error surfaces at the next call, whichever it is.

#![deny(unsafe_code)]

use std::fmt;
use std::future::Future;
use std::io::{self, Read, Write};
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use crate::task::{JoinError, JoinHandle, spawn_blocking};

/// The most one job reads or writes (tokio's limit too). A bigger caller buffer gets a
/// short read or write, as the traits allow, and the buffer a handle keeps stays
/// bounded.
const MAX_BUF: usize = 2 * 1024 * 1024;

/// A std handle `T` whose blocking calls run on the pool, one job at a time.
pub(super) struct Blocking<T> {
    state: State<T>,
    /// Whether a write job was started after the last flush job: std's buffer may
    /// hold bytes that `poll_flush` must push out.
    need_flush: bool,
}

/// Where a `Blocking` is: see the diagram above.
enum State<T> {
    /// No job runs; the handle and buffer are here.
    Idle(Idle<T>),
    /// A job runs on the pool with the handle and buffer; it returns them in `Done`.
    Busy(JoinHandle<Done<T>>),
}

/// An idle `Blocking`'s contents.
struct Idle<T> {
    /// `None` only after a job was lost with the handle (transition 3).
    handle: Option<T>,
    buf: Buf,
}

/// What a job hands back: the handle and buffer it borrowed, and its result.
struct Done<T> {
    handle: T,
    buf: Buf,
    operation: Operation,
}

/// A finished job's result, by kind of job.
enum Operation {
    /// A read of this many bytes, now in the buffer (0 at end of input).
    Read(io::Result<usize>),
    /// A write-behind `write_all`.
    Write(io::Result<()>),
    /// The std handle's `flush`.
    Flush(io::Result<()>),
}

impl<T: Send + 'static> Blocking<T> {
    /// An idle `Blocking` with an empty buffer.
    pub(super) fn new(handle: T) -> Blocking<T> {
        Blocking {
            state: State::Idle(Idle {
                handle: Some(handle),
                buf: Buf::default(),
            }),
            need_flush: false,
        }
    }
}

impl<T: Read + Send + 'static> Blocking<T> {
    /// `AsyncRead::poll_read`: bytes left over, or the result of one `read` job.
    pub(super) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let (idle, finished) = ready!(self.state.poll_idle(cx))?;
            if let Some(Operation::Read(result)) = finished {
                result?;
                return Poll::Ready(Ok(idle.buf.copy_to(dst)));
            }
            if idle.buf.unread() > 0 || dst.is_empty() {
                return Poll::Ready(Ok(idle.buf.copy_to(dst)));
            }
            let len = dst.len().min(MAX_BUF);
            self.state =
                idle.start(move |handle, buf| Operation::Read(buf.read_from(handle, len)))?;
        }
    }
}

impl<T: Write + Send + 'static> Blocking<T> {
    /// `AsyncWrite::poll_write`: after the previous job, a write-behind `write_all`.
    pub(super) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let (idle, _) = ready!(self.state.poll_idle(cx))?;
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let len = src.len().min(MAX_BUF);
        idle.buf.fill(&src[..len]);
        self.state = idle.start(|handle, buf| Operation::Write(buf.write_to(handle)))?;
        self.need_flush = true;
        Poll::Ready(Ok(len))
    }

    /// `AsyncWrite::poll_flush`: after the previous job, the std handle's `flush`.
    pub(super) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let (idle, _) = ready!(self.state.poll_idle(cx))?;
            if !self.need_flush {
                return Poll::Ready(Ok(()));
            }
            self.state = idle.start(|handle, _| Operation::Flush(handle.flush()))?;
            self.need_flush = false;
        }
    }
}

impl<T> State<T> {
    /// Transition (2), and the wait every call starts with: until no job runs, returns
    /// the idle contents and the operation of the job that just finished (if one did).
    /// A failed write or flush is returned as the error.
    fn poll_idle(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(&mut Idle<T>, Option<Operation>)>> {
        let mut finished = None;
        loop {
            match *self {
                State::Idle(ref mut idle) => return Poll::Ready(Ok((idle, finished))),
                State::Busy(ref mut job) => {
                    let done = ready!(Pin::new(job).poll(cx));
                    let Done {
                        handle,
                        buf,
                        operation,
                    } = match done {
                        Ok(done) => done,
                        // Transition (3).
                        Err(error) => {
                            *self = State::Idle(Idle {
                                handle: None,
                                buf: Buf::default(),
                            });
                            return Poll::Ready(Err(job_failed(error)));
                        }
                    };
                    *self = State::Idle(Idle {
                        handle: Some(handle),
                        buf,
                    });
                    if let Operation::Write(Err(error)) | Operation::Flush(Err(error)) = operation {
                        return Poll::Ready(Err(error));
                    }
                    finished = Some(operation);
                }
            }
        }
    }
}

impl<T: Send + 'static> Idle<T> {
    /// Transition (1): lends the handle and the buffer to `job` on the pool, and returns
    /// the Busy state, for the caller to store in place of this one.
    fn start<F>(&mut self, job: F) -> io::Result<State<T>>
    where
        F: FnOnce(&mut T, &mut Buf) -> Operation + Send + 'static,
    {
        let mut handle = self.handle.take().ok_or_else(handle_lost)?;
        let mut buf = mem::take(&mut self.buf);
        Ok(State::Busy(spawn_blocking(move || {
            let operation = job(&mut handle, &mut buf);
            Done {
                handle,
                buf,
                operation,
            }
        })))
    }
}

impl<T: fmt::Debug> fmt::Debug for Blocking<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Blocking");
        match &self.state {
            State::Idle(idle) => debug
                .field("handle", &idle.handle)
                .field("unread", &idle.buf.unread()),
            State::Busy(job) => debug.field("busy", job),
        };
        debug.field("need_flush", &self.need_flush).finish()
    }
}

/// The bytes a job carries: what a read fetched, or the caller's bytes for a write.
/// One allocation, reused by every job of the handle.
#[derive(Default)]
struct Buf {
    data: Vec<u8>,
    /// How much of `data` callers have already taken.
    pos: usize,
}

impl Buf {
    /// How many bytes a read fetched that nobody has taken yet.
    fn unread(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Moves unread bytes into `dst`; returns how many.
    fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let len = self.unread().min(dst.len());
        dst[..len].copy_from_slice(&self.data[self.pos..self.pos + len]);
        self.pos += len;
        len
    }

    /// Takes a copy of the caller's bytes, to write (a writer's buffer is empty).
    fn fill(&mut self, src: &[u8]) {
        self.data.extend_from_slice(src);
    }

    /// Runs on the pool: one `read` of up to `len` bytes into the (empty) buffer. One
    /// call, not a loop: a pipe or terminal answers with what it has.
    fn read_from(&mut self, reader: &mut impl Read, len: usize) -> io::Result<usize> {
        self.clear();
        self.data.resize(len, 0);
        let result = loop {
            match reader.read(&mut self.data) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                result => break result,
            }
        };
        self.data.truncate(*result.as_ref().unwrap_or(&0));
        result
    }

    /// Runs on the pool: writes the whole buffer, which is empty afterwards whatever
    /// happened.
    fn write_to(&mut self, writer: &mut impl Write) -> io::Result<()> {
        let result = writer.write_all(&self.data);
        self.clear();
        result
    }

    /// Empties the buffer, keeping its allocation.
    fn clear(&mut self) {
        self.data.clear();
        self.pos = 0;
    }
}

/// The error for a pool job that never delivered its result (transition 3).
fn job_failed(error: JoinError) -> io::Error {
    io::Error::other(format!(
        "evloop::io: the blocking-pool job for stdio failed: {error}"
    ))
}

/// The error for every call after transition (3).
fn handle_lost() -> io::Error {
    io::Error::other("evloop::io: the stdio handle was lost with a blocking-pool job that failed")
}
