//! `.await`-able methods on every `AsyncRead` and `AsyncWrite`.
//!
//! The `futures-io` traits are poll-based (`poll_read(cx, buf)`); these extension
//! traits wrap each call in a future, so code can say `stream.read(&mut buf).await`.

#![deny(unsafe_code)]

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::task::{Poll, ready};

use futures_io::{AsyncRead, AsyncWrite};

/// How much `read_to_end` asks for per call when the vector is full.
const READ_TO_END_CHUNK: usize = 8 * 1024;

/// Reading with `.await`. Implemented for every [`AsyncRead`].
///
/// # Examples
///
/// ```
/// use evloop::io::AsyncReadExt;
///
/// evloop::block_on(async {
///     let mut input: &[u8] = b"hello world";
///     let mut word = [0; 5];
///     input.read_exact(&mut word).await?;
///     let mut rest = Vec::new();
///     input.read_to_end(&mut rest).await?;
///     assert_eq!((&word, rest.as_slice()), (b"hello", &b" world"[..]));
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub trait AsyncReadExt: AsyncRead {
    /// Reads some bytes into `buf`; `Ok(0)` means end of stream (or an empty `buf`).
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> impl Future<Output = io::Result<usize>> + 'a
    where
        Self: Unpin,
    {
        poll_fn(move |cx| Pin::new(&mut *self).poll_read(cx, buf))
    }

    /// Fills `buf` completely, or fails with `UnexpectedEof`.
    fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> impl Future<Output = io::Result<()>> + 'a
    where
        Self: Unpin,
    {
        let mut filled = 0;
        // A closure over three captures (32 bytes), not an `async` block: that would
        // also hold the inner `read` future (64 bytes in all), and this one lives
        // inside every task that awaits it.
        poll_fn(move |cx| {
            while filled < buf.len() {
                match ready!(Pin::new(&mut *self).poll_read(cx, &mut buf[filled..]))? {
                    0 => return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into())),
                    n => filled += n,
                }
            }
            Poll::Ready(Ok(()))
        })
    }

    /// Reads until end of stream, appending to `buf`; returns how many bytes it read.
    fn read_to_end<'a>(
        &'a mut self,
        buf: &'a mut Vec<u8>,
    ) -> impl Future<Output = io::Result<usize>> + 'a
    where
        Self: Unpin,
    {
        async move {
            let start = buf.len();
            loop {
                if buf.len() == buf.capacity() {
                    buf.reserve(READ_TO_END_CHUNK);
                }
                let filled = buf.len();
                buf.resize(buf.capacity(), 0);
                let result = self.read(&mut buf[filled..]).await;
                match result {
                    Ok(0) => {
                        buf.truncate(filled);
                        return Ok(filled - start);
                    }
                    Ok(n) => buf.truncate(filled + n),
                    Err(error) => {
                        buf.truncate(filled);
                        return Err(error);
                    }
                }
            }
        }
    }

    /// Reads until end of stream, appending UTF-8 text to `buf`.
    fn read_to_string<'a>(
        &'a mut self,
        buf: &'a mut String,
    ) -> impl Future<Output = io::Result<usize>> + 'a
    where
        Self: Unpin,
    {
        async move {
            let mut bytes = Vec::new();
            let n = self.read_to_end(&mut bytes).await?;
            let text = String::from_utf8(bytes)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()))?;
            buf.push_str(&text);
            Ok(n)
        }
    }
}

impl<R: AsyncRead + ?Sized> AsyncReadExt for R {}

/// Writing with `.await`. Implemented for every [`AsyncWrite`].
///
/// # Examples
///
/// ```
/// use evloop::io::AsyncWriteExt;
///
/// evloop::block_on(async {
///     let mut out = Vec::new();
///     out.write_all(b"hello").await?;
///     out.flush().await?;
///     assert_eq!(out, b"hello");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub trait AsyncWriteExt: AsyncWrite {
    /// Writes some of `buf`; returns how many bytes were written.
    fn write<'a>(&'a mut self, buf: &'a [u8]) -> impl Future<Output = io::Result<usize>> + 'a
    where
        Self: Unpin,
    {
        poll_fn(move |cx| Pin::new(&mut *self).poll_write(cx, buf))
    }

    /// Writes all of `buf`, or fails (`WriteZero` if the writer stops accepting).
    fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> impl Future<Output = io::Result<()>> + 'a
    where
        Self: Unpin,
    {
        let mut written = 0;
        // A closure, as in `read_exact`: 32 bytes, where an `async` block took 64.
        poll_fn(move |cx| {
            while written < buf.len() {
                match ready!(Pin::new(&mut *self).poll_write(cx, &buf[written..]))? {
                    0 => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    n => written += n,
                }
            }
            Poll::Ready(Ok(()))
        })
    }

    /// Flushes buffered data to the underlying object.
    fn flush(&mut self) -> impl Future<Output = io::Result<()>> + '_
    where
        Self: Unpin,
    {
        poll_fn(move |cx| Pin::new(&mut *self).poll_flush(cx))
    }

    /// Flushes and closes the writer (for a TCP stream: shuts down its write side, so
    /// the peer reads end of stream).
    fn close(&mut self) -> impl Future<Output = io::Result<()>> + '_
    where
        Self: Unpin,
    {
        poll_fn(move |cx| Pin::new(&mut *self).poll_close(cx))
    }
}

impl<W: AsyncWrite + ?Sized> AsyncWriteExt for W {}
