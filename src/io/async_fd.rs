//! `Async<T>`: any pollable fd, registered with the runtime's reactor.

#![deny(unsafe_code)]

use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::reactor::{Direction, Source};
use crate::runtime::context;
use crate::sys::socket;

/// An I/O object (socket, pipe, eventfd, terminal, ...) registered with the current
/// runtime's reactor, so that its operations can wait for readiness.
///
/// This is the building block for library authors: evloop's own sockets are thin
/// wrappers around it. Creating one sets `O_NONBLOCK` on the fd and registers it with
/// epoll, once, for its whole life. Operations try the system call first; only on
/// `EAGAIN` do they wait for the next readiness edge.
///
/// `Async<T>` implements `AsyncRead` and `AsyncWrite` when `T` implements `Read` and
/// `Write` (and so does `&Async<T>` when `&T` does, as for sockets and pipes).
///
/// # Examples
///
/// A pipe, read asynchronously:
///
/// ```
/// use std::io::Write;
/// use evloop::io::{Async, AsyncReadExt};
///
/// evloop::block_on(async {
///     let (reader, mut writer) = std::io::pipe()?;
///     let mut reader = Async::new(reader)?;
///     writer.write_all(b"ping")?;
///     let mut buf = [0; 4];
///     reader.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
///
/// # Caveats
///
/// Regular files and directories cannot be registered with epoll: `new` returns an
/// `Unsupported` error for them. Use [`evloop::fs`](crate::fs), which runs file I/O on
/// the blocking pool.
///
/// An `Async` belongs to the runtime it was created in: only that runtime's reactor
/// sees its fd's events. An operation that has to wait for an event anywhere else (in
/// another runtime, outside any runtime, or after its runtime was dropped) returns an
/// error of kind `Other` that says so, instead of waiting forever. An operation that
/// finds the fd ready does not wait, and works anywhere. To move an fd to another
/// runtime, take it out with [`into_inner`](Self::into_inner) and wrap it again there
/// with [`new`](Self::new). evloop's sockets (`TcpStream`, `TcpListener`, ...) are
/// built on `Async` and behave the same (their `into_std` and `from_std` move them).
pub struct Async<T: AsFd> {
    source: Rc<Source>,
    /// `Some` until `into_inner` or drop takes it.
    io: Option<T>,
}

impl<T: AsFd> Async<T> {
    /// Sets `O_NONBLOCK` on `io`'s fd and registers it with the current runtime.
    ///
    /// # Errors
    ///
    /// If the fd cannot be made non-blocking, or epoll refuses it (a regular file
    /// gives `Unsupported`, with an explanation).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn new(io: T) -> io::Result<Async<T>> {
        socket::set_nonblocking(io.as_fd())?;
        Async::new_nonblocking(io)
    }

    /// Registers an fd that is already non-blocking (the runtime's own sockets are
    /// created that way, saving the `fcntl` calls).
    #[track_caller]
    pub(crate) fn new_nonblocking(io: T) -> io::Result<Async<T>> {
        let reactor = context::expect_current(|core| core.reactor.clone());
        let source = reactor.register(io.as_fd())?;
        Ok(Async {
            source,
            io: Some(io),
        })
    }

    /// The inner I/O object.
    pub fn get_ref(&self) -> &T {
        self.io
            .as_ref()
            .expect("the I/O object is present until drop")
    }

    /// The source and the I/O object, borrowed apart (one to wait, one to operate).
    fn parts(&mut self) -> (&Source, &mut T) {
        let io = self
            .io
            .as_mut()
            .expect("the I/O object is present until drop");
        (&self.source, io)
    }

    /// Deregisters the fd and returns the inner I/O object (still non-blocking).
    pub fn into_inner(mut self) -> io::Result<T> {
        let io = self
            .io
            .take()
            .expect("the I/O object is present until drop");
        self.deregister(&io);
        Ok(io)
    }

    fn deregister(&self, io: &T) {
        if let Some(reactor) = self.source.reactor.upgrade() {
            reactor.deregister(&self.source, io.as_fd());
        }
    }

    /// Waits until the fd is readable (or may be: readiness can be spurious, so the
    /// next read may still say `WouldBlock`).
    pub async fn readable(&self) -> io::Result<()> {
        poll_fn(|cx| self.poll_readable(cx)).await
    }

    /// Waits until the fd is writable (or may be).
    pub async fn writable(&self) -> io::Result<()> {
        poll_fn(|cx| self.poll_writable(cx)).await
    }

    /// `Ready` when the fd is readable; otherwise registers `cx`'s waker. Any number
    /// of tasks may wait at once: all are woken.
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.source.poll_ready(Direction::Read, cx)
    }

    /// `Ready` when the fd is writable; otherwise registers `cx`'s waker.
    pub fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.source.poll_ready(Direction::Write, cx)
    }

    /// Runs a read-like operation until it does not answer `WouldBlock`, waiting for
    /// readability in between.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use evloop::io::Async;
    /// use std::net::UdpSocket;
    ///
    /// # evloop::block_on(async {
    /// let socket = Async::new(UdpSocket::bind("127.0.0.1:0")?)?;
    /// let mut buf = [0; 1500];
    /// let (n, from) = socket.read_with(|s| s.recv_from(&mut buf)).await?;
    /// println!("{n} bytes from {from}");
    /// # std::io::Result::Ok(()) })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_read_with(cx, &mut op)).await
    }

    /// Runs a write-like operation until it does not answer `WouldBlock`, waiting for
    /// writability in between.
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_write_with(cx, &mut op)).await
    }

    /// The polling form of [`read_with`](Self::read_with), for hand-written futures.
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let io = self.get_ref();
        self.source.poll_io(Direction::Read, cx, || op(io))
    }

    /// The polling form of [`write_with`](Self::write_with).
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let io = self.get_ref();
        self.source.poll_io(Direction::Write, cx, || op(io))
    }

    /// Tries a read-like operation once; `WouldBlock` if the fd is not readable.
    pub fn try_read_with<R>(&self, op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        let io = self.get_ref();
        let mut op = op;
        self.source.try_io(Direction::Read, || op(io))
    }

    /// Tries a write-like operation once; `WouldBlock` if the fd is not writable.
    pub fn try_write_with<R>(&self, op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        let io = self.get_ref();
        let mut op = op;
        self.source.try_io(Direction::Write, || op(io))
    }

    /// A stream transfer moved fewer bytes than asked: the kernel buffer was drained
    /// (read) or filled (write) by it, so the next attempt would only say `EAGAIN`.
    /// Skip that syscall: wait for the next edge instead.
    pub(crate) fn note_short_transfer(&self, direction: Direction, done: usize, asked: usize) {
        if done > 0 && done < asked {
            self.source.clear_ready(direction);
        }
    }

    /// Clears readiness (used by `connect`, which must wait for a real edge).
    pub(crate) fn clear_ready(&self, direction: Direction) {
        self.source.clear_ready(direction);
    }

    /// Parks a listener until the runtime releases an fd (see the reactor).
    pub(crate) fn wait_for_fd(&self) {
        if let Some(reactor) = self.source.reactor.upgrade() {
            reactor.wait_for_fd(&self.source);
        }
    }
}

// The I/O object is never pinned: it is only reached through `&T` and `&mut T`.
impl<T: AsFd> Unpin for Async<T> {}

impl<T: AsFd> Drop for Async<T> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            self.deregister(&io);
            drop(io);
            // The fd is closed now: a listener starved of fds may accept again.
            if let Some(reactor) = self.source.reactor.upgrade() {
                reactor.fd_released();
            }
        }
    }
}

impl<T: AsFd> AsFd for Async<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.get_ref().as_fd()
    }
}

impl<T: AsFd> AsRawFd for Async<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.source.fd
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for Async<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Async").field("io", &self.io).finish()
    }
}

impl<T: AsFd + Read> AsyncRead for Async<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let (source, io) = self.parts();
        source.poll_io(Direction::Read, cx, || io.read(buf))
    }

    fn poll_read_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let (source, io) = self.parts();
        source.poll_io(Direction::Read, cx, || io.read_vectored(bufs))
    }
}

impl<T: AsFd> AsyncRead for &Async<T>
where
    for<'a> &'a T: Read,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_with(cx, |mut io| io.read(buf))
    }
}

impl<T: AsFd + Write> AsyncWrite for Async<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let (source, io) = self.parts();
        source.poll_io(Direction::Write, cx, || io.write(buf))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let (source, io) = self.parts();
        source.poll_io(Direction::Write, cx, || io.write_vectored(bufs))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let (source, io) = self.parts();
        source.poll_io(Direction::Write, cx, || io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl<T: AsFd> AsyncWrite for &Async<T>
where
    for<'a> &'a T: Write,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |mut io| io.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_write_with(cx, |mut io| io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}
