//! `Stdin`: the process's standard input, read on the blocking pool.

#![deny(unsafe_code)]

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::AsyncRead;

use super::blocking::Blocking;

/// The process's standard input, read on the blocking pool: tokio's `Stdin`, but with
/// `futures-io`'s [`AsyncRead`], and `!Send`, like every evloop handle.
///
/// Made by [`stdin`]. Each `poll_read` that finds no bytes left over runs one
/// `std::io::stdin().read` on the pool, of up to the caller's length (2 MiB at most),
/// and returns what it got: a line from a terminal, a pipe's worth of bytes, `Ok(0)` at
/// the end of input. So each small read costs a trip to the pool (std's own 8 KiB
/// buffer below saves the system calls, not the trips): wrap it in a
/// [`BufReader`](crate::io::BufReader), which also reads lines. A read future dropped
/// while its job runs loses nothing: the next read returns the job's bytes. The
/// [`io`](crate::io#standard-input-and-output) docs say why evloop does not set
/// `O_NONBLOCK`.
///
/// # Examples
///
/// ```no_run
/// use evloop::io::{AsyncBufReadExt, BufReader};
/// use futures::TryStreamExt;
///
/// # evloop::block_on(async {
/// let mut lines = BufReader::new(evloop::io::stdin()).lines();
/// while let Some(line) = lines.try_next().await? {
///     println!("{} characters", line.chars().count());
/// }
/// # std::io::Result::Ok(()) })?;
/// # std::io::Result::Ok(())
/// ```
///
/// # Caveats
///
/// - A read cannot be cancelled: its job waits for input on a pool thread. If the
///   `Stdin` itself is dropped (or its runtime shuts down) while a read waits, that
///   read still takes the next input when it comes, and those bytes are lost. Keep one
///   `Stdin` for the program's life.
/// - The pool thread that waits for input counts against
///   [`Builder::max_blocking_threads`](crate::runtime::Builder::max_blocking_threads).
pub struct Stdin {
    inner: Blocking<io::Stdin>,
}

/// Returns a handle to the process's standard input (like `tokio::io::stdin`).
///
/// Each call makes a new handle with a buffer of its own; all of them read through
/// std's one locked `Stdin`.
///
/// # Panics
///
/// Its first read panics outside a runtime, as every pool job does.
pub fn stdin() -> Stdin {
    Stdin {
        inner: Blocking::new(io::stdin()),
    }
}

impl AsyncRead for Stdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_read(cx, dst)
    }
}

impl fmt::Debug for Stdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stdin").field("inner", &self.inner).finish()
    }
}
