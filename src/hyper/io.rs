//! `Io<T>`: an evloop stream as hyper's `Read` and `Write`.

#![deny(unsafe_code)]

use std::any::Any;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use ::hyper::rt::{Read, ReadBufCursor, Write};
use futures_io::{AsyncRead, AsyncWrite};

use crate::net::read_fd::ReadFd;
use crate::net::{TcpStream, UnixStream};
use crate::sys::read_buf::{read_fd_into, read_initialized_into};

/// The most bytes one read from a stream that is not an evloop socket may fill. Such
/// a stream reads through `AsyncRead`, whose `&mut [u8]` must be initialised, so up to
/// this many bytes of hyper's buffer are zero-filled first; 16 KiB is the plaintext of
/// one full TLS record, what a TLS stream hands out per read.
const INITIALIZED_READ_MAX: usize = 16 * 1024;

/// A `futures-io` stream (an evloop [`TcpStream`] or [`UnixStream`], a TLS stream over
/// one, ...) as hyper's [`Read`] and [`Write`], to hand to hyper's client and server
/// connections.
///
/// Reads from an evloop socket go straight into hyper's uninitialised buffer: one
/// `read(2)` into it, nothing zero-filled. Any other stream is asked through
/// [`AsyncRead::poll_read`], which needs initialised memory: `Io` zero-fills at most
/// 16 KiB of hyper's buffer for each such read. Writes go through [`AsyncWrite`];
/// hyper's vectored writes become one `sendmsg` on an evloop socket.
///
/// # Caveats
///
/// `T` must be `'static` (own its stream, not borrow it): `Io` asks `T`'s type id
/// whether it is an evloop socket, and only `'static` types have one. hyper's
/// connections are spawned as tasks, which need that anyway.
///
/// # Examples
///
/// ```no_run
/// use evloop::hyper::Io;
/// use evloop::net::TcpStream;
/// use http_body_util::Empty;
/// use hyper::body::Bytes;
///
/// # evloop::block_on(async {
/// let stream = TcpStream::connect("127.0.0.1:8080").await?;
/// let (mut sender, connection) = hyper::client::conn::http1::handshake(Io::new(stream)).await?;
/// evloop::spawn(connection);
/// let request = hyper::Request::get("/").body(Empty::<Bytes>::new())?;
/// let response = sender.send_request(request).await?;
/// println!("{}", response.status());
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct Io<T> {
    inner: T,
}

impl<T> Io<T> {
    /// Wraps a stream.
    pub fn new(inner: T) -> Io<T> {
        Io { inner }
    }

    /// The stream inside.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The stream inside, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The stream, unwrapped.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// The stream as an evloop socket, if it is one: then hyper's buffer can be read into
/// without zero-filling it.
///
/// Rust has no specialisation on stable, so this asks the type: the comparison of
/// type ids is between constants once `T` is known, and the compiler keeps only the
/// branch that applies.
fn as_socket<T: 'static>(inner: &T) -> Option<&dyn ReadFd> {
    let inner: &dyn Any = inner;
    if let Some(tcp) = inner.downcast_ref::<TcpStream>() {
        return Some(tcp);
    }
    inner
        .downcast_ref::<UnixStream>()
        .map(|unix| unix as &dyn ReadFd)
}

impl<T: AsyncRead + Unpin + 'static> Read for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let inner = &mut self.get_mut().inner;
        let read = match as_socket(inner) {
            Some(socket) => {
                let len = buf.remaining();
                socket.poll_read_fd(cx, len, &mut |fd| read_fd_into(fd, &mut buf))
            }
            None => read_initialized_into(&mut buf, INITIALIZED_READ_MAX, |slice| {
                Pin::new(inner).poll_read(cx, slice)
            }),
        };
        read.map_ok(drop)
    }
}

impl<T: AsyncWrite + Unpin + 'static> Write for Io<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    /// True for evloop's sockets (a vectored write is one `sendmsg`), so hyper hands
    /// over its head and body buffers as they are. For other streams `futures-io` cannot
    /// say, and hyper copies them into one buffer first, which is what a TLS stream
    /// wants anyway (one record, not one per buffer).
    fn is_write_vectored(&self) -> bool {
        as_socket(&self.inner).is_some()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}
