//! What TCP and Unix stream sockets share: a non-blocking `connect`, and reads and
//! writes through one [`Async`], each one call of the readiness loop.
//!
//! Both streams are byte streams, so a short read or write proves the kernel buffer
//! drained or filled, and readiness is cleared without another system call. Writes go
//! through `send` with `MSG_NOSIGNAL`: never a `SIGPIPE`.

#![deny(unsafe_code)]

use std::io::{self, IoSlice, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::task::{Context, Poll};

use crate::io::Async;
use crate::reactor::Direction;
use crate::sys::socket::{self, RawAddr};

/// Connects `fd` to `addr` and registers it: a non-blocking `connect`, then (unless
/// it finished at once) wait for the socket to become writable and read `SO_ERROR`
/// for the outcome.
pub(crate) async fn connect<T>(fd: OwnedFd, addr: &RawAddr) -> io::Result<Async<T>>
where
    T: AsFd + From<OwnedFd>,
{
    let connected = socket::connect(fd.as_fd(), addr)?;
    let io = Async::new_nonblocking(T::from(fd))?;
    if !connected {
        // Writability starts out optimistic; here only a real edge means the
        // handshake finished, so wait for one.
        io.clear_ready(Direction::Write);
        io.writable().await?;
        if let Some(error) = socket::take_error(io.as_fd())? {
            return Err(error);
        }
    }
    Ok(io)
}

/// Reads, waiting for readability on `EAGAIN`.
pub(crate) fn poll_read<T>(
    io: &Async<T>,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>>
where
    T: AsFd,
    for<'a> &'a T: Read,
{
    let poll = io.poll_read_with(cx, |mut stream| stream.read(buf));
    if let Poll::Ready(Ok(n)) = poll {
        io.note_short_transfer(Direction::Read, n, buf.len());
    }
    poll
}

/// Reads without waiting: `WouldBlock` if no data is there.
pub(crate) fn try_read<T>(io: &Async<T>, buf: &mut [u8]) -> io::Result<usize>
where
    T: AsFd,
    for<'a> &'a T: Read,
{
    let n = io.try_read_with(|mut stream| stream.read(buf))?;
    io.note_short_transfer(Direction::Read, n, buf.len());
    Ok(n)
}

/// Writes (with `MSG_NOSIGNAL`), waiting for writability on `EAGAIN`.
pub(crate) fn poll_write<T: AsFd>(
    io: &Async<T>,
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>> {
    let poll = io.poll_write_with(cx, |stream| socket::send(stream.as_fd(), buf));
    if let Poll::Ready(Ok(n)) = poll {
        io.note_short_transfer(Direction::Write, n, buf.len());
    }
    poll
}

/// Writes without waiting: `WouldBlock` if the send buffer is full.
pub(crate) fn try_write<T: AsFd>(io: &Async<T>, buf: &[u8]) -> io::Result<usize> {
    let n = io.try_write_with(|stream| socket::send(stream.as_fd(), buf))?;
    io.note_short_transfer(Direction::Write, n, buf.len());
    Ok(n)
}

/// Writes several buffers in one `sendmsg`, waiting for writability on `EAGAIN`.
pub(crate) fn poll_write_vectored<T: AsFd>(
    io: &Async<T>,
    cx: &mut Context<'_>,
    bufs: &[IoSlice<'_>],
) -> Poll<io::Result<usize>> {
    let poll = io.poll_write_with(cx, |stream| socket::send_vectored(stream.as_fd(), bufs));
    if let Poll::Ready(Ok(n)) = poll {
        let asked = bufs.iter().map(|b| b.len()).sum();
        io.note_short_transfer(Direction::Write, n, asked);
    }
    poll
}

/// The outcome of `poll_close`, given that of `shutdown(Shutdown::Write)`.
pub(crate) fn closed(shutdown: io::Result<()>) -> Poll<io::Result<()>> {
    match shutdown {
        // Already shut down, or the peer is gone: closing is done either way.
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
        result => Poll::Ready(result),
    }
}

/// Implements `AsyncRead` and `AsyncWrite` for a stream type and for a shared
/// reference to it (as std does for `Read` and `Write`), given the name of its
/// `Async` field. `poll_close` shuts down the write side with the type's `shutdown`.
macro_rules! async_read_write {
    ($stream:ident, $field:ident) => {
        $crate::net::stream_io::async_read_write!(@impl $stream, $field);
        $crate::net::stream_io::async_read_write!(@impl &$stream, $field);
    };
    (@impl $ty:ty, $field:ident) => {
        impl ::futures_io::AsyncRead for $ty {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_read(&self.$field, cx, buf)
            }
        }

        impl ::futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_write(&self.$field, cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_write_vectored(&self.$field, cx, bufs)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                _cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                // Nothing is buffered in user space.
                ::std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: ::std::pin::Pin<&mut Self>,
                _cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::net::stream_io::closed(self.shutdown(::std::net::Shutdown::Write))
            }
        }
    };
}

pub(crate) use async_read_write;
