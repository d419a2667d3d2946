//! `File`: an open file whose reads, writes and seeks run on the blocking pool.
//!
//! A `File` is idle (the std file and a buffer at rest) or busy (both lent to one job
//! on the pool); `state.rs` draws that machine and its transitions (0) to (3). What
//! each call does with it:
//!
//! - `poll_read`: read-ahead left? Copy it (0). Otherwise start a read of the caller's
//!   length, at least [`READ_AHEAD`] and at most [`MAX_BUF`] (1); when it is back (2),
//!   copy from the buffer.
//! - `poll_write`: wait until idle (2); step the OS position back over unread
//!   read-ahead and drop it; copy the caller's bytes (up to [`MAX_BUF`]) into the
//!   buffer; start a `write_all` (1); return `Ready(n)` at once. This is write-behind,
//!   as in tokio: the bytes are on their way, not yet written.
//! - `poll_seek`: wait until idle (2); turn `SeekFrom::Current` into a position
//!   relative to the OS position (behind it by the unread read-ahead); drop the
//!   read-ahead; start the seek (1) and wait for its result (2).
//! - `poll_flush`, `poll_close`: wait until idle (2).
//! - `metadata`, `set_len`, `sync_all`, `sync_data`, `into_std` (`File::run`): wait
//!   until idle (2), start their job (1), wait for its result (2).

#![deny(unsafe_code)]

mod state;

use std::fmt;
use std::fs::Metadata;
use std::future::poll_fn;
use std::io::{self, Seek, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};

use self::state::{Buf, Idle, Operation, State, file_lost, seek_back};
use super::OpenOptions;

/// The least a read job asks the OS for. A caller reading 100 bytes at a time gets
/// most of them from the buffer: one trip to the pool per 16 KiB, not per call.
const READ_AHEAD: usize = 16 * 1024;

/// The most one job reads or writes. A bigger caller buffer gets a short read or write
/// (as the traits allow), and the buffer a `File` keeps stays bounded.
const MAX_BUF: usize = 2 * 1024 * 1024;

/// An open file. Reads, writes and seeks run on the blocking pool (see the
/// [module docs](super) for why).
///
/// It implements [`AsyncRead`], [`AsyncWrite`] and [`AsyncSeek`]. Small reads are served
/// from a read-ahead buffer (at least 16 KiB per trip to the pool); writes are
/// *write-behind*: `write` returns as soon as the bytes are copied, and a failed write
/// is reported by the next call on the file. Call [`flush`](crate::io::AsyncWriteExt::flush)
/// (or [`sync_all`](Self::sync_all)) to know that every write succeeded.
///
/// # Examples
///
/// ```
/// use evloop::fs::File;
/// use evloop::io::{AsyncReadExt, AsyncWriteExt};
///
/// evloop::block_on(async {
///     let path = std::env::temp_dir().join(format!("evloop-doc-file-{}", std::process::id()));
///     let mut file = File::create(&path).await?;
///     file.write_all(b"hello, ").await?;
///     file.write_all(b"file").await?;
///     file.flush().await?;
///
///     let mut text = String::new();
///     File::open(&path).await?.read_to_string(&mut text).await?;
///     assert_eq!(text, "hello, file");
///     evloop::fs::remove_file(&path).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
///
/// # Caveats
///
/// - The methods take `&mut self`: between calls, the std file may be on a pool thread.
/// - Dropping a `File` with a write still pending lets the write finish on the pool,
///   but nobody sees its error. Flush first.
/// - `poll_seek` that returned `Pending` must be polled again with the same position,
///   as `futures-io` expects. A seek whose future was dropped still happens.
/// - Read-ahead is a snapshot: bytes another process writes within it after it was
///   read are not seen until a seek discards it.
pub struct File {
    state: State,
}

/// The answer `run` waits for is the job it started itself.
const OWN_JOB: &str = "the job `File::run` started is the next to finish";

impl File {
    /// Opens `path` for reading.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::File::open`]: `NotFound`, `PermissionDenied`, ...
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens `path` for writing, creating the file or truncating it.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::File::create`]: `NotFound` for a missing directory, ...
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Options for opening a file in any other way: append, create_new, ...
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps a std file; its position is where reads and writes start.
    pub fn from_std(file: std::fs::File) -> File {
        File {
            state: State::Idle(Idle::new(file)),
        }
    }

    /// Waits for the pending operation and returns the std file, positioned where
    /// this `File`'s reader was (unread read-ahead is given back with a seek).
    ///
    /// # Errors
    ///
    /// The error of a failed pending write (the file is then closed: [`flush`] first to
    /// handle it and keep the file), of the seek, or of a lost pool job.
    ///
    /// [`flush`]: crate::io::AsyncWriteExt::flush
    pub async fn into_std(mut self) -> io::Result<std::fs::File> {
        self.call(|file, buf| seek_back(file, buf.discard()))
            .await?;
        poll_fn(|cx| {
            let (idle, _) = ready!(self.state.poll_idle(cx))?;
            Poll::Ready(idle.file.take().ok_or_else(file_lost))
        })
        .await
    }

    /// The file's metadata (like [`std::fs::File::metadata`]), after any pending write.
    ///
    /// # Errors
    ///
    /// A failed pending write, or the error of `fstat`.
    pub async fn metadata(&mut self) -> io::Result<Metadata> {
        match self
            .run(|file, _| Operation::Metadata(file.metadata()))
            .await?
        {
            Operation::Metadata(result) => result,
            _ => unreachable!("{OWN_JOB}"),
        }
    }

    /// Truncates or extends the file to `len` bytes (like [`std::fs::File::set_len`]).
    /// The position does not move; read-ahead is dropped, as it may be stale.
    ///
    /// # Errors
    ///
    /// A failed pending write, or the error of `ftruncate` (`InvalidInput` for a file
    /// not open for writing).
    pub async fn set_len(&mut self, len: u64) -> io::Result<()> {
        self.call(move |file, buf| seek_back(file, buf.discard()).and_then(|()| file.set_len(len)))
            .await
    }

    /// Waits for pending writes, then flushes data and metadata to the disk (like
    /// [`std::fs::File::sync_all`]).
    ///
    /// # Errors
    ///
    /// A failed pending write, or the error of `fsync`.
    pub async fn sync_all(&mut self) -> io::Result<()> {
        self.call(|file, _| file.sync_all()).await
    }

    /// Like [`sync_all`](Self::sync_all), but without metadata the data does not need
    /// (like [`std::fs::File::sync_data`]).
    ///
    /// # Errors
    ///
    /// A failed pending write, or the error of `fdatasync`.
    pub async fn sync_data(&mut self) -> io::Result<()> {
        self.call(|file, _| file.sync_data()).await
    }

    /// Waits until idle, runs `job` on the pool, and returns its operation.
    async fn run<F>(&mut self, job: F) -> io::Result<Operation>
    where
        F: FnOnce(&mut std::fs::File, &mut Buf) -> Operation + Send + 'static,
    {
        let mut job = Some(job);
        poll_fn(|cx| {
            loop {
                let (idle, finished) = ready!(self.state.poll_idle(cx))?;
                match job.take() {
                    Some(job) => self.state = idle.start(job)?,
                    None => return Poll::Ready(Ok(finished.expect(OWN_JOB))),
                }
            }
        })
        .await
    }

    /// [`run`](Self::run) for a job that answers only success or an error.
    async fn call<F>(&mut self, call: F) -> io::Result<()>
    where
        F: FnOnce(&mut std::fs::File, &mut Buf) -> io::Result<()> + Send + 'static,
    {
        match self
            .run(|file, buf| Operation::Call(call(file, buf)))
            .await?
        {
            Operation::Call(result) => result,
            _ => unreachable!("{OWN_JOB}"),
        }
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            let (idle, finished) = ready!(this.state.poll_idle(cx))?;
            if let Some(Operation::Read(result)) = finished {
                result?;
                return Poll::Ready(Ok(idle.buf.copy_to(dst)));
            }
            if idle.buf.unread() > 0 || dst.is_empty() {
                return Poll::Ready(Ok(idle.buf.copy_to(dst)));
            }
            let len = dst.len().clamp(READ_AHEAD, MAX_BUF);
            this.state = idle.start(move |file, buf| Operation::Read(buf.read_from(file, len)))?;
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let (idle, _) = ready!(this.state.poll_idle(cx))?;
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let unread = idle.buf.discard();
        let len = src.len().min(MAX_BUF);
        idle.buf.fill(&src[..len]);
        this.state = idle.start(move |file, buf| Operation::Write(buf.write_to(file, unread)))?;
        Poll::Ready(Ok(len))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.get_mut().state.poll_idle(cx))?;
        Poll::Ready(Ok(()))
    }

    /// Flushes; the file itself closes when the `File` is dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        loop {
            let (idle, finished) = ready!(this.state.poll_idle(cx))?;
            match finished {
                Some(Operation::Seek { from, result }) if from == pos => {
                    return Poll::Ready(result);
                }
                _ => {}
            }
            // The OS position is ahead of the caller's by the unread read-ahead.
            let target = match pos {
                SeekFrom::Current(offset) => {
                    SeekFrom::Current(offset.checked_sub(idle.buf.unread() as i64).ok_or_else(
                        || io::Error::new(io::ErrorKind::InvalidInput, "seek offset overflows"),
                    )?)
                }
                absolute => absolute,
            };
            idle.buf.discard();
            this.state = idle.start(move |file, _| Operation::Seek {
                from: pos,
                result: file.seek(target),
            })?;
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("File");
        match &self.state {
            State::Idle(idle) => debug
                .field("file", &idle.file)
                .field("read_ahead", &idle.buf.unread()),
            State::Busy(job) => debug.field("busy", job),
        };
        debug.finish()
    }
}
