//! `copy_bidirectional`: the core of a proxy, two copies in one future.

#![deny(unsafe_code)]

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncRead, AsyncWrite};

/// The size of each direction's buffer, as in tokio's `copy_bidirectional`.
const TRANSFER_BUFFER: usize = 8 * 1024;

/// Copies from `a` to `b` and from `b` to `a` at the same time, until both reach end
/// of stream, and returns how many bytes went each way: `(a to b, b to a)`.
///
/// When one side ends its stream, the other side's writer is closed (for a socket:
/// its write side is shut down, so the peer reads end of stream too) and the other
/// direction goes on until it ends as well. Data a writer buffers is flushed whenever
/// its reader has nothing more for now, so nothing waits in a buffer while the
/// connection is idle.
///
/// # Errors
///
/// The first error either side reports (a reset connection, say); the copy stops
/// there, and what was written so far is not reported.
///
/// # Examples
///
/// A proxy between a client and a server, each connected to it by a socket pair:
///
/// ```
/// use evloop::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
/// use evloop::net::UnixStream;
///
/// evloop::block_on(async {
///     let (mut client, mut proxy_front) = UnixStream::pair()?;
///     let (mut proxy_back, mut server) = UnixStream::pair()?;
///     let proxy = evloop::spawn(async move {
///         copy_bidirectional(&mut proxy_front, &mut proxy_back).await
///     });
///     client.write_all(b"ping").await?;
///     client.close().await?;
///     let mut request = String::new();
///     server.read_to_string(&mut request).await?;
///     assert_eq!(request, "ping");
///     server.write_all(b"pong!").await?;
///     server.close().await?;
///     let mut reply = String::new();
///     client.read_to_string(&mut reply).await?;
///     assert_eq!(reply, "pong!");
///     assert_eq!(proxy.await.unwrap()?, (4, 5));
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let mut a_to_b = Transfer::new();
    let mut b_to_a = Transfer::new();
    poll_fn(|cx| {
        // Poll both every time: each stores its own wakers, so a wake from either
        // side's socket lands here.
        let forward = a_to_b.poll(cx, Pin::new(&mut *a), Pin::new(&mut *b))?;
        let backward = b_to_a.poll(cx, Pin::new(&mut *b), Pin::new(&mut *a))?;
        match (forward, backward) {
            (Poll::Ready(forward), Poll::Ready(backward)) => Poll::Ready(Ok((forward, backward))),
            _ => Poll::Pending,
        }
    })
    .await
}

/// One direction of the copy: a reader's bytes on their way to a writer.
struct Transfer {
    buf: Box<[u8]>,
    /// `buf[start..end]` was read and is not written yet.
    start: usize,
    end: usize,
    copied: u64,
    /// Something was written since the last flush.
    unflushed: bool,
    stage: Stage,
}

enum Stage {
    /// Reading and writing, until the reader ends its stream.
    Copying,
    /// The reader ended: closing the writer (flush, then shut down).
    Closing,
    /// The writer is closed; `copied` is final.
    Done,
}

impl Transfer {
    fn new() -> Transfer {
        Transfer {
            buf: vec![0; TRANSFER_BUFFER].into_boxed_slice(),
            start: 0,
            end: 0,
            copied: 0,
            unflushed: false,
            stage: Stage::Copying,
        }
    }

    /// Moves bytes until the reader and the writer both have to wait (`Pending`, with
    /// their wakers stored), or the transfer is done (`Ready` with the byte count).
    fn poll<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + ?Sized,
        W: AsyncWrite + ?Sized,
    {
        loop {
            match self.stage {
                Stage::Copying => {
                    if self.start == self.end {
                        match reader.as_mut().poll_read(cx, &mut self.buf) {
                            Poll::Ready(Ok(0)) => {
                                self.stage = Stage::Closing;
                                continue;
                            }
                            Poll::Ready(Ok(n)) => (self.start, self.end) = (0, n),
                            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                            Poll::Pending => {
                                // Nothing more to read for now: do not leave what was
                                // written sitting in the writer's buffer meanwhile.
                                if self.unflushed {
                                    ready!(writer.as_mut().poll_flush(cx))?;
                                    self.unflushed = false;
                                }
                                return Poll::Pending;
                            }
                        }
                    }
                    while self.start < self.end {
                        let written = ready!(
                            writer
                                .as_mut()
                                .poll_write(cx, &self.buf[self.start..self.end])
                        )?;
                        if written == 0 {
                            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                        }
                        self.start += written;
                        self.copied += written as u64;
                        self.unflushed = true;
                    }
                }
                Stage::Closing => {
                    ready!(writer.as_mut().poll_close(cx))?;
                    self.stage = Stage::Done;
                }
                Stage::Done => return Poll::Ready(Ok(self.copied)),
            }
        }
    }
}
