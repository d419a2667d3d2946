//! evloop is a single-threaded async runtime for Linux: one thread runs many tasks
//! and sleeps in `epoll_wait` when none can run.
//!
//! It is also meant to be read. Each file holds one idea:
//!
//! - [`runtime`]: the loop (`runtime/mod.rs`), the run queues (`runtime/queue.rs`),
//!   the thread-local current runtime (`runtime/context.rs`).
//! - [`task`]: a spawned future as one allocation, and the hand-written waker
//!   vtable that puts it back on the run queue (`runtime/task/`).
//! - `reactor`: the epoll instance the loop parks on.
//! - [`time`]: timers (`sleep`, `timeout`, `interval`) and the runtime's clock,
//!   which tests can pause (`time/`).
//! - [`fs`]: files and directories, on the blocking pool because epoll cannot wait
//!   for a disk (`fs/file/` is a small state machine: idle, or lent to a pool job).
//! - `sys`: the only code that calls libc.
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

#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![doc(test(attr(deny(warnings))))]

mod blocking;
pub mod fs;
pub mod io;
pub mod net;
mod reactor;
pub mod runtime;
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
