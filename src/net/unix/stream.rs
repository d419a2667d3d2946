//! `UnixStream`: a Unix domain stream connection on the reactor.

#![deny(unsafe_code)]

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;

use super::split::{OwnedReadHalf, OwnedWriteHalf};
use crate::io::Async;
use crate::net::stream_io;
use crate::sys::socket::{self, RawAddr};

/// A Unix domain stream connection.
///
/// Reads and writes go through [`AsyncRead`](crate::io::AsyncRead) and
/// [`AsyncWrite`](crate::io::AsyncWrite), also implemented for `&UnixStream`, exactly
/// as for [`TcpStream`](crate::net::TcpStream). Writes use `send` with `MSG_NOSIGNAL`
/// (std's `UnixStream::write` is a plain `write`, which raises `SIGPIPE`): writing to
/// a connection the peer closed is a `BrokenPipe` error.
///
/// # Examples
///
/// ```
/// use evloop::io::{AsyncReadExt, AsyncWriteExt};
/// use evloop::net::UnixStream;
///
/// evloop::block_on(async {
///     let (mut a, mut b) = UnixStream::pair()?;
///     a.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     b.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
///
/// # Caveats
///
/// It belongs to the runtime it was created in: awaiting it in another runtime,
/// outside any, or after its runtime was dropped gives an error rather than a wait
/// that never ends (see [`Async`](crate::io::Async#caveats)); `into_std` and
/// `from_std` move it to another runtime.
pub struct UnixStream {
    pub(in crate::net) inner: Async<net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`, without blocking the loop.
    ///
    /// # Errors
    ///
    /// `NotFound` if nothing is at `path`, `ConnectionRefused` if nothing listens
    /// there, `InvalidInput` for a path that is empty, holds a NUL byte or is too
    /// long, and `ResourceBusy` if the listener's backlog is full (Linux offers no
    /// way to wait for room without blocking; try again later).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # evloop::block_on(async {
    /// let stream = evloop::net::UnixStream::connect("/tmp/evloop-echo.sock").await?;
    /// println!("connected to {:?}", stream.peer_addr()?);
    /// # std::io::Result::Ok(()) })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let addr = RawAddr::from_unix_path(path.as_ref())?;
        let fd = socket::socket(libc::AF_UNIX, libc::SOCK_STREAM)?;
        match stream_io::connect(fd, &addr).await {
            Ok(inner) => Ok(UnixStream { inner }),
            // A Unix connect answers EAGAIN, not EINPROGRESS, when the backlog is
            // full: no edge will tell this socket when there is room.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(io::Error::new(
                io::ErrorKind::ResourceBusy,
                format!(
                    "the listener at {:?} has a full backlog; try again later",
                    path.as_ref()
                ),
            )),
            Err(e) => Err(e),
        }
    }

    /// Creates a pair of connected streams (`socketpair`), e.g. to talk to a child
    /// process or between two tasks.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = socket::pair(libc::SOCK_STREAM)?;
        Ok((UnixStream::from_accepted(a)?, UnixStream::from_accepted(b)?))
    }

    /// Wraps a connected socket the runtime created (non-blocking already).
    #[track_caller]
    pub(crate) fn from_accepted(fd: OwnedFd) -> io::Result<UnixStream> {
        Ok(UnixStream {
            inner: Async::new_nonblocking(net::UnixStream::from(fd))?,
        })
    }

    /// Registers a std stream with the current runtime (setting it non-blocking).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn from_std(stream: net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            inner: Async::new(stream)?,
        })
    }

    /// Deregisters the stream and returns it as a std stream, still non-blocking.
    pub fn into_std(self) -> io::Result<net::UnixStream> {
        self.inner.into_inner()
    }

    /// The peer's address (unnamed unless the peer bound its socket to a path).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// The local address (unnamed for a connecting socket or a pair).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Shuts down the read side, the write side, or both. Shutting down writing sends
    /// end of stream to the peer, which can still send to us.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.get_ref().take_error()
    }

    /// Waits until the stream may be readable; see [`Async::readable`].
    pub async fn readable(&self) -> io::Result<()> {
        self.inner.readable().await
    }

    /// Waits until the stream may be writable; see [`Async::writable`].
    pub async fn writable(&self) -> io::Result<()> {
        self.inner.writable().await
    }

    /// Reads without waiting: `WouldBlock` if no data is there.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        stream_io::try_read(&self.inner, buf)
    }

    /// Writes without waiting: `WouldBlock` if the send buffer is full.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        stream_io::try_write(&self.inner, buf)
    }

    /// Splits the stream into two owned halves, to move into two tasks (or to use from
    /// two futures of one). Dropping the write half shuts down the write side (the peer
    /// reads end of stream). No lock: the halves share the stream through an `Rc`.
    ///
    /// For two borrowed halves there is nothing to split: `&UnixStream` reads and writes
    /// too, so `let (mut reader, mut writer) = (&stream, &stream);` gives both.
    ///
    /// Unlike tokio's `split(&mut self)`, this takes the stream by value, so that
    /// `stream.split()` calls it even with `futures`' `AsyncReadExt` in scope (whose
    /// lock-based `split(self)` would win over an `&mut self` method).
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::io::{AsyncReadExt, AsyncWriteExt};
    /// use evloop::net::UnixStream;
    ///
    /// evloop::block_on(async {
    ///     let (a, mut b) = UnixStream::pair()?;
    ///     let (mut reader, mut writer) = a.split();
    ///     let echo = evloop::spawn(async move { evloop::io::copy(&mut reader, &mut writer).await });
    ///     b.write_all(b"echo").await?;
    ///     b.close().await?;
    ///     let mut echoed = Vec::new();
    ///     b.read_to_end(&mut echoed).await?;
    ///     assert_eq!(echoed, b"echo");
    ///     assert_eq!(echo.await.unwrap()?, 4);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        OwnedReadHalf::pair(self)
    }

    /// The same as [`split`](Self::split), under the name tokio gives owned halves.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        self.split()
    }
}

stream_io::async_read_write!(UnixStream, inner);

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
