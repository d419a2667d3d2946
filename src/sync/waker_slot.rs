//! `WakerSlot`: room for the waker of the one task that can wait on something (a
//! channel's single receiver, a one-shot's sender).

#![deny(unsafe_code)]

use std::cell::Cell;
use std::task::Waker;

/// One waker, or none. A `Cell`: it is only ever moved in and out whole.
#[derive(Default)]
pub(crate) struct WakerSlot(Cell<Option<Waker>>);

impl WakerSlot {
    pub(crate) const fn new() -> WakerSlot {
        WakerSlot(Cell::new(None))
    }

    /// Stores `waker`, unless the one there already wakes the same task (the usual
    /// case: a task polled again keeps its waker, and cloning it would cost a
    /// reference count).
    pub(crate) fn register(&self, waker: &Waker) {
        match self.0.take() {
            Some(current) if current.will_wake(waker) => self.0.set(Some(current)),
            _ => self.0.set(Some(waker.clone())),
        }
    }

    /// Wakes and forgets the stored waker, if any.
    pub(crate) fn wake(&self) {
        if let Some(waker) = self.0.take() {
            waker.wake();
        }
    }
}
