//! `UnixListener`: accepting Unix stream connections on the reactor.

#![deny(unsafe_code)]

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;

use super::UnixStream;
use crate::io::Async;
use crate::net::listener::{self, DEFAULT_BACKLOG};
use crate::sys::socket::{self, RawAddr};

/// A Unix stream socket listening for connections on a file system path.
///
/// Binding creates the socket file; dropping the listener does not remove it (as with
/// std), and binding fails with `AddrInUse` while it exists. Remove it first when
/// reusing a path.
///
/// # Examples
///
/// ```no_run
/// # #![allow(unreachable_code)] // The server loop never ends.
/// use evloop::io::{AsyncReadExt, AsyncWriteExt};
/// use evloop::net::UnixListener;
///
/// # evloop::block_on(async {
/// let listener = UnixListener::bind("/tmp/evloop-echo.sock")?;
/// loop {
///     let (mut stream, _) = listener.accept().await?;
///     evloop::spawn(async move {
///         let mut buf = [0; 4096];
///         while let Ok(n @ 1..) = stream.read(&mut buf).await {
///             if stream.write_all(&buf[..n]).await.is_err() {
///                 break;
///             }
///         }
///     });
/// }
/// # std::io::Result::Ok(()) })?;
/// # std::io::Result::Ok(())
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
pub struct UnixListener {
    inner: Async<net::UnixListener>,
}

impl UnixListener {
    /// Creates a socket file at `path` and listens on it. Like tokio's, and unlike
    /// TCP's, this does not wait: there is no name to resolve.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the file exists, `NotFound` if its directory does not,
    /// `PermissionDenied`, or `InvalidInput` for a path that is empty, holds a NUL
    /// byte, or is too long for a socket address (107 bytes at most).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let addr = RawAddr::from_unix_path(path.as_ref())?;
        let fd = socket::socket(libc::AF_UNIX, libc::SOCK_STREAM)?;
        socket::bind(fd.as_fd(), &addr)?;
        socket::listen(fd.as_fd(), DEFAULT_BACKLOG)?;
        Ok(UnixListener {
            inner: Async::new_nonblocking(net::UnixListener::from(fd))?,
        })
    }

    /// Registers a std listener with the current runtime (setting it non-blocking).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn from_std(listener: net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            inner: Async::new(listener)?,
        })
    }

    /// Deregisters the listener and returns it as a std listener, still non-blocking.
    pub fn into_std(self) -> io::Result<net::UnixListener> {
        self.inner.into_inner()
    }

    /// Waits for a connection and returns it with the peer's address (unnamed unless
    /// the peer bound its socket to a path).
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// The polling form of [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let fd = ready!(listener::poll_accept(&self.inner, cx, socket::accept_unix))?;
        let stream = UnixStream::from_accepted(fd)?;
        let peer = stream.peer_addr()?;
        Poll::Ready(Ok((stream, peer)))
    }

    /// The accepted connections as a [`Stream`]; it never ends.
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// The path the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.get_ref().take_error()
    }
}

/// The stream of connections from [`UnixListener::incoming`].
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct Incoming<'a> {
    listener: &'a UnixListener,
}

impl Stream for Incoming<'_> {
    type Item = io::Result<UnixStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.listener
            .poll_accept(cx)
            .map(|result| Some(result.map(|(stream, _)| stream)))
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("local", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
