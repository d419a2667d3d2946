//! `Stdout`: the process's standard output, written on the blocking pool.

#![deny(unsafe_code)]

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::AsyncWrite;

use super::blocking::Blocking;

/// The process's standard output, written on the blocking pool: tokio's `Stdout`, but
/// with `futures-io`'s [`AsyncWrite`], and `!Send`, like every evloop handle.
///
/// Made by [`stdout`]. Writes are *write-behind*: `write` copies the bytes (up to
/// 2 MiB) and returns while a pool job passes them to `std::io::stdout().write_all`.
/// One job runs at a time, so writes keep their order; a write that fails (with
/// `BrokenPipe` once nobody reads the pipe) is the error of the next call.
/// [`flush`](crate::io::AsyncWriteExt::flush) waits for the last write and then
/// flushes std's line buffer: after `flush().await`, dropping the handle loses
/// nothing. `close` flushes; the fd stays open. The
/// [`io`](crate::io#standard-input-and-output) docs say why evloop does not set
/// `O_NONBLOCK`.
///
/// # Examples
///
/// ```
/// use evloop::io::AsyncWriteExt;
///
/// evloop::block_on(async {
///     let mut stdout = evloop::io::stdout();
///     stdout.write_all(b"hello, ").await?;
///     stdout.write_all(b"stdout\n").await?;
///     stdout.flush().await
/// })?;
/// # std::io::Result::Ok(())
/// ```
///
/// # Caveats
///
/// Dropping a `Stdout` without flushing lets a pending write finish on the pool, but
/// nobody sees its error, and a process that exits at once may be gone before the job
/// has run. Flush first.
pub struct Stdout {
    inner: Blocking<io::Stdout>,
}

/// Returns a handle to the process's standard output (like `tokio::io::stdout`).
///
/// Each call makes a new handle; all of them write through std's one locked `Stdout`,
/// in the order their jobs run. Use one handle for bytes whose order matters.
///
/// # Panics
///
/// Its first write panics outside a runtime, as every pool job does.
pub fn stdout() -> Stdout {
    Stdout {
        inner: Blocking::new(io::stdout()),
    }
}

impl AsyncWrite for Stdout {
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

    /// Flushes; fd 1 stays open.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl fmt::Debug for Stdout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stdout")
            .field("inner", &self.inner)
            .finish()
    }
}
