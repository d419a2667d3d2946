//! `TcpListener`: accepting TCP connections on the reactor.

#![deny(unsafe_code)]

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::{self, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;

use super::{TcpSocket, TcpStream};
use crate::io::Async;
use crate::net::addr::{ToSocketAddrs, for_each_addr};
use crate::net::listener::{self, DEFAULT_BACKLOG};
use crate::sys::socket;

/// A TCP socket listening for connections.
///
/// # Examples
///
/// ```no_run
/// use evloop::net::TcpListener;
///
/// #[evloop::main]
/// async fn main() -> std::io::Result<()> {
///     let listener = TcpListener::bind("127.0.0.1:7778").await?;
///     loop {
///         let (stream, peer) = listener.accept().await?;
///         evloop::spawn(async move {
///             println!("{peer} connected");
///             drop(stream);
///         });
///     }
/// }
/// ```
///
/// # Caveats
///
/// When the process runs out of file descriptors, `accept` returns the `EMFILE` error
/// and the listener then waits, without spinning, until this runtime closes an fd (or
/// a new connection arrives) before it tries again.
///
/// It belongs to the runtime it was created in: awaiting it in another runtime,
/// outside any, or after its runtime was dropped gives an error rather than a wait
/// that never ends (see [`Async`](crate::io::Async#caveats)); `into_std` and
/// `from_std` move it to another runtime.
pub struct TcpListener {
    inner: Async<net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (with `SO_REUSEADDR`, so a restarted server can take its port
    /// back at once) and listens. For `SO_REUSEPORT` or another backlog, use
    /// [`TcpSocket`].
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `PermissionDenied`, `InvalidInput` for a malformed address, or the
    /// resolver's error.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        for_each_addr(&addr, |addr| async move {
            let socket = TcpSocket::for_addr(&addr)?;
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(DEFAULT_BACKLOG)
        })
        .await
    }

    pub(crate) fn from_listening(listener: net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            inner: Async::new_nonblocking(listener)?,
        })
    }

    /// Registers a std listener with the current runtime (setting it non-blocking).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn from_std(listener: net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            inner: Async::new(listener)?,
        })
    }

    /// Deregisters the listener and returns it as a std listener, still non-blocking.
    pub fn into_std(self) -> io::Result<net::TcpListener> {
        self.inner.into_inner()
    }

    /// Waits for a connection and returns it with the peer's address.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// The polling form of [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (fd, peer) = ready!(listener::poll_accept(&self.inner, cx, socket::accept))?;
        let stream = TcpStream::from_accepted(fd)?;
        let peer = match peer {
            Some(peer) => peer,
            None => stream.peer_addr()?,
        };
        Poll::Ready(Ok((stream, peer)))
    }

    /// The accepted connections as a [`Stream`]; it never ends.
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// The address the listener is bound to (with the port the kernel picked for `:0`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Sets the IP time-to-live of accepted connections' packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get_ref().ttl()
    }
}

/// The stream of connections from [`TcpListener::incoming`].
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl Stream for Incoming<'_> {
    type Item = io::Result<TcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.listener
            .poll_accept(cx)
            .map(|result| Some(result.map(|(stream, _)| stream)))
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
