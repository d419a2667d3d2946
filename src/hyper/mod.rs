//! hyper on evloop (feature `hyper`): [`Io`], [`Executor`] and [`Timer`], the three
//! things hyper asks of a runtime.
//!
//! hyper 1.x is runtime-independent: its connections read and write through its own
//! [`Read`](::hyper::rt::Read) and [`Write`](::hyper::rt::Write) traits, spawn
//! background work through an [`Executor`](::hyper::rt::Executor), and sleep through a
//! [`Timer`](::hyper::rt::Timer). tokio users get these from hyper-util
//! (`TokioIo`, `TokioExecutor`, `TokioTimer`); these are evloop's:
//!
//! - [`Io`] wraps an evloop stream (or any `futures-io` stream, such as a TLS stream
//!   over one). Reads from an evloop socket go straight into hyper's uninitialised
//!   buffer.
//! - [`Executor`] spawns what hyper's HTTP/2 server and client run in the background
//!   as evloop tasks, which need not be `Send`.
//! - [`Timer`] puts hyper's timeouts on evloop's timer heap. hyper wants its sleeps
//!   `Send + Sync`, which evloop's `Rc`-based [`time::Sleep`](crate::time::Sleep) is
//!   not, so it hands out a [`Sleep`] of its own (how it stays honest about threads:
//!   `src/hyper/sleep.rs`).
//!
//! Turn it on with `evloop = { version = "0.1", features = ["hyper"] }`, and pick
//! hyper's own features (`http1`, `http2`, `server`, `client`) in your `Cargo.toml`.
//!
//! # Examples
//!
//! An HTTP/1.1 server with a header-read timeout, and a client that asks it once:
//!
//! ```
//! use std::convert::Infallible;
//! use std::time::Duration;
//!
//! use evloop::hyper::{Io, Timer};
//! use evloop::net::{TcpListener, TcpStream};
//! use http_body_util::{BodyExt, Empty, Full};
//! use hyper::body::Bytes;
//! use hyper::service::service_fn;
//! use hyper::{Request, Response};
//!
//! # evloop::block_on(async {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let address = listener.local_addr()?;
//! evloop::spawn(async move {
//!     let (stream, _) = listener.accept().await.expect("accept");
//!     let hello = service_fn(|_request: Request<_>| async {
//!         Ok::<_, Infallible>(Response::new(Full::new(Bytes::from("hello"))))
//!     });
//!     hyper::server::conn::http1::Builder::new()
//!         .timer(Timer)
//!         .header_read_timeout(Duration::from_secs(5))
//!         .serve_connection(Io::new(stream), hello)
//!         .await
//! });
//!
//! let stream = TcpStream::connect(address).await?;
//! let (mut sender, connection) = hyper::client::conn::http1::handshake(Io::new(stream)).await?;
//! evloop::spawn(connection);
//! let request = Request::get("/").body(Empty::<Bytes>::new())?;
//! let response = sender.send_request(request).await?;
//! let body = response.into_body().collect().await?.to_bytes();
//! assert_eq!(body, "hello");
//! # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
//! ```
//!
//! HTTP/2 takes [`Executor`] as well; the `hyper_server` and `hyper_client` examples
//! show both versions, hyper-util's auto builder and graceful shutdown on Ctrl-C.

#![deny(unsafe_code)]

mod executor;
mod io;
mod sleep;
mod timer;

pub use executor::Executor;
pub use io::Io;
pub use sleep::Sleep;
pub use timer::Timer;
