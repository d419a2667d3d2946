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
//! # Waiting for several futures: join, select, race
//!
//! evloop has no `join!` or `select!` of its own: those in the `futures` and
//! `futures-lite` crates work on any runtime, evloop's included. `join!` polls its
//! futures together and returns all their outputs; `select!` returns with the first
//! to finish and drops the others, which cancels them; `futures-lite`'s `race` and
//! `or` do the same without a macro. Nothing here needs `Send`.
//!
//! ```
//! use evloop::time::{self, Duration, Instant};
//! use futures::FutureExt;
//!
//! # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
//! # runtime.block_on(async {
//! let start = Instant::now();
//! let slow = async {
//!     time::sleep(Duration::from_millis(30)).await;
//!     "slow"
//! };
//! let fast = async {
//!     time::sleep(Duration::from_millis(10)).await;
//!     "fast"
//! };
//!
//! // Both, concurrently: done when the slower is.
//! let (a, b) = futures::join!(slow, fast);
//! assert_eq!((a, b), ("slow", "fast"));
//! assert_eq!(Instant::now(), start + Duration::from_millis(30));
//!
//! // The first to finish; the loser is dropped. Each branch is fused, so that
//! // `select!` in a loop never polls a finished future again.
//! let winner = futures::select! {
//!     message = time::sleep(Duration::from_millis(5)).map(|()| "timer").fuse() => message,
//!     message = async { "at once" }.fuse() => message,
//! };
//! assert_eq!(winner, "at once");
//!
//! // The same with futures-lite, no macro: `race` polls both, first ready wins.
//! let never = std::future::pending::<&str>();
//! let tick = async {
//!     time::sleep(Duration::from_millis(1)).await;
//!     "tick"
//! };
//! assert_eq!(futures_lite::future::race(never, tick).await, "tick");
//! # });
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! For a deadline on one future, [`time::timeout`] returns an error when it passes.
//!
//! # Libraries written for tokio
//!
//! evloop's streams implement the `futures-io` traits; a library written against
//! tokio's `AsyncRead`/`AsyncWrite` (database clients, codecs) takes them through
//! `tokio-util`'s `compat` adapters, with no tokio runtime running:
//!
//! ```
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use tokio_util::compat::FuturesAsyncReadCompatExt;
//!
//! evloop::block_on(async {
//!     let (a, b) = evloop::net::UnixStream::pair()?;
//!     let (mut a, mut b) = (a.compat(), b.compat()); // tokio's traits now
//!     a.write_all(b"hello").await?;
//!     a.shutdown().await?;
//!     let mut got = String::new();
//!     b.read_to_string(&mut got).await?;
//!     assert_eq!(got, "hello");
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! `docs/from-tokio.md` in the repository is the porting guide: tokio's items and
//! evloop's, the differences that bite, and two of tokio's examples ported.
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
//!   the run queue (`runtime/task/`). [`Handle`](runtime::Handle) is also a spawner
//!   for libraries that take the `futures` crate's `LocalSpawn` or `Spawn`.
//! - [`net`]: TCP, UDP and Unix sockets. Each is registered with epoll once,
//!   edge-triggered, and its operations return `Pending` on `EAGAIN`.
//! - [`io`]: [`Async`](io::Async), which puts any pollable fd on the reactor (the
//!   building block of every socket), and the helpers to read and write with
//!   `.await` (`AsyncReadExt`, `BufReader`, `copy`, ...: `futures-util`'s,
//!   re-exported, plus [`copy_bidirectional`](io::copy_bidirectional)), and
//!   [`stdin`](io::stdin), [`stdout`](io::stdout) and [`stderr`](io::stderr), whose
//!   blocking reads and writes run on the pool (`io/stdio/`: fds 0, 1 and 2 are shared
//!   with the shell, so they are never made non-blocking).
//! - [`time`]: timers (`sleep`, `timeout`, `interval`) and the runtime's clock,
//!   which tests can pause (`time/`).
//!
//! Whatever yields many values over time is a `futures_core::Stream`: intervals,
//! directory listings, join sets, listeners' connections, signals, and the lines of
//! a [`BufReader`](io::BufReader).
//! - [`fs`]: files and directories, on the blocking pool because epoll cannot wait
//!   for a disk (`fs/file/` is a small state machine: idle, or lent to a pool job).
//! - [`process`]: child processes, their pipes on the reactor and their exit seen
//!   through a pidfd, readable once the child has exited (`process/`, `sys/process.rs`).
//! - [`signal`]: Ctrl-C and Unix signals as streams. A signal handler rings an
//!   eventfd that the reactor watches like a socket (`signal/`, `sys/signal.rs`).
//! - [`sync`]: channels (`mpsc`, `oneshot`, `watch`, `broadcast`), `Mutex`,
//!   `RwLock`, `Semaphore` and `Notify` for tasks on one thread, with `Cell` state and
//!   no atomics; [`sync::remote`] for senders on other threads. [`task_local!`] gives a
//!   task a value of its own.
//! - [`main`] and [`test`]: the attributes that run an `async fn` on a new runtime.
//! - `hyper` (with the cargo feature `hyper`): hyper's I/O, executor and timer traits
//!   on evloop's streams, tasks and timers, for HTTP/1.1 and HTTP/2 servers and
//!   clients (`hyper/`).
//!
//! Not public, but worth reading: `reactor/` (the epoll instance, and each fd's
//! readiness and waiting tasks), `blocking.rs` (the thread pool), and `sys/` (the only
//! code that calls libc).
//!
//! The guide in the repository's `docs/` directory explains all of this in fourteen
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
pub mod process;
mod reactor;
pub mod runtime;
pub mod signal;
pub mod sync;
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
    #[doc = include_str!("../docs/10-channels.md")]
    pub struct Ch10Channels;
    #[doc = include_str!("../docs/11-worker-pool.md")]
    pub struct Ch11WorkerPool;
    #[doc = include_str!("../docs/12-leaf-future.md")]
    pub struct Ch12LeafFuture;
    #[doc = include_str!("../docs/13-runtime-per-core.md")]
    pub struct Ch13RuntimePerCore;
    #[doc = include_str!("../docs/14-processes.md")]
    pub struct Ch14Processes;
    #[doc = include_str!("../docs/from-tokio.md")]
    pub struct FromTokio;
}
