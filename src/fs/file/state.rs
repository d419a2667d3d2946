//! The state machine behind [`File`](super::File): idle, or lent to a job on the pool.
//!
//! A `File` owns a `std::fs::File` and a buffer. Both are either at rest in the `File`
//! (**Idle**) or lent to one job on the pool (**Busy**), which hands them back with its
//! result, an [`Operation`]:
//!
//! ```text
//!       (0) poll_read: copy read-ahead
//!            out of the buffer
//!             +------+
//!             |      v       (1) Idle::start: a read, write, seek or call
//!           +----------+  -------------------------------------------->  +----------+
//!           |   Idle   |                                                 |   Busy   |
//!           +----------+  <--------------------------------------------  +----------+
//!                 |          (2) State::poll_idle: the job hands file and
//!                 |              buffer back with its Operation
//!                 v
//!            (3) Idle, no file: the job was lost (its pool task panicked or
//!                was cancelled); poll_idle says so once, later calls fail
//! ```
//!
//! - **Idle** (`State::Idle`): no job runs. The buffer is empty or holds *read-ahead*:
//!   bytes a read job fetched beyond what its caller took. The OS file position is past
//!   them, so the position the caller sees is the OS position minus `Buf::unread`.
//! - **Busy** (`State::Busy`): one job runs; the `File` holds only its `JoinHandle`.
//!   At most one job runs at a time, so jobs happen in the order they were started.
//!
//! (2) is also the wait every call begins with. It hands the caller the finished
//! job's [`Operation`], so that a read or a seek can take its own result. A failed
//! write is returned as an error instead: a write-behind error surfaces at the next
//! call on the `File`, whichever it is. Any other result whose caller stopped waiting
//! (its future was dropped) is dropped by that next call, except read-ahead, which
//! stays in the buffer.

#![deny(unsafe_code)]

use std::fs::Metadata;
use std::future::Future;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use crate::fs::job_failed;
use crate::task::{JoinHandle, spawn_blocking};

/// Where a `File` is: see the diagram above.
pub(super) enum State {
    /// No job runs; the file and buffer are here.
    Idle(Idle),
    /// A job runs on the pool with the file and buffer; it returns them in `Done`.
    Busy(JoinHandle<Done>),
}

/// An idle `File`'s contents.
pub(super) struct Idle {
    /// `None` only after a job was lost with the file (transition 3).
    pub(super) file: Option<std::fs::File>,
    pub(super) buf: Buf,
}

impl Idle {
    /// A fresh `File`'s contents: `file`, and an empty buffer.
    pub(super) fn new(file: std::fs::File) -> Idle {
        Idle {
            file: Some(file),
            buf: Buf::default(),
        }
    }
}

/// What a job hands back: the file and buffer it borrowed, and its result.
pub(super) struct Done {
    file: std::fs::File,
    buf: Buf,
    operation: Operation,
}

/// A finished job's result, by kind of job.
pub(super) enum Operation {
    /// A read of this many bytes, now in the buffer as read-ahead (0 at end of file).
    Read(io::Result<usize>),
    /// A write-behind `write_all`.
    Write(io::Result<()>),
    /// A seek, with the position its caller asked for (before read-ahead adjusted it).
    Seek {
        /// What the caller passed to `poll_seek`.
        from: SeekFrom,
        result: io::Result<u64>,
    },
    /// `metadata`.
    Metadata(io::Result<Metadata>),
    /// A call with no answer but success: `set_len`, `sync_all`, `sync_data`, and
    /// `into_std`'s rewind.
    Call(io::Result<()>),
}

impl State {
    /// Transition (2), and the wait every call starts with: until no job runs, returns
    /// the idle contents and the operation of the job that just finished (if one did).
    /// A failed write-behind is returned as the error.
    pub(super) fn poll_idle(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(&mut Idle, Option<Operation>)>> {
        let mut finished = None;
        loop {
            match *self {
                State::Idle(ref mut idle) => return Poll::Ready(Ok((idle, finished))),
                State::Busy(ref mut job) => {
                    let done = ready!(Pin::new(job).poll(cx));
                    let Done {
                        file,
                        buf,
                        operation,
                    } = match done {
                        Ok(done) => done,
                        // Transition (3).
                        Err(error) => {
                            *self = State::Idle(Idle {
                                file: None,
                                buf: Buf::default(),
                            });
                            return Poll::Ready(Err(job_failed(error)));
                        }
                    };
                    *self = State::Idle(Idle {
                        file: Some(file),
                        buf,
                    });
                    if let Operation::Write(Err(error)) = operation {
                        return Poll::Ready(Err(error));
                    }
                    finished = Some(operation);
                }
            }
        }
    }
}

impl Idle {
    /// Transition (1): lends the file and the buffer to `job` on the pool, and returns
    /// the Busy state, for the caller to store in place of this one.
    pub(super) fn start<F>(&mut self, job: F) -> io::Result<State>
    where
        F: FnOnce(&mut std::fs::File, &mut Buf) -> Operation + Send + 'static,
    {
        let mut file = self.file.take().ok_or_else(file_lost)?;
        let mut buf = mem::take(&mut self.buf);
        Ok(State::Busy(spawn_blocking(move || {
            let operation = job(&mut file, &mut buf);
            Done {
                file,
                buf,
                operation,
            }
        })))
    }
}

/// The bytes a job carries: read-ahead after a read, the caller's bytes for a write.
/// One allocation, reused by every job of the `File`.
#[derive(Default)]
pub(super) struct Buf {
    data: Vec<u8>,
    /// How much of `data` a read has already taken.
    pos: usize,
}

impl Buf {
    /// How many bytes of read-ahead nobody has read yet.
    pub(super) fn unread(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Moves read-ahead into `dst`; returns how many bytes.
    pub(super) fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let len = self.unread().min(dst.len());
        dst[..len].copy_from_slice(&self.data[self.pos..self.pos + len]);
        self.pos += len;
        len
    }

    /// Empties the buffer; returns how many unread bytes it dropped.
    pub(super) fn discard(&mut self) -> usize {
        let unread = self.unread();
        self.data.clear();
        self.pos = 0;
        unread
    }

    /// Takes a copy of the caller's bytes, to write (the buffer is empty).
    pub(super) fn fill(&mut self, src: &[u8]) {
        self.data.extend_from_slice(src);
    }

    /// Runs on the pool: one `read` of up to `len` bytes into the buffer. One
    /// call, not a loop: a pipe or terminal opened as a file answers what it has.
    pub(super) fn read_from(&mut self, file: &mut std::fs::File, len: usize) -> io::Result<usize> {
        self.discard();
        self.data.resize(len, 0);
        let result = loop {
            match file.read(&mut self.data) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                result => break result,
            }
        };
        self.data.truncate(*result.as_ref().unwrap_or(&0));
        result
    }

    /// Runs on the pool: steps back over `unread` bytes of dropped read-ahead, then
    /// writes the whole buffer, which is empty afterwards whatever happened.
    pub(super) fn write_to(&mut self, file: &mut std::fs::File, unread: usize) -> io::Result<()> {
        let result = seek_back(file, unread).and_then(|()| file.write_all(&self.data));
        self.discard();
        result
    }
}

/// Runs on the pool: moves the OS position back over `unread` bytes of read-ahead, so
/// it is where the caller's reads got to.
pub(super) fn seek_back(file: &mut std::fs::File, unread: usize) -> io::Result<()> {
    if unread > 0 {
        // Read-ahead is at most `MAX_BUF` (2 MiB): the cast cannot overflow.
        file.seek(SeekFrom::Current(-(unread as i64)))?;
    }
    Ok(())
}

/// The error for every call after transition (3).
pub(super) fn file_lost() -> io::Error {
    io::Error::other("evloop::fs::File: the file was lost with a blocking-pool job that failed")
}
