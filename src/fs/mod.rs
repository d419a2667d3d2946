//! Files and directories, with every system call run on the blocking pool.
//!
//! Why not epoll? A regular file is never "not ready": epoll refuses to watch one
//! (`epoll_ctl` answers `EPERM`), and a `read` that misses the page cache simply puts the
//! thread to sleep until the disk answers. On the loop thread that would stall every
//! task. So, like Node's libuv, evloop hands each file operation to a worker thread of
//! the [blocking pool](crate::task::spawn_blocking) and the task waits for the result
//! like it waits for a socket: `Pending` now, a wake when the worker is done.
//!
//! The free functions mirror [`std::fs`] one for one and return exactly the
//! [`io::Error`]s std returns (a missing file is [`io::ErrorKind::NotFound`]).
//! [`File`] reads ahead and writes behind so that small reads and writes do not each
//! cost a trip to the pool; [`ReadDir`] fetches directory entries in batches.
//!
//! ```
//! use evloop::fs;
//!
//! evloop::block_on(async {
//!     let dir = std::env::temp_dir().join(format!("evloop-doc-fs-{}", std::process::id()));
//!     fs::create_dir_all(&dir).await?;
//!     fs::write(dir.join("greeting.txt"), "hello from the pool").await?;
//!     assert_eq!(fs::read_to_string(dir.join("greeting.txt")).await?, "hello from the pool");
//!     fs::remove_dir_all(&dir).await?;
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! # Panics
//!
//! Every operation needs a runtime: called outside one, it panics.

#![deny(unsafe_code)]

mod file;
mod open_options;
mod read_dir;

use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

pub use file::File;
pub use open_options::OpenOptions;
pub use read_dir::{DirEntry, ReadDir, read_dir};

use crate::task::{JoinError, spawn_blocking};

/// Runs `f` on the blocking pool and returns its result.
///
/// The one place where a free function meets the pool: a job that panicked, or was
/// cancelled by a runtime shutting down, becomes an [`io::Error`] of kind `Other`.
async fn run_blocking<T, F>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    spawn_blocking(f)
        .await
        .unwrap_or_else(|error| Err(job_failed(error)))
}

/// The error for a pool job that never delivered its result.
fn job_failed(error: JoinError) -> io::Error {
    io::Error::other(format!("evloop::fs: the blocking-pool job failed: {error}"))
}

/// Reads the whole file at `path` (like [`std::fs::read`]).
///
/// # Errors
///
/// Those of [`std::fs::read`]: `NotFound` for a missing file, `PermissionDenied`, ...
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let path = std::env::temp_dir().join(format!("evloop-doc-read-{}", std::process::id()));
///     evloop::fs::write(&path, [1, 2, 3]).await?;
///     assert_eq!(evloop::fs::read(&path).await?, [1, 2, 3]);
///     evloop::fs::remove_file(&path).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::read(path)).await
}

/// Reads the whole file at `path` as UTF-8 (like [`std::fs::read_to_string`]).
///
/// # Errors
///
/// Those of [`std::fs::read_to_string`]; `InvalidData` if the file is not UTF-8.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::read_to_string(path)).await
}

/// Writes `contents` to the file at `path`, creating it or replacing what it held
/// (like [`std::fs::write`]). The bytes are copied, so the job can own them.
///
/// # Errors
///
/// Those of [`std::fs::write`]: `NotFound` if the directory does not exist, ...
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let path = std::env::temp_dir().join(format!("evloop-doc-write-{}", std::process::id()));
///     evloop::fs::write(&path, "first").await?;
///     evloop::fs::write(&path, "second").await?;
///     assert_eq!(evloop::fs::read_to_string(&path).await?, "second");
///     evloop::fs::remove_file(&path).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    run_blocking(move || std::fs::write(path, contents)).await
}

/// Creates the directory `path` and any missing parents (like
/// [`std::fs::create_dir_all`]); a directory that already exists is fine.
///
/// # Errors
///
/// Those of [`std::fs::create_dir_all`]: a parent that is a file, `PermissionDenied`, ...
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::create_dir_all(path)).await
}

/// Creates the directory `path`, whose parent must exist (like [`std::fs::create_dir`]).
///
/// # Errors
///
/// Those of [`std::fs::create_dir`]: `AlreadyExists`, `NotFound` for a missing parent, ...
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::create_dir(path)).await
}

/// Removes the file (or symbolic link) at `path` (like [`std::fs::remove_file`]).
///
/// # Errors
///
/// Those of [`std::fs::remove_file`]: `NotFound`, `IsADirectory`, ...
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::remove_file(path)).await
}

/// Removes the empty directory at `path` (like [`std::fs::remove_dir`]).
///
/// # Errors
///
/// Those of [`std::fs::remove_dir`]: `NotFound`, `DirectoryNotEmpty`, ...
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::remove_dir(path)).await
}

/// Removes the directory at `path` and everything in it (like
/// [`std::fs::remove_dir_all`]). The whole walk is one job on the pool.
///
/// # Errors
///
/// Those of [`std::fs::remove_dir_all`]: `NotFound`, `PermissionDenied`, ...
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::remove_dir_all(path)).await
}

/// Renames `from` to `to`, replacing `to` if it is a file (like [`std::fs::rename`]).
///
/// # Errors
///
/// Those of [`std::fs::rename`]: `NotFound`, `CrossesDevices`, ...
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    run_blocking(move || std::fs::rename(from, to)).await
}

/// Copies the contents and permissions of the file `from` to `to`, returning the number
/// of bytes copied (like [`std::fs::copy`]).
///
/// # Errors
///
/// Those of [`std::fs::copy`]: `NotFound` for a missing `from`, ...
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    run_blocking(move || std::fs::copy(from, to)).await
}

/// The metadata of `path`, following symbolic links (like [`std::fs::metadata`]).
///
/// # Errors
///
/// Those of [`std::fs::metadata`]: `NotFound`, `PermissionDenied`, ...
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let path = std::env::temp_dir().join(format!("evloop-doc-metadata-{}", std::process::id()));
///     evloop::fs::write(&path, "12345").await?;
///     assert_eq!(evloop::fs::metadata(&path).await?.len(), 5);
///     evloop::fs::remove_file(&path).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::metadata(path)).await
}

/// The metadata of `path` itself, not following a symbolic link (like
/// [`std::fs::symlink_metadata`]).
///
/// # Errors
///
/// Those of [`std::fs::symlink_metadata`]: `NotFound`, `PermissionDenied`, ...
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::symlink_metadata(path)).await
}

/// The absolute form of `path`, with every symbolic link resolved (like
/// [`std::fs::canonicalize`]).
///
/// # Errors
///
/// Those of [`std::fs::canonicalize`]: `NotFound` if any component is missing, ...
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    run_blocking(move || std::fs::canonicalize(path)).await
}
