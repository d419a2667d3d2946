//! `UnixDatagram`: Unix domain datagram sockets on the reactor.

#![deny(unsafe_code)]

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;

use crate::io::Async;
use crate::sys::socket::{self, RawAddr};

/// A Unix domain datagram socket.
///
/// Datagrams keep their boundaries and, unlike UDP, are never dropped or reordered: a
/// send to a peer whose queue is full waits until the peer reads. As for UDP, a datagram read says nothing about what else is queued, so
/// readiness is cleared only when the kernel answers `EAGAIN`.
///
/// # Examples
///
/// ```
/// use evloop::net::UnixDatagram;
///
/// evloop::block_on(async {
///     let (a, b) = UnixDatagram::pair()?;
///     a.send(b"ping").await?;
///     let mut buf = [0; 16];
///     let n = b.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"ping");
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
pub struct UnixDatagram {
    inner: Async<net::UnixDatagram>,
}

impl UnixDatagram {
    /// Creates a socket bound to `path` (creating the socket file).
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the file exists, `NotFound` if its directory does not, or
    /// `InvalidInput` for a path that is empty, holds a NUL byte or is too long.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let addr = RawAddr::from_unix_path(path.as_ref())?;
        let fd = socket::socket(libc::AF_UNIX, libc::SOCK_DGRAM)?;
        socket::bind(fd.as_fd(), &addr)?;
        UnixDatagram::from_new(fd)
    }

    /// Creates a socket bound to no path: it can send, but nobody can address a
    /// reply to it.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_new(socket::socket(libc::AF_UNIX, libc::SOCK_DGRAM)?)
    }

    /// Creates a pair of connected sockets (`socketpair`).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = socket::pair(libc::SOCK_DGRAM)?;
        Ok((UnixDatagram::from_new(a)?, UnixDatagram::from_new(b)?))
    }

    /// Wraps a socket the runtime created (non-blocking already).
    #[track_caller]
    fn from_new(fd: OwnedFd) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            inner: Async::new_nonblocking(net::UnixDatagram::from(fd))?,
        })
    }

    /// Registers a std socket with the current runtime (setting it non-blocking).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn from_std(socket: net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            inner: Async::new(socket)?,
        })
    }

    /// Deregisters the socket and returns it as a std socket, still non-blocking.
    pub fn into_std(self) -> io::Result<net::UnixDatagram> {
        self.inner.into_inner()
    }

    /// Sets the default destination for [`send`](Self::send) and
    /// [`recv`](Self::recv) to the socket at `path`; datagrams from other sockets are
    /// dropped from then on. This does not wait: the peer either exists or not.
    ///
    /// # Errors
    ///
    /// `NotFound` if nothing is at `path`, `ConnectionRefused` if no datagram socket
    /// is bound there, or `InvalidInput` for a bad path.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let addr = RawAddr::from_unix_path(path.as_ref())?;
        socket::connect(self.as_fd(), &addr).map(drop)
    }

    /// Sends one datagram to the socket bound at `path`, waiting while its queue is
    /// full.
    ///
    /// # Errors
    ///
    /// `NotFound` if nothing is at `path`, `ConnectionRefused` if no datagram socket
    /// is bound there, or `InvalidInput` for a bad path.
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let addr = RawAddr::from_unix_path(path.as_ref())?;
        self.inner
            .write_with(|socket| socket::send_to(socket.as_fd(), buf, &addr))
            .await
    }

    /// Waits for a datagram and returns its length and sender (unnamed if the sender
    /// is not bound to a path).
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|socket| socket.recv_from(buf)).await
    }

    /// Sends one datagram to the connected peer, waiting while its queue is full.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](Self::connect), `ConnectionRefused` once the
    /// peer is gone.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner
            .write_with(|socket| socket::send(socket.as_fd(), buf))
            .await
    }

    /// Waits for a datagram from the connected peer and returns its length.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|socket| socket.recv(buf)).await
    }

    /// Sends to the connected peer without waiting: `WouldBlock` if its queue is full.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner
            .try_write_with(|socket| socket::send(socket.as_fd(), buf))
    }

    /// Receives without waiting: `WouldBlock` if no datagram is queued.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read_with(|socket| socket.recv(buf))
    }

    /// Waits until a datagram may be queued; see [`Async::readable`].
    pub async fn readable(&self) -> io::Result<()> {
        self.inner.readable().await
    }

    /// Waits until a datagram may be sent; see [`Async::writable`].
    pub async fn writable(&self) -> io::Result<()> {
        self.inner.writable().await
    }

    /// The path the socket is bound to (unnamed if it is not).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The connected peer's address; `NotConnected` before
    /// [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// Shuts down the read side, the write side, or both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.get_ref().take_error()
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
