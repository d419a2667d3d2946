//! `TcpStream`: a TCP connection on the reactor.

#![deny(unsafe_code)]

use std::fmt;
use std::io;
use std::net::{self, Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

use super::split::{OwnedReadHalf, OwnedWriteHalf};
use crate::io::Async;
use crate::net::addr::{ToSocketAddrs, for_each_addr};
use crate::net::stream_io;
use crate::sys::socket::{self, RawAddr};

/// A TCP connection.
///
/// Reads and writes go through [`AsyncRead`](crate::io::AsyncRead) and
/// [`AsyncWrite`](crate::io::AsyncWrite) (use
/// [`AsyncReadExt`](crate::io::AsyncReadExt) and
/// [`AsyncWriteExt`](crate::io::AsyncWriteExt) to `.await` them). They are also
/// implemented for `&TcpStream`, as std does for `Read` and `Write`: one task can read
/// while another writes, with no mutex and no split.
///
/// Writes never raise `SIGPIPE`: writing to a connection the peer closed is an
/// `io::Error` (`BrokenPipe` or `ConnectionReset`).
///
/// # Examples
///
/// ```no_run
/// use evloop::io::{AsyncReadExt, AsyncWriteExt};
/// use evloop::net::TcpStream;
///
/// # evloop::block_on(async {
/// let mut stream = TcpStream::connect("127.0.0.1:7778").await?;
/// stream.write_all(b"ping").await?;
/// let mut buf = [0; 4];
/// stream.read_exact(&mut buf).await?;
/// # std::io::Result::Ok(()) })?;
/// # std::io::Result::Ok(())
/// ```
///
/// # Caveats
///
/// It belongs to the runtime it was created in: awaiting it in another runtime,
/// outside any, or after its runtime was dropped gives an error rather than a wait
/// that never ends (see [`Async`](crate::io::Async#caveats)); `into_std` and
/// `from_std` move it to another runtime.
pub struct TcpStream {
    pub(in crate::net) inner: Async<net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`, trying each address it resolves to in turn.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` if nothing listens there, `InvalidInput` for a malformed
    /// address, the resolver's error for an unknown host, or the error of the last
    /// address tried.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        for_each_addr(&addr, Self::connect_addr).await
    }

    /// Connects to one address: a non-blocking `connect`, then wait until the socket
    /// is writable and read `SO_ERROR` for the outcome.
    pub(crate) async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let fd = socket::socket(socket::domain_of(&addr), libc::SOCK_STREAM)?;
        TcpStream::connect_socket(fd, addr).await
    }

    /// Connects an already created (and possibly bound) socket.
    pub(crate) async fn connect_socket(fd: OwnedFd, addr: SocketAddr) -> io::Result<TcpStream> {
        Ok(TcpStream {
            inner: stream_io::connect(fd, &RawAddr::from_ip(&addr)).await?,
        })
    }

    /// Wraps an accepted (non-blocking) socket.
    pub(crate) fn from_accepted(fd: OwnedFd) -> io::Result<TcpStream> {
        Ok(TcpStream {
            inner: Async::new_nonblocking(net::TcpStream::from(fd))?,
        })
    }

    /// Registers a std stream with the current runtime (setting it non-blocking).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn from_std(stream: net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            inner: Async::new(stream)?,
        })
    }

    /// Deregisters the stream and returns it as a std stream, still non-blocking
    /// (call `set_nonblocking(false)` for blocking use).
    pub fn into_std(self) -> io::Result<net::TcpStream> {
        self.inner.into_inner()
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Sets `TCP_NODELAY`: send small writes at once instead of batching them
    /// (Nagle's algorithm). Request/response protocols usually want this.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.get_ref().nodelay()
    }

    /// Sets the IP time-to-live of outgoing packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing packets.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get_ref().ttl()
    }

    /// Sets `SO_LINGER`. `Some(Duration::ZERO)` makes closing the stream reset the
    /// connection (the peer sees `ConnectionReset`) instead of a graceful close.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        socket::set_linger(self.as_fd(), linger)
    }

    /// The `SO_LINGER` setting.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket::linger(self.as_fd())
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

    /// Reads data without removing it from the receive queue, waiting if none is there.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|stream| stream.peek(buf)).await
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
    /// For two borrowed halves there is nothing to split: `&TcpStream` reads and writes
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
    /// use evloop::net::{TcpListener, TcpStream};
    ///
    /// evloop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut b = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (a, _) = listener.accept().await?;
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

stream_io::async_read_write!(TcpStream, inner);

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
