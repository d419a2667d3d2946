//! Asynchronous I/O: the `futures-io` traits, the helpers to call them with `.await`,
//! [`Async`], which makes any pollable file descriptor an async one, and the process's
//! [`stdin`], [`stdout`] and [`stderr`].
//!
//! evloop's streams implement the four `futures-io` traits ([`AsyncRead`],
//! [`AsyncWrite`], [`AsyncBufRead`], [`AsyncSeek`]), the ones async-std, smol and the
//! `futures` crate use. Those traits are poll-based (`poll_read(cx, buf)`); the
//! extension traits ([`AsyncReadExt`], [`AsyncWriteExt`], [`AsyncBufReadExt`],
//! [`AsyncSeekExt`]) wrap each call in a future, so code says
//! `stream.read(&mut buf).await`.
//!
//! The extension traits and the helpers beside them ([`BufReader`], [`BufWriter`],
//! [`copy`], [`Cursor`], ...) are `futures-util`'s, re-exported: the very items that
//! `futures::io` exports. So a program that also uses the `futures` crate sees one
//! `AsyncReadExt`, not two that make every `read` call ambiguous. evloop adds what
//! `futures-util` lacks: [`copy_bidirectional`] (a proxy's core), [`Async`], and
//! [`stdin`], [`stdout`] and [`stderr`] (see below).
//!
//! ```no_run
//! use evloop::io::{AsyncReadExt, AsyncWriteExt};
//! use evloop::net::TcpStream;
//!
//! # evloop::block_on(async {
//! let mut stream = TcpStream::connect("127.0.0.1:7778").await?;
//! stream.write_all(b"hello").await?;
//! let mut reply = [0; 5];
//! stream.read_exact(&mut reply).await?;
//! # std::io::Result::Ok(()) })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! Buffered reading, line by line ([`lines`](AsyncBufReadExt::lines) is a `Stream`):
//!
//! ```
//! use evloop::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
//!
//! evloop::block_on(async {
//!     let input: &[u8] = b"first\nsecond\nthe rest";
//!     let mut reader = BufReader::new(input);
//!     let mut line = String::new();
//!     reader.read_line(&mut line).await?;
//!     assert_eq!(line, "first\n");
//!     let mut rest = String::new();
//!     reader.take(6).read_to_string(&mut rest).await?;
//!     assert_eq!(rest, "second");
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! # Splitting a stream
//!
//! evloop's `TcpStream` and `UnixStream` split without a lock: `&TcpStream` is itself
//! `AsyncRead + AsyncWrite` (two borrowed halves are two shared references), and
//! [`TcpStream::split`](crate::net::TcpStream::split) gives owned halves for two
//! tasks. [`AsyncReadExt::split`] splits any other stream (a TLS stream, a
//! [`BufReader`]) behind a lock.
//!
//! # Standard input and output
//!
//! [`stdin`], [`stdout`] and [`stderr`] are tokio's functions of the same names. They
//! do not put fds 0, 1 and 2 on the reactor: that would need `O_NONBLOCK`, a flag of
//! the open file description, which the parent shell or the rest of a pipeline shares,
//! and which would make *their* reads and writes fail with `EAGAIN`. Each handle runs
//! blocking reads, or write-behind writes, on the [blocking
//! pool](crate::task::spawn_blocking) instead, one job at a time, so their order holds;
//! `flush().await` waits until every byte is written (`src/io/stdio/` has the details).
//!
//! ```no_run
//! use evloop::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
//! use futures::TryStreamExt;
//!
//! # evloop::block_on(async {
//! let mut lines = BufReader::new(evloop::io::stdin()).lines();
//! let mut stdout = evloop::io::stdout();
//! while let Some(line) = lines.try_next().await? {
//!     stdout.write_all(line.to_uppercase().as_bytes()).await?;
//!     stdout.write_all(b"\n").await?;
//! }
//! stdout.flush().await?;
//! # std::io::Result::Ok(()) })?;
//! # std::io::Result::Ok(())
//! ```

#![deny(unsafe_code)]

mod async_fd;
mod copy_bidirectional;
mod stdio;

pub use async_fd::Async;
pub use copy_bidirectional::copy_bidirectional;
pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use futures_util::io::{
    AllowStdIo, AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter,
    Chain, Cursor, Empty, LineWriter, Lines, ReadHalf, Repeat, ReuniteError, Sink, Take, Window,
    WriteHalf, copy, copy_buf, empty, repeat, sink,
};
pub use stdio::{Stderr, Stdin, Stdout, stderr, stdin, stdout};
