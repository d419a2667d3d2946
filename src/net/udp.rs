//! `UdpSocket`: datagrams over IP on the reactor.

#![deny(unsafe_code)]

use std::fmt;
use std::io;
use std::net::{self, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use crate::io::Async;
use crate::net::addr::{ToSocketAddrs, for_each_addr, resolve};
use crate::sys::socket::{self, RawAddr};

/// A UDP socket.
///
/// Unlike a stream, every call moves one whole datagram: `recv` with a buffer too small
/// for the datagram keeps the start of it and drops the rest. A datagram read says
/// nothing about what else is queued, so readiness is cleared only when the kernel
/// answers `EAGAIN`.
///
/// # Examples
///
/// ```
/// use evloop::net::UdpSocket;
///
/// evloop::block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
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
pub struct UdpSocket {
    inner: Async<net::UdpSocket>,
}

impl UdpSocket {
    /// Binds a socket to `addr` (port 0: the kernel picks one), trying each address
    /// it resolves to in turn.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `PermissionDenied`, `InvalidInput` for a malformed address, or the
    /// resolver's error.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        for_each_addr(&addr, |addr| async move { UdpSocket::bind_addr(addr) }).await
    }

    fn bind_addr(addr: SocketAddr) -> io::Result<UdpSocket> {
        let fd = socket::socket(socket::domain_of(&addr), libc::SOCK_DGRAM)?;
        socket::bind(fd.as_fd(), &RawAddr::from_ip(&addr))?;
        Ok(UdpSocket {
            inner: Async::new_nonblocking(net::UdpSocket::from(fd))?,
        })
    }

    /// Registers a std socket with the current runtime (setting it non-blocking).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn from_std(socket: net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            inner: Async::new(socket)?,
        })
    }

    /// Deregisters the socket and returns it as a std socket, still non-blocking.
    pub fn into_std(self) -> io::Result<net::UdpSocket> {
        self.inner.into_inner()
    }

    /// Sets the default destination to `addr` (the first address it resolves to that
    /// the socket accepts), for [`send`](Self::send) and [`recv`](Self::recv); datagrams
    /// from other addresses are dropped from then on. Also makes the kernel report
    /// ICMP errors: after sending to a port nothing listens on, a later call fails
    /// with `ConnectionRefused`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # evloop::block_on(async {
    /// let socket = evloop::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.connect("127.0.0.1:5353").await?;
    /// socket.send(b"query").await?;
    /// # std::io::Result::Ok(()) })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        for_each_addr(
            &addr,
            |addr| async move { self.inner.get_ref().connect(addr) },
        )
        .await
    }

    /// Sends one datagram to `target` (the first address it resolves to). Returns the
    /// bytes sent: all of `buf`, as a datagram is never cut.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a malformed address, or the resolver's error; the OS error
    /// `EMSGSIZE` for a datagram larger than the protocol allows.
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let target = resolve(&target)
            .await?
            .next()
            .expect("resolve returns at least one address");
        self.inner
            .write_with(|socket| socket.send_to(buf, target))
            .await
    }

    /// Waits for a datagram and returns its length and sender.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|socket| socket.recv_from(buf)).await
    }

    /// Like [`recv_from`](Self::recv_from), but leaves the datagram queued: the next
    /// receive returns it again.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|socket| socket.peek_from(buf)).await
    }

    /// Sends one datagram to the connected address.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](Self::connect); `ConnectionRefused` if an
    /// earlier datagram was refused.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_with(|socket| socket.send(buf)).await
    }

    /// Waits for a datagram from the connected address and returns its length.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` if an earlier datagram was refused (nothing listens at
    /// the connected address).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|socket| socket.recv(buf)).await
    }

    /// Like [`recv`](Self::recv), but leaves the datagram queued.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|socket| socket.peek(buf)).await
    }

    /// Sends to `target` without waiting: `WouldBlock` if the send buffer is full.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.inner
            .try_write_with(|socket| socket.send_to(buf, target))
    }

    /// Receives without waiting: `WouldBlock` if no datagram is queued.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.try_read_with(|socket| socket.recv_from(buf))
    }

    /// Sends to the connected address without waiting.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write_with(|socket| socket.send(buf))
    }

    /// Receives from the connected address without waiting: `WouldBlock` if no
    /// datagram is queued.
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

    /// The address the socket is bound to (with the port the kernel picked for `:0`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The connected address; `NotConnected` before [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// Sets `SO_BROADCAST`: allow sending to a broadcast address.
    pub fn set_broadcast(&self, broadcast: bool) -> io::Result<()> {
        self.inner.get_ref().set_broadcast(broadcast)
    }

    /// Whether `SO_BROADCAST` is set.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.inner.get_ref().broadcast()
    }

    /// Sets the IP time-to-live of outgoing datagrams.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing datagrams.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get_ref().ttl()
    }

    /// Takes the pending socket error (`SO_ERROR`), if any, e.g. a refused datagram.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.get_ref().take_error()
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
