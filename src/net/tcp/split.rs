//! The two halves of a `TcpStream`: borrowed (`split`) and owned (`into_split`).
//!
//! Since `&TcpStream` is itself `AsyncRead + AsyncWrite`, a half is just a shared
//! reference (or `Rc`) that exposes one direction.

#![deny(unsafe_code)]

use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::TcpStream;

/// The reading half of a borrowed [`TcpStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a TcpStream);

/// The writing half of a borrowed [`TcpStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a TcpStream);

/// The reading half of [`TcpStream::into_split`]; may move to another task.
#[derive(Debug)]
pub struct OwnedReadHalf(Rc<TcpStream>);

/// The writing half of [`TcpStream::into_split`]; dropping it shuts down the write
/// side of the connection.
#[derive(Debug)]
pub struct OwnedWriteHalf(Rc<TcpStream>);

impl<'a> ReadHalf<'a> {
    pub(crate) fn pair(stream: &'a TcpStream) -> (ReadHalf<'a>, WriteHalf<'a>) {
        (ReadHalf(stream), WriteHalf(stream))
    }
}

impl OwnedReadHalf {
    pub(crate) fn pair(stream: TcpStream) -> (OwnedReadHalf, OwnedWriteHalf) {
        let stream = Rc::new(stream);
        (OwnedReadHalf(stream.clone()), OwnedWriteHalf(stream))
    }
}

/// Every half gives access to the stream it belongs to (for `peer_addr`, options...).
macro_rules! as_stream {
    ($($half:ty),*) => {$(
        impl AsRef<TcpStream> for $half {
            fn as_ref(&self) -> &TcpStream {
                &self.0
            }
        }
    )*};
}

as_stream!(ReadHalf<'_>, WriteHalf<'_>, OwnedReadHalf, OwnedWriteHalf);

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        // Like tokio: the reader half may live on, but nobody can write any more, so
        // tell the peer. An error means the connection is gone already.
        let _ = self.0.shutdown(Shutdown::Write);
    }
}

/// Implements `AsyncRead` for a half by delegating to its `&TcpStream`.
macro_rules! read_half {
    ($half:ty) => {
        impl AsyncRead for $half {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                AsRef::<TcpStream>::as_ref(&*self).poll_read_priv(cx, buf)
            }
        }
    };
}

/// Implements `AsyncWrite` for a half by delegating to its `&TcpStream`.
macro_rules! write_half {
    ($half:ty) => {
        impl AsyncWrite for $half {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                AsRef::<TcpStream>::as_ref(&*self).poll_write_priv(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                AsRef::<TcpStream>::as_ref(&*self).poll_write_vectored_priv(cx, bufs)
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                AsRef::<TcpStream>::as_ref(&*self).shutdown_write()
            }
        }
    };
}

read_half!(ReadHalf<'_>);
read_half!(OwnedReadHalf);
write_half!(WriteHalf<'_>);
write_half!(OwnedWriteHalf);
