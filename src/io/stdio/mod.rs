//! The process's standard input, output and error: [`stdin`], [`stdout`], [`stderr`].
//!
//! Why not put fds 0, 1 and 2 on the reactor, like a socket? Because a non-blocking
//! read needs `O_NONBLOCK`, and that flag belongs to the *open file description*, which
//! this process shares with whoever else holds the same terminal or pipe end: its
//! parent shell, or the next command of `(prog; cat) | less`. Set it, and their reads
//! and writes, which expect to block, fail with `EAGAIN` ("Resource temporarily
//! unavailable"), even after this process has exited. (A regular file redirected as
//! stdin cannot go on epoll at all: `epoll_ctl` answers `EPERM`.) So, like tokio,
//! evloop leaves the flags alone and runs plain blocking `read`s and `write_all`s on
//! the [blocking pool](crate::task::spawn_blocking), through std's own handles (whose
//! locks and buffers the rest of the program shares): the task gets `Pending`, and a
//! wake when the pool thread is done.
//!
//! Each handle runs one job at a time, so its reads, or its writes, happen in the
//! order they were made. `blocking.rs` draws the state machine: a handle is idle, with
//! its buffer at rest, or busy, its buffer lent to a job on the pool (the same shape as
//! [`File`](crate::fs::File)'s). Writes are *write-behind*: `write` returns once the
//! bytes are copied into the buffer, and a failed write (`BrokenPipe` once the reader of
//! stdout has gone: Rust ignores `SIGPIPE`) is returned by the next call on the handle.
//! [`flush`](crate::io::AsyncWriteExt::flush) waits for the last write and flushes std's
//! buffer too, so after `flush().await` every byte is out.
//!
//! Upper-casing stdin onto stdout:
//!
//! ```no_run
//! use evloop::io::{AsyncReadExt, AsyncWriteExt};
//!
//! #[evloop::main]
//! async fn main() -> std::io::Result<()> {
//!     let (mut stdin, mut stdout) = (evloop::io::stdin(), evloop::io::stdout());
//!     let mut buf = [0; 4096];
//!     loop {
//!         let n = stdin.read(&mut buf).await?;
//!         if n == 0 {
//!             return stdout.flush().await; // end of input
//!         }
//!         buf[..n].make_ascii_uppercase();
//!         stdout.write_all(&buf[..n]).await?;
//!     }
//! }
//! ```

#![deny(unsafe_code)]

mod blocking;
mod stderr;
mod stdin;
mod stdout;

pub use stderr::{Stderr, stderr};
pub use stdin::{Stdin, stdin};
pub use stdout::{Stdout, stdout};
