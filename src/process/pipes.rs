//! The parent's ends of a child's stdin, stdout and stderr pipes, on the reactor.
//!
//! Setting `O_NONBLOCK` on them is safe, unlike on the process's own stdin
//! (`evloop::io::stdin`): `pipe` made a fresh open file description for each end, and
//! the child's copies were closed in the parent after the fork, so no other process
//! shares the flag.

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::pin::Pin;
use std::process;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::io::Async;

/// The child's stdin: what the parent writes, the child reads.
///
/// Closing it ([`close`](crate::io::AsyncWriteExt::close), or dropping it) is how the
/// child learns that its input has ended: it reads end of file.
#[derive(Debug)]
pub struct ChildStdin {
    /// `None` once closed.
    pipe: Option<Async<process::ChildStdin>>,
}

/// The child's stdout: what the child writes, the parent reads.
#[derive(Debug)]
pub struct ChildStdout {
    pipe: Async<process::ChildStdout>,
}

/// The child's stderr: what the child writes, the parent reads.
#[derive(Debug)]
pub struct ChildStderr {
    pipe: Async<process::ChildStderr>,
}

impl ChildStdin {
    pub(crate) fn new(pipe: process::ChildStdin) -> io::Result<ChildStdin> {
        Ok(ChildStdin {
            pipe: Some(Async::new(pipe)?),
        })
    }

    fn pipe(&mut self) -> io::Result<Pin<&mut Async<process::ChildStdin>>> {
        match &mut self.pipe {
            Some(pipe) => Ok(Pin::new(pipe)),
            None => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the child's stdin was closed",
            )),
        }
    }
}

impl ChildStdout {
    pub(crate) fn new(pipe: process::ChildStdout) -> io::Result<ChildStdout> {
        Ok(ChildStdout {
            pipe: Async::new(pipe)?,
        })
    }
}

impl ChildStderr {
    pub(crate) fn new(pipe: process::ChildStderr) -> io::Result<ChildStderr> {
        Ok(ChildStderr {
            pipe: Async::new(pipe)?,
        })
    }
}

impl AsyncWrite for ChildStdin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.pipe() {
            Ok(pipe) => pipe.poll_write(cx, buf),
            Err(error) => Poll::Ready(Err(error)),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.pipe() {
            Ok(pipe) => pipe.poll_write_vectored(cx, bufs),
            Err(error) => Poll::Ready(Err(error)),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A pipe has no user-space buffer: every write is already in the kernel's.
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.pipe = None;
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for ChildStdout {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.pipe).poll_read(cx, buf)
    }
}

impl AsyncRead for ChildStderr {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.pipe).poll_read(cx, buf)
    }
}

impl AsFd for ChildStdout {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.pipe.as_fd()
    }
}

impl AsFd for ChildStderr {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.pipe.as_fd()
    }
}
