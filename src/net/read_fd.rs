//! Reading a stream socket straight into memory the caller provides, for
//! `evloop::hyper::Io` (feature `hyper`): hyper's read buffer is uninitialised, and a
//! `read(2)` into it needs no zero-filling first, where `AsyncRead` (which takes a
//! `&mut [u8]`) would.

#![deny(unsafe_code)]

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::task::{Context, Poll};

use super::{TcpStream, UnixStream};
use crate::io::Async;
use crate::reactor::Direction;

/// A stream socket whose reads can go through a caller's raw read of its fd. Object
/// safe, so `Io` can ask "is this an evloop socket?" once and get one answer.
pub(crate) trait ReadFd {
    /// Runs `read` (a read from the fd into `len` bytes of the caller's memory) in the
    /// readiness loop: waits for readability on `EAGAIN`, and treats a short read as
    /// proof the socket is drained, as every evloop stream read does.
    fn poll_read_fd(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        read: &mut dyn FnMut(BorrowedFd<'_>) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>>;
}

impl ReadFd for TcpStream {
    fn poll_read_fd(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        read: &mut dyn FnMut(BorrowedFd<'_>) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        poll_read_fd(&self.inner, cx, len, read)
    }
}

impl ReadFd for UnixStream {
    fn poll_read_fd(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        read: &mut dyn FnMut(BorrowedFd<'_>) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        poll_read_fd(&self.inner, cx, len, read)
    }
}

fn poll_read_fd<T: AsFd>(
    io: &Async<T>,
    cx: &mut Context<'_>,
    len: usize,
    read: &mut dyn FnMut(BorrowedFd<'_>) -> io::Result<usize>,
) -> Poll<io::Result<usize>> {
    let poll = io.poll_read_with(cx, |stream| read(stream.as_fd()));
    if let Poll::Ready(Ok(n)) = poll {
        io.note_short_transfer(Direction::Read, n, len);
    }
    poll
}
