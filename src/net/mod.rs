//! Networking: TCP, UDP and Unix sockets on the reactor.
//!
//! - TCP: [`TcpListener`], [`TcpStream`], and [`TcpSocket`] to set options first
//!   (module [`tcp`] also holds a stream's split halves);
//! - UDP: [`UdpSocket`];
//! - Unix domain sockets, named by file system paths: [`UnixListener`],
//!   [`UnixStream`] and [`UnixDatagram`] (module [`unix`]).
//!
//! Every socket here is created non-blocking and close-on-exec, registered with the
//! current runtime's epoll once, edge-triggered, and deregistered before it closes.
//! An operation tries its system call first; only on `EAGAIN` does it wait for the
//! next readiness edge.
//!
//! ```no_run
//! use evloop::io::{AsyncReadExt, AsyncWriteExt};
//! use evloop::net::TcpListener;
//!
//! #[evloop::main]
//! async fn main() -> std::io::Result<()> {
//!     let listener = TcpListener::bind("127.0.0.1:7778").await?;
//!     loop {
//!         let (mut stream, _) = listener.accept().await?;
//!         evloop::spawn(async move {
//!             let mut buf = [0; 4096];
//!             while let Ok(n @ 1..) = stream.read(&mut buf).await {
//!                 if stream.write_all(&buf[..n]).await.is_err() {
//!                     break;
//!                 }
//!             }
//!         });
//!     }
//! }
//! ```

#![deny(unsafe_code)]

mod addr;
mod listener;
#[cfg(feature = "hyper")]
pub(crate) mod read_fd;
mod split;
mod stream_io;
pub mod tcp;
mod udp;
pub mod unix;

pub use addr::ToSocketAddrs;
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};
