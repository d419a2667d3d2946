//! Splitting a stream into a read half and a write half, for TCP and Unix streams
//! alike.
//!
//! No lock is needed: everything runs on one thread, and `&Stream` is itself
//! `AsyncRead + AsyncWrite`. Two borrowed halves are two shared references; two owned
//! halves share the stream through an `Rc` and each exposes one direction.
//!
//! `split` takes the stream by value, so that `stream.split()` means this split even
//! with `futures`' `AsyncReadExt` in scope: its lock-based `split(self)` would be found
//! before an inherent `split(&mut self)`, which needs an autoref.

#![deny(unsafe_code)]

/// Defines `OwnedReadHalf` and `OwnedWriteHalf` for `$stream` in the calling module.
/// `$stream` must implement `AsyncRead` and `AsyncWrite` for `&$stream` and have
/// `shutdown(&self, Shutdown)`.
macro_rules! split_halves {
    ($stream:ident) => {
        #[doc = concat!(
            "The reading half of [`", stringify!($stream), "::split`]; may move to ",
            "another task."
        )]
        #[derive(Debug)]
        pub struct OwnedReadHalf(::std::rc::Rc<$stream>);

        #[doc = concat!(
            "The writing half of [`", stringify!($stream), "::split`]; dropping it ",
            "shuts down the write side of the connection."
        )]
        #[derive(Debug)]
        pub struct OwnedWriteHalf(::std::rc::Rc<$stream>);

        impl OwnedReadHalf {
            pub(crate) fn pair(stream: $stream) -> (OwnedReadHalf, OwnedWriteHalf) {
                let stream = ::std::rc::Rc::new(stream);
                (OwnedReadHalf(stream.clone()), OwnedWriteHalf(stream))
            }
        }

        impl Drop for OwnedWriteHalf {
            fn drop(&mut self) {
                // Like tokio: the reader half may live on, but nobody can write any
                // more, so tell the peer. An error means the connection is gone already.
                let _ = self.0.shutdown(::std::net::Shutdown::Write);
            }
        }

        $crate::net::split::split_halves!(@as_ref $stream: OwnedReadHalf, OwnedWriteHalf);
        $crate::net::split::split_halves!(@read $stream: OwnedReadHalf);
        $crate::net::split::split_halves!(@write $stream: OwnedWriteHalf);
    };

    // Every half gives access to its stream (for `peer_addr`, options...).
    (@as_ref $stream:ident: $($half:ty),*) => {$(
        impl AsRef<$stream> for $half {
            fn as_ref(&self) -> &$stream {
                &self.0
            }
        }
    )*};

    (@read $stream:ident: $($half:ty),*) => {$(
        impl ::futures_io::AsyncRead for $half {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                let mut stream: &$stream = &self.0;
                ::futures_io::AsyncRead::poll_read(::std::pin::Pin::new(&mut stream), cx, buf)
            }
        }
    )*};

    (@write $stream:ident: $($half:ty),*) => {$(
        impl ::futures_io::AsyncWrite for $half {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                let mut stream: &$stream = &self.0;
                ::futures_io::AsyncWrite::poll_write(::std::pin::Pin::new(&mut stream), cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                let mut stream: &$stream = &self.0;
                ::futures_io::AsyncWrite::poll_write_vectored(::std::pin::Pin::new(&mut stream), cx, bufs)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                let mut stream: &$stream = &self.0;
                ::futures_io::AsyncWrite::poll_flush(::std::pin::Pin::new(&mut stream), cx)
            }

            fn poll_close(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                let mut stream: &$stream = &self.0;
                ::futures_io::AsyncWrite::poll_close(::std::pin::Pin::new(&mut stream), cx)
            }
        }
    )*};
}

pub(crate) use split_halves;
