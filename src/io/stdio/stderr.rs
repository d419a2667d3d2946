//! `Stderr`: the process's standard error, written on the blocking pool.

#![deny(unsafe_code)]

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::AsyncWrite;

use super::blocking::Blocking;

/// The process's standard error, written on the blocking pool: tokio's `Stderr`, but
/// with `futures-io`'s [`AsyncWrite`], and `!Send`, like every evloop handle.
///
/// Made by [`stderr`]. Writes are *write-behind*: `write` copies the bytes (up to
/// 2 MiB) and returns while a pool job passes them to `std::io::stderr().write_all`.
/// One job runs at a time, so writes keep their order; a write that fails (with
/// `BrokenPipe` once nobody reads the pipe) is the error of the next call.
/// [`flush`](crate::io::AsyncWriteExt::flush) waits for the last write (std's
/// `Stderr` has no buffer of its own): after `flush().await`, dropping the handle
/// loses nothing. `close` flushes; the fd stays open. The
/// [`io`](crate::io#standard-input-and-output) docs say why evloop does not set
/// `O_NONBLOCK`.
///
/// # Examples
///
/// ```
/// use evloop::io::AsyncWriteExt;
///
/// evloop::block_on(async {
///     let mut stderr = evloop::io::stderr();
///     stderr.write_all(b"hello, ").await?;
///     stderr.write_all(b"stderr\n").await?;
///     stderr.flush().await
/// })?;
/// # std::io::Result::Ok(())
/// ```
///
/// # Caveats
///
/// Dropping a `Stderr` without flushing lets a pending write finish on the pool, but
/// nobody sees its error, and a process that exits at once may be gone before the job
/// has run. Flush first.
pub struct Stderr {
    inner: Blocking<io::Stderr>,
}

/// Returns a handle to the process's standard error (like `tokio::io::stderr`).
///
/// Each call makes a new handle; all of them write through std's one locked `Stderr`,
/// in the order their jobs run. Use one handle for bytes whose order matters.
///
/// # Panics
///
/// Its first write panics outside a runtime, as every pool job does.
pub fn stderr() -> Stderr {
    Stderr {
        inner: Blocking::new(io::stderr()),
    }
}

impl AsyncWrite for Stderr {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_write(cx, src)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.poll_flush(cx)
    }

    /// Flushes; fd 2 stays open.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl fmt::Debug for Stderr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stderr")
            .field("inner", &self.inner)
            .finish()
    }
}
