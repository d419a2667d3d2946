//! The header at the front of every task allocation, and the flags that describe a
//! task's life.
//!
//! ```text
//!            spawn()                          poll -> Ready, or cancel
//!   (1) ---------------> QUEUED ---(2)---> polled ---(4)--------------> COMPLETE
//!                          ^                 |                              |
//!                          +------(3)--------+ Pending, later woken         | (5) handle
//!                                                                           v     reads output
//!                                                                      output taken
//! ```
//!
//! 1. [`Core::spawn`](crate::runtime::core) allocates the task with `QUEUED` set.
//! 2. The loop pops the task and clears `QUEUED` before polling it, so a wake during
//!    the poll queues it again.
//! 3. A waker sets `QUEUED` and pushes the task's key, unless `QUEUED` was already set.
//! 4. [`TaskRef::run`](super::TaskRef::run) sets `COMPLETE` once the output (or the
//!    [`JoinError`](super::JoinError)) is stored, then wakes the join waker.
//! 5. [`JoinHandle`](super::JoinHandle) moves the output out; a dropped handle lets the
//!    runtime drop it instead.

use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};
use std::task::Waker;

use super::raw::TaskVTable;
use super::{Id, TaskKey};
use crate::runtime::shared::Shared;

/// Set while the task's key sits in the runtime's local run queue.
const QUEUED: u8 = 1 << 0;
/// Set once the output (or a `JoinError`) is stored; the future is gone.
const COMPLETE: u8 = 1 << 1;
/// Set by `JoinHandle::abort`: the next time the loop pops the task, it drops the
/// future instead of polling it.
const CANCEL_REQUESTED: u8 = 1 << 2;
/// Set while a `JoinHandle` exists. Without one, the runtime drops the output itself.
const JOIN_INTEREST: u8 = 1 << 3;

/// The fixed-size front of a task; wakers point here.
///
/// # Invariant
///
/// A header is always the first field of a `#[repr(C)]` task cell, so a pointer to it
/// is also a pointer to the whole allocation, and `vtable` knows the cell's real type.
pub(crate) struct Header {
    /// Owning references: the runtime's task table, the `JoinHandle`, every `Waker`
    /// clone, and an entry in the injection queue each count one. The allocation is
    /// freed when this reaches zero. Atomic because wakers are `Send`: a clone on
    /// another thread bumps it. 32 bits keep the header at 56 bytes; overflow aborts.
    refs: AtomicU32,
    /// `QUEUED | COMPLETE | CANCEL_REQUESTED | JOIN_INTEREST`. Only the runtime's own
    /// thread reads or writes these; they are atomics only so that `Header` may be seen
    /// from other threads without `unsafe`. Relaxed loads and stores compile to plain
    /// moves, so this costs nothing.
    local: AtomicU8,
    /// Set while the task sits in the cross-thread injection queue, so that a thousand
    /// wakes from another thread queue it once.
    injected: AtomicBool,
    /// Where the task lives in the runtime's task table; never changes.
    pub(crate) key: TaskKey,
    /// The task's public id, unique within the process; never changes.
    pub(crate) id: Id,
    /// The runtime that owns the task: wakers use it to find the injection queue, and
    /// holding it keeps that queue alive for wakers that outlive the runtime.
    pub(crate) owner: Arc<Shared>,
    /// The typed functions for this task's future; never changes.
    pub(crate) vtable: &'static TaskVTable,
    /// The waker of whoever awaits the `JoinHandle`. Touched only on the runtime's
    /// thread: by the handle (which is `!Send`) and by task completion.
    join_waker: UnsafeCell<Option<Waker>>,
}

impl Header {
    /// A header for a freshly spawned task: queued, with a join handle, and two
    /// references (the task table's and the handle's).
    pub(crate) fn new(
        key: TaskKey,
        id: Id,
        owner: Arc<Shared>,
        vtable: &'static TaskVTable,
    ) -> Header {
        Header {
            refs: AtomicU32::new(2),
            local: AtomicU8::new(QUEUED | JOIN_INTEREST),
            injected: AtomicBool::new(false),
            key,
            id,
            owner,
            vtable,
            join_waker: UnsafeCell::new(None),
        }
    }

    fn flags(&self) -> u8 {
        self.local.load(Ordering::Relaxed)
    }

    fn set_flags(&self, flags: u8) {
        self.local.store(flags, Ordering::Relaxed)
    }

    /// Marks the task queued; returns `false` if it already was (push nothing then).
    pub(crate) fn try_mark_queued(&self) -> bool {
        let flags = self.flags();
        if flags & (QUEUED | COMPLETE) != 0 {
            return false;
        }
        self.set_flags(flags | QUEUED);
        true
    }

    /// Called by the loop right before it polls the task.
    pub(crate) fn clear_queued(&self) {
        self.set_flags(self.flags() & !QUEUED);
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.flags() & COMPLETE != 0
    }

    pub(crate) fn set_complete(&self) {
        self.set_flags(self.flags() | COMPLETE);
    }

    pub(crate) fn is_cancel_requested(&self) -> bool {
        self.flags() & CANCEL_REQUESTED != 0
    }

    pub(crate) fn request_cancel(&self) {
        self.set_flags(self.flags() | CANCEL_REQUESTED);
    }

    pub(crate) fn has_join_interest(&self) -> bool {
        self.flags() & JOIN_INTEREST != 0
    }

    pub(crate) fn clear_join_interest(&self) {
        self.set_flags(self.flags() & !JOIN_INTEREST);
    }

    /// Marks the task as sitting in the injection queue; `false` if it already was.
    pub(crate) fn try_mark_injected(&self) -> bool {
        !self.injected.swap(true, Ordering::AcqRel)
    }

    /// Called by the loop as it moves the task from the injection queue to its own.
    pub(crate) fn clear_injected(&self) {
        self.injected.store(false, Ordering::Release);
    }

    /// Adds an owning reference.
    pub(crate) fn increment_refs(&self) {
        // Relaxed is enough to add a reference: the caller already holds one, so the
        // allocation cannot be freed concurrently (the same argument as `Arc::clone`).
        let previous = self.refs.fetch_add(1, Ordering::Relaxed);
        if previous > i32::MAX as u32 {
            // Someone leaked wakers in a loop; wrapping around would free a live task.
            std::process::abort();
        }
    }

    /// Drops an owning reference; `true` if it was the last one and the caller must
    /// free the allocation.
    pub(crate) fn decrement_refs(&self) -> bool {
        if self.refs.fetch_sub(1, Ordering::Release) != 1 {
            return false;
        }
        // Pairs with the Release above on every other thread: everything they did to
        // the task happens before we free it.
        std::sync::atomic::fence(Ordering::Acquire);
        true
    }

    /// Stores the waker to wake when the task completes, unless it is the same one.
    pub(crate) fn set_join_waker(&self, waker: &Waker) {
        // SAFETY: only the runtime's thread touches `join_waker` (see the field), and
        // no other reference to it is live: completion takes the waker out before
        // waking it, so a waker calling back here finds the slot free.
        let slot = unsafe { &mut *self.join_waker.get() };
        match slot {
            Some(current) if current.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    /// Takes the join waker out, so it can be woken with no borrow of the task live.
    pub(crate) fn take_join_waker(&self) -> Option<Waker> {
        // SAFETY: as in `set_join_waker`: one thread, no other live reference.
        unsafe { (*self.join_waker.get()).take() }
    }
}
