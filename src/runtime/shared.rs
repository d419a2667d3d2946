//! The part of a runtime that other threads reach: the injection queue, the root
//! future's wake flag, and the eventfd that wakes a parked loop.

#![deny(unsafe_code)]

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Wake;

use super::context;
use super::queue::{AfterPush, InjectionQueue};
use super::task::RemoteTaskRef;
use crate::sys::eventfd::EventFd;

/// Shared between the runtime's thread and every waker, on any thread.
///
/// Every task holds an `Arc` to it, so it outlives the runtime while wakers live: a
/// waker used after its runtime is gone finds the queue closed and does nothing.
#[derive(Debug)]
pub(crate) struct Shared {
    injection: InjectionQueue,
    /// A hint the loop reads without the lock once per tick: "the injection queue may
    /// hold tasks". Set after a push, cleared by the loop before it takes them.
    has_injected: AtomicBool,
    /// The `block_on` future was woken. It is not a task, so its waker (this struct,
    /// through [`Wake`]) sets this flag instead of queueing anything.
    root_woken: AtomicBool,
    /// Written to wake a parked loop; registered edge-triggered with epoll and never
    /// read (see [`EventFd`]).
    notifier: EventFd,
}

impl Shared {
    pub(crate) fn new() -> io::Result<Shared> {
        Ok(Shared {
            injection: InjectionQueue::default(),
            has_injected: AtomicBool::new(false),
            root_woken: AtomicBool::new(false),
            notifier: EventFd::new()?,
        })
    }

    /// Queues a task woken on another thread, and wakes the loop if it is parked.
    pub(crate) fn inject(&self, task: RemoteTaskRef) {
        match self.injection.push(task) {
            Ok(after) => {
                self.has_injected.store(true, Ordering::Release);
                self.finish_wake(after);
            }
            // The runtime is gone: the reference is simply released.
            Err(task) => drop(task),
        }
    }

    /// Moves every injected task into `into`; a relaxed load when none arrived.
    pub(crate) fn take_injected(&self, into: &mut Vec<RemoteTaskRef>) {
        if self.has_injected.swap(false, Ordering::Acquire) {
            self.injection.take_all(into);
        }
    }

    /// Announces that the loop is about to block; `false` means work arrived and it
    /// must not.
    pub(crate) fn try_park(&self) -> bool {
        self.injection
            .try_park(|| self.root_woken.load(Ordering::SeqCst))
    }

    /// The loop is awake again.
    pub(crate) fn unpark(&self) {
        self.injection.unpark();
    }

    /// Refuses later injections; returns the queued tasks for the caller to drop.
    pub(crate) fn close(&self) -> Vec<RemoteTaskRef> {
        self.injection.close()
    }

    /// Marks the `block_on` future as woken (used before its first poll).
    pub(crate) fn set_root_woken(&self) {
        self.root_woken.store(true, Ordering::SeqCst);
    }

    /// Whether the `block_on` future was woken, or a task woken on another thread may
    /// be waiting in the injection queue. Clears nothing.
    pub(crate) fn has_pending_wakes(&self) -> bool {
        self.is_root_woken() || self.has_injected.load(Ordering::Acquire)
    }

    /// Whether the `block_on` future was woken and not yet polled. Clears nothing.
    pub(crate) fn is_root_woken(&self) -> bool {
        self.root_woken.load(Ordering::SeqCst)
    }

    /// Whether the `block_on` future was woken since the last call; clears the flag.
    pub(crate) fn take_root_woken(&self) -> bool {
        self.root_woken.swap(false, Ordering::AcqRel)
    }

    fn finish_wake(&self, after: AfterPush) {
        if after == AfterPush::Notify {
            // Writing an eventfd we own fails only if the kernel is out of memory; a
            // waker has nobody to return that to, and the loop would sleep forever.
            if let Err(error) = self.notifier.notify() {
                panic!("evloop: cannot wake the runtime through its eventfd: {error}");
            }
        }
    }
}

impl AsFd for Shared {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.notifier.as_fd()
    }
}

/// The waker of the `block_on` future.
impl Wake for Shared {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.set_root_woken();
        // On the loop's own thread the loop checks the flag before it parks; from
        // anywhere else, a parked loop must be woken.
        if !context::is_running(self) {
            self.finish_wake(self.injection.wake_parked());
        }
    }
}
