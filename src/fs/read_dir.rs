//! `read_dir`: a directory listing fetched from the blocking pool in batches.
//!
//! A [`ReadDir`] is in one of two states:
//!
//! - **Idle**: a [`Batch`] of entries already fetched, and the `std::fs::ReadDir` to
//!   fetch more from (`None` once the directory is exhausted).
//! - **Busy**: a pool job holds the `std::fs::ReadDir` and fetches the next batch.
//!
//! `poll_next_entry` hands out the batch's entries one by one (no job, no wait); when
//! the batch is empty it moves the `std::fs::ReadDir` into a job (Idle → Busy), and the
//! job's batch makes it Idle again. One job per [`BATCH`] entries, not one per entry.

#![deny(unsafe_code)]

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::fs::{FileType, Metadata};
use std::future::{Future, poll_fn};
use std::io;
use std::mem;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_core::Stream;

use super::{job_failed, run_blocking};
use crate::task::{JoinHandle, spawn_blocking};

/// How many entries one pool job reads. A job costs a thread hand-off and a wake
/// (microseconds); a directory entry costs well under that, so a batch amortises the
/// hand-off while keeping each job short.
const BATCH: usize = 32;

/// Opens the directory at `path` for listing (like [`std::fs::read_dir`]). The first
/// batch of entries is read by the same job.
///
/// # Errors
///
/// Those of [`std::fs::read_dir`]: `NotFound`, `NotADirectory`, `PermissionDenied`, ...
///
/// # Examples
///
/// ```
/// use evloop::fs;
///
/// evloop::block_on(async {
///     let dir = std::env::temp_dir().join(format!("evloop-doc-read-dir-{}", std::process::id()));
///     fs::create_dir_all(&dir).await?;
///     fs::write(dir.join("a.txt"), "a").await?;
///     let mut names = Vec::new();
///     let mut entries = fs::read_dir(&dir).await?;
///     while let Some(entry) = entries.next_entry().await? {
///         names.push(entry.file_name());
///     }
///     assert_eq!(names, ["a.txt"]);
///     fs::remove_dir_all(&dir).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let batch =
        run_blocking(move || Ok(Batch::fetch(std::fs::read_dir(path)?, VecDeque::new()))).await?;
    Ok(ReadDir {
        state: State::Idle(batch),
    })
}

/// The entries of a directory, from [`read_dir`].
///
/// The order is the file system's (not sorted), and `.` and `..` are skipped, as in std.
pub struct ReadDir {
    state: State,
}

enum State {
    /// Entries to hand out; `Batch::rest` reads more.
    Idle(Batch),
    /// A job is reading the next batch.
    Busy(JoinHandle<Batch>),
}

/// What one job reads: up to [`BATCH`] entries (or an error, always last), and the
/// listing to continue from, `None` once it reported its end.
struct Batch {
    entries: VecDeque<io::Result<DirEntry>>,
    rest: Option<std::fs::ReadDir>,
}

impl Batch {
    /// Runs on the pool: appends up to [`BATCH`] entries of `listing` to `entries` (an
    /// empty queue, passed in to reuse its allocation). Stops early after an error, so
    /// that it is handed out in order, before any later entry.
    fn fetch(mut listing: std::fs::ReadDir, mut entries: VecDeque<io::Result<DirEntry>>) -> Batch {
        for _ in 0..BATCH {
            match listing.next() {
                None => {
                    return Batch {
                        entries,
                        rest: None,
                    };
                }
                Some(Ok(entry)) => entries.push_back(Ok(DirEntry::new(entry))),
                Some(Err(error)) => {
                    entries.push_back(Err(error));
                    break;
                }
            }
        }
        Batch {
            entries,
            rest: Some(listing),
        }
    }
}

impl ReadDir {
    /// The next entry, `Ok(None)` at the end of the directory.
    ///
    /// Cancel-safe: if the future is dropped while a batch is being read, the batch is
    /// kept for the next call and no entry is lost.
    ///
    /// # Errors
    ///
    /// An error reading the directory, as std reports it; the listing may continue
    /// after it. If the pool job itself failed (the runtime shutting down), the error
    /// says so and the listing ends.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// The poll form of [`next_entry`](Self::next_entry), for hand-written futures and
    /// streams: `Pending` while a batch is being read (`cx`'s waker is woken when it
    /// arrives).
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match self.state {
                State::Idle(ref mut batch) => {
                    if let Some(entry) = batch.entries.pop_front() {
                        return Poll::Ready(entry.map(Some));
                    }
                    let Some(listing) = batch.rest.take() else {
                        return Poll::Ready(Ok(None));
                    };
                    let entries = mem::take(&mut batch.entries);
                    self.state =
                        State::Busy(spawn_blocking(move || Batch::fetch(listing, entries)));
                }
                State::Busy(ref mut job) => match ready!(Pin::new(job).poll(cx)) {
                    Ok(batch) => self.state = State::Idle(batch),
                    Err(error) => {
                        self.state = State::Idle(Batch {
                            entries: VecDeque::new(),
                            rest: None,
                        });
                        return Poll::Ready(Err(job_failed(error)));
                    }
                },
            }
        }
    }
}

/// The entries, as [`next_entry`](ReadDir::next_entry) gives them: the stream ends at
/// the end of the directory, and an error reading it is an item (the listing may go
/// on after it).
///
/// # Examples
///
/// ```
/// use evloop::fs;
/// use futures::TryStreamExt;
///
/// evloop::block_on(async {
///     let dir = std::env::temp_dir().join(format!("evloop-doc-stream-{}", std::process::id()));
///     fs::create_dir_all(&dir).await?;
///     fs::write(dir.join("a"), b"").await?;
///     fs::write(dir.join("b"), b"").await?;
///     let entries: Vec<fs::DirEntry> = fs::read_dir(&dir).await?.try_collect().await?;
///     let mut names: Vec<_> = entries.iter().map(|e| e.file_name()).collect();
///     names.sort();
///     assert_eq!(names, ["a", "b"]);
///     fs::remove_dir_all(&dir).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_entry(cx).map(Result::transpose)
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ReadDir");
        match &self.state {
            State::Idle(batch) => debug
                .field("state", &"idle")
                .field("fetched", &batch.entries.len())
                .field("finished", &batch.rest.is_none()),
            State::Busy(_) => debug.field("state", &"reading a batch"),
        };
        debug.finish()
    }
}

/// One entry of a [`ReadDir`]: a name in a directory.
///
/// The name and path are known without a system call; [`file_type`](Self::file_type)
/// usually is too (Linux directory listings carry it, and the batch job keeps it);
/// [`metadata`](Self::metadata) goes to the pool.
pub struct DirEntry {
    /// Shared with the jobs that ask for its metadata.
    std: Arc<std::fs::DirEntry>,
    /// Read by the batch job; `None` if that failed, and `file_type` tries again.
    file_type: Option<FileType>,
}

impl DirEntry {
    /// Runs on the pool, inside a batch job.
    fn new(std: std::fs::DirEntry) -> DirEntry {
        DirEntry {
            file_type: std.file_type().ok(),
            std: Arc::new(std),
        }
    }

    /// The full path: the directory given to [`read_dir`] joined with the file name.
    pub fn path(&self) -> PathBuf {
        self.std.path()
    }

    /// The bare file name, without the directory.
    pub fn file_name(&self) -> OsString {
        self.std.file_name()
    }

    /// The entry's metadata, not following a symbolic link (like
    /// [`std::fs::DirEntry::metadata`]).
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::DirEntry::metadata`]: `NotFound` if the entry was removed
    /// since the listing, ...
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        run_blocking(move || std.metadata()).await
    }

    /// Whether the entry is a file, a directory, a symbolic link, ... (not following
    /// links). Answered at once when the listing said; otherwise asked on the pool.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::DirEntry::file_type`].
    pub async fn file_type(&self) -> io::Result<FileType> {
        if let Some(file_type) = self.file_type {
            return Ok(file_type);
        }
        let std = self.std.clone();
        run_blocking(move || std.file_type()).await
    }
}

impl fmt::Debug for DirEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DirEntry").field(&self.path()).finish()
    }
}
