//! evloop is a single-threaded async runtime for Linux: one thread runs many tasks
//! and sleeps in `epoll_wait` when none can run.
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
//!                 buf[..n].make_ascii_uppercase();
//!                 if stream.write_all(&buf[..n]).await.is_err() {
//!                     break;
//!                 }
//!             }
//!         });
//!     }
//! }
//! ```
//!
//! Tasks are plain futures and need not be `Send`: they never leave the thread.
//!
//! ```
//! use std::rc::Rc;
//! use std::cell::Cell;
//!
//! evloop::block_on(async {
//!     let counter = Rc::new(Cell::new(0));
//!     let mut handles = Vec::new();
//!     for _ in 0..10 {
//!         let counter = counter.clone();
//!         handles.push(evloop::spawn(async move {
//!             evloop::task::yield_now().await;
//!             counter.set(counter.get() + 1);
//!         }));
//!     }
//!     for handle in handles {
//!         handle.await.unwrap();
//!     }
//!     assert_eq!(counter.get(), 10);
//! });
//! ```
//!
//! # A tour of the modules
//!
//! evloop is also meant to be read; each file holds one idea.
//!
//! - [`runtime`]: [`Runtime`], its [`Builder`](runtime::Builder) and
//!   [`Handle`](runtime::Handle). The loop that polls tasks and parks on epoll
//!   (`runtime/mod.rs`), the run queues (`runtime/queue.rs`), the thread-local
//!   current runtime (`runtime/context.rs`). [`Runtime::metrics`] counts what the
//!   loop does; `EVLOOP_TRACE=1` prints each tick (`runtime/trace.rs`).
//! - [`task`]: [`spawn`], [`JoinHandle`](task::JoinHandle), [`JoinSet`](task::JoinSet),
//!   [`yield_now`](task::yield_now) and [`spawn_blocking`](task::spawn_blocking). A
//!   spawned future is one allocation, and a hand-written waker vtable puts it back on
//!   the run queue (`runtime/task/`).
//! - [`net`]: TCP, UDP and Unix sockets. Each is registered with epoll once,
//!   edge-triggered, and its operations return `Pending` on `EAGAIN`.
//! - [`io`]: [`Async`](io::Async), which puts any pollable fd on the reactor (the
//!   building block of every socket), and `.await`-able read and write methods.
//! - [`time`]: timers (`sleep`, `timeout`, `interval`) and the runtime's clock,
//!   which tests can pause (`time/`).
//! - [`fs`]: files and directories, on the blocking pool because epoll cannot wait
//!   for a disk (`fs/file/` is a small state machine: idle, or lent to a pool job).
//! - [`signal`]: Ctrl-C and Unix signals as streams. A signal handler rings an
//!   eventfd that the reactor watches like a socket (`signal/`, `sys/signal.rs`).
//! - [`main`] and [`test`]: the attributes that run an `async fn` on a new runtime.
//! - `hyper` (with the cargo feature `hyper`): hyper's I/O, executor and timer traits
//!   on evloop's streams, tasks and timers, for HTTP/1.1 and HTTP/2 servers and
//!   clients (`hyper/`).
//!
//! Not public, but worth reading: `reactor/` (the epoll instance, and each fd's
//! readiness and waiting tasks), `blocking.rs` (the thread pool), and `sys/` (the only
//! code that calls libc).
//!
//! The guide in the repository's `docs/` directory explains all of this in twelve
//! chapters, from blocking I/O and epoll to the executor and the reactor; start at
//! `docs/README.md`.

#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![doc(test(attr(deny(warnings))))]

mod blocking;
pub mod fs;
#[cfg(feature = "hyper")]
pub mod hyper;
pub mod io;
pub mod net;
mod reactor;
pub mod runtime;
pub mod signal;
#[allow(unsafe_code)] // The only module that calls libc; every block says why it is sound.
mod sys;
pub mod time;

pub use evloop_macros::{main, test};
pub use runtime::task;
pub use runtime::{Runtime, block_on};
pub use task::spawn;

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The guide's chapters (`docs/`): every Rust example in them runs as a doc test.
#[cfg(doctest)]
pub mod guide {
    #[doc = include_str!("../docs/01-blocking-io.md")]
    pub struct Ch01BlockingIo;
    #[doc = include_str!("../docs/02-nonblocking-io.md")]
    pub struct Ch02NonblockingIo;
    #[doc = include_str!("../docs/03-select-poll-epoll.md")]
    pub struct Ch03SelectPollEpoll;
    #[doc = include_str!("../docs/04-level-vs-edge.md")]
    pub struct Ch04LevelVsEdge;
    #[doc = include_str!("../docs/05-future-and-poll.md")]
    pub struct Ch05FutureAndPoll;
    #[doc = include_str!("../docs/06-waker.md")]
    pub struct Ch06Waker;
    #[doc = include_str!("../docs/07-executor.md")]
    pub struct Ch07Executor;
    #[doc = include_str!("../docs/08-reactor.md")]
    pub struct Ch08Reactor;
    #[doc = include_str!("../docs/09-timers.md")]
    pub struct Ch09Timers;
    #[doc = include_str!("../docs/10-worker-pool.md")]
    pub struct Ch10WorkerPool;
    #[doc = include_str!("../docs/11-leaf-future.md")]
    pub struct Ch11LeafFuture;
    #[doc = include_str!("../docs/12-runtime-per-core.md")]
    pub struct Ch12RuntimePerCore;
}
