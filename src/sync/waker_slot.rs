//! `WakerSlot`: room for the waker of the one task that can wait on something (a
//! channel's single receiver, a one-shot's sender).

#![deny(unsafe_code)]

use std::cell::Cell;
use std::task::Waker;

/// One waker, and whether its task is waiting now.
///
/// The waker stays in the slot after a wake: the same task usually waits here again
/// (a receiver in a loop), and finding its waker already there (`will_wake`) saves a
/// clone and a drop, which for an evloop waker are two atomic reference-count
/// updates. `armed` says whether the task waits, so a wake while it does not is
/// skipped. The owner [`clear`](WakerSlot::clear)s the slot when the waiting side
/// goes away, so the slot does not keep that task's allocation alive.
#[derive(Default)]
pub(crate) struct WakerSlot {
    waker: Cell<Option<Waker>>,
    armed: Cell<bool>,
}

impl WakerSlot {
    pub(crate) const fn new() -> WakerSlot {
        WakerSlot {
            waker: Cell::new(None),
            armed: Cell::new(false),
        }
    }

    /// The task of `waker` waits: wake it at the next [`wake`](Self::wake).
    pub(crate) fn register(&self, waker: &Waker) {
        self.armed.set(true);
        match self.waker.take() {
            Some(current) if current.will_wake(waker) => self.waker.set(Some(current)),
            _ => self.waker.set(Some(waker.clone())),
        }
    }

    /// Wakes the waiting task, if one waits (once: it must register again to be
    /// woken again).
    pub(crate) fn wake(&self) {
        if !self.armed.replace(false) {
            return;
        }
        let waker = self.waker.take();
        if let Some(waker) = &waker {
            waker.wake_by_ref();
        }
        self.waker.set(waker);
    }

    /// Forgets the waker: its side of the channel is gone.
    pub(crate) fn clear(&self) {
        self.armed.set(false);
        drop(self.waker.take());
    }
}
