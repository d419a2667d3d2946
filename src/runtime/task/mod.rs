//! Tasks: spawned futures, their handles, and the waker that reschedules them.
//!
//! A task is **one heap allocation**: a header (reference count, flags, the
//! runtime it belongs to, a pointer to functions that know the future's type) followed
//! by a slot that holds the future and, once it finishes, its output. A `Waker` is a
//! pointer to that header plus a hand-written `RawWakerVTable` (see `waker.rs`): cloning
//! it counts a reference, waking it puts the task back on the run queue.
//!
//! ```
//! use evloop::task::{self, JoinSet};
//!
//! evloop::block_on(async {
//!     let mut set = JoinSet::new();
//!     for i in 0..3 {
//!         set.spawn(async move {
//!             task::yield_now().await;
//!             i * 10
//!         });
//!     }
//!     let mut total = 0;
//!     while let Some(result) = set.join_next().await {
//!         total += result.unwrap();
//!     }
//!     assert_eq!(total, 30);
//! });
//! ```

mod header;
mod id;
mod join_error;
mod join_handle;
mod join_set;
mod local_key;
mod raw;
mod waker;
mod yield_now;

pub use id::Id;
pub use join_error::JoinError;
pub use join_handle::JoinHandle;
pub use join_set::JoinSet;
pub use local_key::{AccessError, LocalKey, TaskLocalFuture};
pub use yield_now::{YieldNow, yield_now};

pub use crate::blocking::spawn_blocking;
pub use crate::runtime::coop::consume_budget;
pub use crate::runtime::core::spawn;

pub(crate) use raw::{RemoteTaskRef, RunResult, TaskRef};
pub(crate) use waker::is_task_waker;

/// Where a task lives in its runtime's task table: a slot index plus the generation of
/// that slot, so a key left in the run queue after its task finished (and the slot was
/// reused) is recognised as stale instead of polling the wrong task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TaskKey {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}
