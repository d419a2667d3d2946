//! `Shared`: what a remote channel's senders (on any thread) and its receiver share.
//!
//! The same parts as the local [`Chan`](crate::sync::mpsc), each behind its own
//! `Mutex` so that no two are ever locked together (except in `is_over`, which
//! takes `queue` then `slots`, the one lock order):
//!
//! - `queue`: the messages, the receiver's waker, the sender count and the closed
//!   flags. A sender pushes and takes the waker under the lock, then wakes after
//!   releasing it; the receiver takes *every* queued message at once (see
//!   `receiver.rs`), so a busy receiver costs a sender one uncontended lock per message
//!   and no wake at all.
//! - `slots` (bounded only): the free slots as [`Permits`], with the senders waiting
//!   for one in line, from whatever thread or runtime they wait on.
//! - `closed_waiters`: senders waiting in `closed()`.
//!
//! Waking the receiver is waking an evloop task from another thread: its waker puts
//! it on its runtime's injection queue and writes the eventfd only if the loop is
//! parked. That is the whole cross-thread path; the channel adds nothing to it.

#![deny(unsafe_code)]

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::runtime::coop;
use crate::sync::permits::{Permits, Refused, wake_granted};
use crate::sync::wait_list::{Place, WaitList, WaiterId, wake_all};

pub(super) struct Shared<T> {
    pub(super) queue: Mutex<Queue<T>>,
    /// `None`: unbounded.
    pub(super) slots: Option<Slots>,
    closed_waiters: Mutex<WaitList<()>>,
}

pub(super) struct Queue<T> {
    pub(super) messages: VecDeque<T>,
    /// The receiver, when it found nothing and waits.
    pub(super) receiver: Option<Waker>,
    pub(super) senders: usize,
    /// The receiver closed the channel or is gone: sends fail.
    pub(super) closed: bool,
    /// The receiver is gone: a message sent through a slot taken before is dropped.
    pub(super) receiver_dropped: bool,
}

pub(super) struct Slots {
    pub(super) free: Mutex<Permits>,
    pub(super) capacity: usize,
}

/// Locks `mutex`, ignoring poisoning: no user code runs under these locks (messages
/// are dropped and wakers woken after they are released), so a panic elsewhere
/// cannot have left the data half-changed.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T> Shared<T> {
    pub(super) fn new(capacity: Option<usize>) -> Shared<T> {
        Shared {
            queue: Mutex::new(Queue {
                messages: VecDeque::new(),
                receiver: None,
                senders: 1,
                closed: false,
                receiver_dropped: false,
            }),
            slots: capacity.map(|capacity| Slots {
                free: Mutex::new(Permits::new(capacity)),
                capacity,
            }),
            closed_waiters: Mutex::new(WaitList::new()),
        }
    }

    pub(super) fn slots(&self) -> &Slots {
        self.slots
            .as_ref()
            .expect("only a bounded channel has slots")
    }

    // --- the sending side ---

    pub(super) fn add_sender(&self) {
        lock(&self.queue).senders += 1;
    }

    pub(super) fn drop_sender(&self) {
        let receiver = {
            let mut queue = lock(&self.queue);
            queue.senders -= 1;
            if queue.senders > 0 {
                return;
            }
            queue.receiver.take()
        };
        if let Some(receiver) = receiver {
            receiver.wake();
        }
    }

    pub(super) fn is_closed(&self) -> bool {
        lock(&self.queue).closed
    }

    /// Queues `message` (a bounded channel's slot is taken already) and wakes the
    /// receiver if it waits. `Err` hands the message back if the channel is closed
    /// and `must_be_open` (an unbounded send); a message sent through a slot taken
    /// earlier is delivered after a close, and dropped if the receiver is gone.
    pub(super) fn push(&self, message: T, must_be_open: bool) -> Result<(), T> {
        let receiver = {
            let mut queue = lock(&self.queue);
            if queue.closed && must_be_open {
                return Err(message);
            }
            if queue.receiver_dropped {
                drop(queue);
                drop(message);
                return Ok(());
            }
            queue.messages.push_back(message);
            queue.receiver.take()
        };
        if let Some(receiver) = receiver {
            receiver.wake();
        }
        Ok(())
    }

    /// Gives `count` slots back and hands them to waiting senders.
    pub(super) fn release_slots(&self, count: usize) {
        if let Some(slots) = &self.slots {
            if count > 0 {
                lock(&slots.free).release(count);
                wake_granted(|| lock(&slots.free).grant_next());
            }
        }
    }

    /// A slot came back unused (a dropped permit or `send` future that had one).
    /// After a close the receiver may be waiting for the last one to see the end.
    pub(super) fn unused_slot_returned(&self) {
        self.release_slots(1);
        self.wake_receiver_if_closed();
    }

    /// A slot that may have been reserved came back: after a close, the receiver
    /// may be waiting for the last one to see the end.
    fn wake_receiver_if_closed(&self) {
        let receiver = {
            let mut queue = lock(&self.queue);
            if queue.closed {
                queue.receiver.take()
            } else {
                None
            }
        };
        if let Some(receiver) = receiver {
            receiver.wake();
        }
    }

    /// Waits until the receiver closed the channel (a sender's `closed()`).
    pub(super) fn closed(&self) -> Closed<'_, T> {
        Closed {
            shared: self,
            place: Place::default(),
        }
    }

    // --- the receiving side ---

    /// Refuses further sends; wakes the senders waiting for a slot (they fail) and
    /// those in `closed()`.
    pub(super) fn close(&self) {
        {
            let mut queue = lock(&self.queue);
            if queue.closed {
                return;
            }
            queue.closed = true;
        }
        if let Some(slots) = &self.slots {
            let mut wakers = Vec::new();
            lock(&slots.free).close(&mut wakers);
            wakers.into_iter().for_each(Waker::wake);
        }
        wake_all((), || lock(&self.closed_waiters));
    }

    /// Whether, with no message queued or buffered, none can arrive: no sender is
    /// left, or the channel is closed and no slot is held by a sender still to push.
    /// (The receiver has given back the slots of every message it took.)
    pub(super) fn is_over(&self, queue: &Queue<T>) -> bool {
        if queue.senders == 0 {
            return true;
        }
        if !queue.closed {
            return false;
        }
        match &self.slots {
            None => true,
            Some(slots) => {
                let free = lock(&slots.free).available();
                slots.capacity - free - queue.messages.len() == 0
            }
        }
    }
}

/// A bounded sender waiting for a free slot, on any thread. Resolves to `Ok(())`
/// holding the slot; dropped while waiting, it leaves the line and passes on a slot
/// it was handed.
pub(super) struct AcquireSlot<'a, T> {
    shared: &'a Shared<T>,
    waiter: Option<WaiterId>,
}

impl<'a, T> AcquireSlot<'a, T> {
    pub(super) fn new(shared: &'a Shared<T>) -> AcquireSlot<'a, T> {
        AcquireSlot {
            shared,
            waiter: None,
        }
    }
}

impl<T> Future for AcquireSlot<'_, T> {
    type Output = Result<(), Refused>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let waker = cx.waker();
        lock(&this.shared.slots().free)
            .poll_acquire(1, &mut this.waiter, waker, || coop::proceed(waker))
    }
}

impl<T> Drop for AcquireSlot<'_, T> {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            let free = &self.shared.slots().free;
            lock(free).cancel(waiter);
            wake_granted(|| lock(free).grant_next());
            // It may have been handed a slot, which counted as reserved.
            self.shared.wake_receiver_if_closed();
        }
    }
}

/// The future of a remote sender's `closed()`.
pub(super) struct Closed<'a, T> {
    shared: &'a Shared<T>,
    place: Place,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Join the list before looking at the flag: `close` sets the flag, then
        // wakes the list, so a close between the two cannot be missed.
        this.place
            .wait(&mut lock(&this.shared.closed_waiters), cx.waker());
        if this.shared.is_closed() {
            this.place.leave(&mut lock(&this.shared.closed_waiters));
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if self.place.is_queued() {
            self.place.leave(&mut lock(&self.shared.closed_waiters));
        }
    }
}
