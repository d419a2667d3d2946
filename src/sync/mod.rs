//! Synchronisation between tasks: channels, locks and wake-up signals.
//!
//! Every evloop task runs on its runtime's one thread, so tasks never run at the same
//! time: they only take turns at `.await`. The primitives here are built for that.
//! Their state is `Cell`s and `RefCell`s, with no atomics and no locks, and each is a
//! leaf future of the kind `docs/` chapter 10 takes apart: check the state, and if
//! the answer is "not yet", store the waker where the other side will find it.
//!
//! | you want to | use | tokio's name |
//! |---|---|---|
//! | send a stream of messages to one task | [`mpsc::channel`] (bounded), [`mpsc::unbounded_channel`] | same |
//! | get one answer back | [`oneshot::channel`] | same |
//! | publish the latest state | [`watch::channel`] | same |
//! | send every value to every subscriber | [`broadcast::channel`] | same |
//! | wake a task with no data | [`Notify`] | same |
//! | keep a value to one task across `.await` | [`Mutex`], [`RwLock`] | same |
//! | limit how many run at once | [`Semaphore`] | same |
//! | send into a runtime from another thread | [`remote::mpsc`], [`remote::oneshot`] | `tokio::sync::mpsc`, `oneshot` |
//!
//! The names, signatures and semantics follow tokio's `sync`, so porting is a change
//! of imports. The difference: these types are `!Send` (each type's docs say so in
//! their first line), because they are for tasks on one thread; the futures evloop
//! spawns need not be `Send`, so that costs nothing. Only [`remote`] pays for atomics
//! and a `Mutex`, and only its senders may cross threads.
//!
//! # Local or remote?
//!
//! Local, whenever both ends are tasks on the same runtime, which in an evloop
//! program is almost always:
//!
//! ```
//! use evloop::sync::{mpsc, oneshot};
//!
//! /// A request for the counter task, with the channel for its answer.
//! struct Add(u64, oneshot::Sender<u64>);
//!
//! evloop::block_on(async {
//!     let (requests, mut inbox) = mpsc::channel::<Add>(16);
//!     evloop::spawn(async move {
//!         let mut total = 0;
//!         while let Some(Add(n, reply)) = inbox.recv().await {
//!             total += n;
//!             let _ = reply.send(total);
//!         }
//!     });
//!     for n in 1..=3 {
//!         let (reply, answer) = oneshot::channel();
//!         requests.send(Add(n, reply)).await.unwrap();
//!         println!("total so far: {}", answer.await.unwrap());
//!     }
//! });
//! ```
//!
//! Remote, when the sender is on another thread: a std thread, a
//! [`spawn_blocking`](crate::task::spawn_blocking) job, another runtime (one per
//! core). The receiver is still a task; the sender wakes it through the runtime's
//! cross-thread path, as any waker used from another thread does.
//!
//! ```
//! use evloop::sync::remote::mpsc;
//!
//! evloop::block_on(async {
//!     let (progress, mut updates) = mpsc::unbounded_channel();
//!     let job = evloop::task::spawn_blocking(move || {
//!         for percent in [25, 50, 75, 100] {
//!             progress.send(percent).unwrap();
//!         }
//!     });
//!     while let Some(percent) = updates.recv().await {
//!         println!("{percent}%");
//!     }
//!     job.await.unwrap();
//! });
//! ```
//!
//! # Guarantees
//!
//! - **First come, first served.** Senders waiting for room, tasks waiting for a lock
//!   or a permit, and `notify_one` are served in the order they started waiting; a
//!   newcomer (even a `try_` call) does not jump the line.
//! - **Cancellation loses nothing.** Dropping a waiting future leaves the line. If
//!   what it waited for had just been handed to it (a slot, the lock, permits, a
//!   `notify_one`), it passes that on to the next in line.
//! - **Fair to the rest of the runtime.** An operation that completes at once spends
//!   one unit of the task's cooperative budget, like a socket read, so a task that
//!   always finds a message waiting still lets the others run.
//! - **No runtime needed.** Nothing here calls into the runtime except for the
//!   budget: the primitives work under any executor, and with none (a test can poll
//!   them by hand).
//!
//! # Implementation
//!
//! `wait_list.rs` is the queue of waiting futures every primitive uses: a linked list
//! whose nodes live in a `Vec` and link by index, so a future can leave it from
//! anywhere in O(1) without `unsafe`. `permits.rs` is the counting state machine
//! behind [`Semaphore`], and so behind [`Mutex`], [`RwLock`] and the bounded channels'
//! free slots. The channels are in `mpsc/`, `oneshot.rs`, `watch.rs`, `broadcast.rs`
//! and `remote/`.

#![deny(unsafe_code)]

pub mod broadcast;
mod halves;
pub mod mpsc;
mod mutex;
mod notify;
pub mod oneshot;
mod permits;
pub mod remote;
mod rwlock;
mod semaphore;
mod wait_list;
mod waker_slot;
pub mod watch;

use std::fmt;

pub use mutex::{Mutex, MutexGuard};
pub use notify::{Notified, Notify};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

/// [`Mutex::try_lock`], [`RwLock::try_read`] or [`RwLock::try_write`] found the lock
/// taken (or tasks waiting for it first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the lock is held, or others wait for it first")
    }
}

impl std::error::Error for TryLockError {}
