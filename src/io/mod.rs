//! Asynchronous I/O: the `futures-io` traits, extension methods to call them with
//! `.await`, and [`Async`], which makes any pollable file descriptor an async one.
//!
//! ```no_run
//! use evloop::io::{AsyncReadExt, AsyncWriteExt};
//! use evloop::net::TcpStream;
//!
//! # evloop::block_on(async {
//! let mut stream = TcpStream::connect("127.0.0.1:7778").await?;
//! stream.write_all(b"hello").await?;
//! let mut reply = [0; 5];
//! stream.read_exact(&mut reply).await?;
//! # std::io::Result::Ok(()) })?;
//! # std::io::Result::Ok(())
//! ```

#![deny(unsafe_code)]

mod async_fd;
mod copy;
mod ext;

pub use async_fd::Async;
pub use copy::copy;
pub use ext::{AsyncReadExt, AsyncWriteExt};
pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
