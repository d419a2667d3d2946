//! `Chan`: what the senders and the receiver of one channel share, bounded or not.
//!
//! A queue of messages, the receiver's waker, a count of senders, and for a bounded
//! channel a [`Semaphore`] of free slots: a sender takes a slot before it pushes, the
//! receiver gives one back for each message it takes out. Waiting for room is
//! therefore waiting for a permit, with the semaphore's fairness (first come, first
//! served) and cancellation (a dropped `send` passes on a slot it was handed).
//!
//! Who wakes whom:
//!
//! - a push wakes the receiver (its waker is in `receiver`, one slot: one receiver);
//! - a message taken out frees a slot, which wakes the first waiting sender;
//! - the last sender dropped wakes the receiver, to see the end of the channel;
//! - the receiver closing (or dropped) wakes every waiting sender (they get their
//!   value back) and every `closed()` future.

#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::super::semaphore::{Acquire, AcquireError, Semaphore};
use super::super::wait_list::{Place, WaitList, wake_all};
use super::super::waker_slot::WakerSlot;
use crate::runtime::coop;

pub(super) struct Chan<T> {
    messages: RefCell<VecDeque<T>>,
    /// The receiver, when it found no message and waits for one.
    receiver: WakerSlot,
    /// Live senders (for a bounded channel, every permit borrows one, so a permit
    /// keeps the count above zero).
    senders: Cell<usize>,
    /// The receiver closed the channel (or was dropped): no more sends.
    closed: Cell<bool>,
    /// The receiver is gone: a message sent through a permit now is dropped at once.
    receiver_dropped: Cell<bool>,
    /// Senders waiting in `closed()`.
    closed_waiters: RefCell<WaitList<()>>,
    /// Bounded: the free slots, and the senders waiting for one. `None`: unbounded.
    slots: Option<Slots>,
}

#[derive(Debug)]
pub(super) struct Slots {
    pub(super) free: Semaphore,
    pub(super) capacity: usize,
}

impl<T> Chan<T> {
    /// A channel with one sender; `capacity` slots, or unbounded if `None`.
    pub(super) fn new(capacity: Option<usize>) -> Chan<T> {
        Chan {
            messages: RefCell::new(VecDeque::new()),
            receiver: WakerSlot::new(),
            senders: Cell::new(1),
            closed: Cell::new(false),
            receiver_dropped: Cell::new(false),
            closed_waiters: RefCell::new(WaitList::new()),
            slots: capacity.map(|capacity| Slots {
                free: Semaphore::new(capacity),
                capacity,
            }),
        }
    }

    pub(super) fn slots(&self) -> &Slots {
        self.slots
            .as_ref()
            .expect("only a bounded channel has slots")
    }

    // --- the sending side ---

    pub(super) fn add_sender(&self) {
        self.senders.set(self.senders.get() + 1);
    }

    pub(super) fn drop_sender(&self) {
        let left = self.senders.get() - 1;
        self.senders.set(left);
        if left == 0 {
            self.wake_receiver();
        }
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// Queues `message` (its slot, if bounded, is already taken) and wakes the
    /// receiver; drops it if the receiver is gone.
    pub(super) fn push(&self, message: T) {
        if self.receiver_dropped.get() {
            return;
        }
        self.messages.borrow_mut().push_back(message);
        self.wake_receiver();
    }

    /// A bounded sender's slot came back unused (a dropped permit). After `close` the
    /// receiver may be waiting for the last such permit to see the end.
    pub(super) fn unused_slot_returned(&self) {
        self.slots().free.release(1);
        if self.closed.get() {
            self.wake_receiver();
        }
    }

    /// Waits until the receiver closed the channel (a sender's `closed()`).
    pub(super) fn closed(&self) -> Closed<'_, T> {
        Closed {
            chan: self,
            place: Place::default(),
        }
    }

    /// One poll of `closed()`: ready once the receiver closed the channel.
    fn poll_closed(&self, place: &mut Place, cx: &mut Context<'_>) -> Poll<()> {
        if self.closed.get() {
            place.leave(&mut self.closed_waiters.borrow_mut());
            return Poll::Ready(());
        }
        place.wait(&mut self.closed_waiters.borrow_mut(), cx.waker());
        Poll::Pending
    }

    /// A `closed()` future dropped before the end.
    fn leave_closed(&self, place: &mut Place) {
        if place.is_queued() {
            place.leave(&mut self.closed_waiters.borrow_mut());
        }
    }

    fn wake_receiver(&self) {
        self.receiver.wake();
    }

    /// A wait for one free slot (bounded only).
    pub(super) fn wait_for_slot(&self) -> SlotWait<'_, T> {
        SlotWait {
            chan: self,
            acquire: Acquire::new(&self.slots().free, 1),
            done: false,
        }
    }

    // --- the receiving side ---

    /// The next message, waiting for one; `None` once the channel is over.
    pub(super) fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut messages = self.messages.borrow_mut();
        if messages.is_empty() {
            drop(messages);
            return self.wait_or_end(cx);
        }
        if !coop::proceed(cx.waker()) {
            return Poll::Pending;
        }
        let message = messages.pop_front();
        drop(messages);
        self.free_slots(1);
        Poll::Ready(message)
    }

    /// Up to `limit` messages into `buffer`, waiting for the first; 0 once the
    /// channel is over (or if `limit` is 0).
    pub(super) fn poll_recv_many(
        &self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        if self.messages.borrow().is_empty() {
            return self.wait_or_end(cx).map(|_none| 0);
        }
        if !coop::proceed(cx.waker()) {
            return Poll::Pending;
        }
        let taken = {
            let mut messages = self.messages.borrow_mut();
            let taken = limit.min(messages.len());
            buffer.extend(messages.drain(..taken));
            taken
        };
        self.free_slots(taken);
        Poll::Ready(taken)
    }

    /// A message now: `Ok(Some)`, `Ok(None)` if none is queued yet, `Err(())` if none
    /// will ever come.
    pub(super) fn try_recv(&self) -> Result<Option<T>, ()> {
        match self.take_one() {
            Some(message) => Ok(Some(message)),
            None if self.is_over() => Err(()),
            None => Ok(None),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.messages.borrow().len()
    }

    /// Whether no message will be sent any more: every sender is gone, or the
    /// receiver closed the channel.
    pub(super) fn is_closed_for_receiver(&self) -> bool {
        self.senders.get() == 0 || self.closed.get()
    }

    /// Refuses further sends. Queued messages can still be received, and permits
    /// already taken can still send.
    pub(super) fn close(&self) {
        if self.closed.replace(true) {
            return;
        }
        if let Some(slots) = &self.slots {
            slots.free.close();
        }
        wake_all((), || self.closed_waiters.borrow_mut());
    }

    /// The receiver is dropped: close, and drop the queued messages now, so their
    /// destructors run (a message may hold a reply channel someone awaits).
    pub(super) fn drop_receiver(&self) {
        self.close();
        self.receiver_dropped.set(true);
        self.receiver.clear();
        let messages = std::mem::take(&mut *self.messages.borrow_mut());
        drop(messages);
    }

    fn take_one(&self) -> Option<T> {
        let message = self.messages.borrow_mut().pop_front()?;
        self.free_slots(1);
        Some(message)
    }

    fn free_slots(&self, count: usize) {
        if let Some(slots) = &self.slots {
            slots.free.release(count);
        }
    }

    /// Nothing queued: the end if no message can come any more, else wait.
    fn wait_or_end(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if self.is_over() {
            return Poll::Ready(None);
        }
        self.receiver.register(cx.waker());
        Poll::Pending
    }

    /// Whether, with the queue empty, no message can arrive: no sender is left, or
    /// the channel is closed and no slot is reserved by a permit still to send.
    fn is_over(&self) -> bool {
        if self.senders.get() == 0 {
            return true;
        }
        if !self.closed.get() {
            return false;
        }
        match &self.slots {
            None => true,
            Some(slots) => {
                let reserved =
                    slots.capacity - slots.free.available_permits() - self.messages.borrow().len();
                reserved == 0
            }
        }
    }
}

/// A bounded sender waiting for a free slot: the semaphore's wait, and one duty to
/// the channel if it is dropped before it completes. A slot handed to a waiting
/// sender counts as reserved, and a closed channel ends only once no slot is: so a
/// waiting sender dropped after a close wakes the receiver, which may have been
/// waiting for exactly that slot to come back.
pub(super) struct SlotWait<'a, T> {
    chan: &'a Chan<T>,
    acquire: Acquire<'a>,
    done: bool,
}

impl<T> Future for SlotWait<'_, T> {
    type Output = Result<(), AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let taken = ready!(Pin::new(&mut self.acquire).poll(cx));
        self.done = true;
        Poll::Ready(taken)
    }
}

impl<T> Drop for SlotWait<'_, T> {
    fn drop(&mut self) {
        // The slot goes back when `acquire` drops, right after this; the receiver
        // looks again when it is next polled, which a wake only schedules.
        if !self.done && self.chan.closed.get() {
            self.chan.wake_receiver();
        }
    }
}

/// The future of a sender's `closed()`: ready once the receiver closed the channel.
pub(super) struct Closed<'a, T> {
    chan: &'a Chan<T>,
    place: Place,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.chan.poll_closed(&mut this.place, cx)
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        self.chan.leave_closed(&mut self.place);
    }
}
