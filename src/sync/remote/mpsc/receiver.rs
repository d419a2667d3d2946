//! The receiving side of a remote channel: it takes the whole queue at once.
//!
//! Each time its buffer runs dry, the receiver locks the shared queue once and swaps
//! it with its own (empty) buffer, then hands the messages out one by one with no
//! lock at all. Senders on other threads keep pushing into the other buffer
//! meanwhile, and while the receiver has messages in hand it is not waiting, so they
//! have no waker to wake. Under load a message costs the receiver a fraction of one
//! lock, and the two sides rarely meet on the lock.
//!
//! A bounded channel counts a message in its buffer as still in the channel: the
//! slots of a batch go back to the senders when the receiver hands out the batch's
//! last message, so the channel never holds more than its capacity.

#![deny(unsafe_code)]

use std::collections::VecDeque;
use std::mem;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::shared::{Shared, lock};
use crate::runtime::coop;

pub(super) struct ReceiverCore<T> {
    shared: Arc<Shared<T>>,
    /// Messages taken from the shared queue, not yet handed out.
    buffered: VecDeque<T>,
    /// Messages handed out from the current batch, whose slots are not back yet.
    handed_out: usize,
}

/// What a refill found.
enum Refill {
    Got,
    /// Nothing queued, and nothing will be.
    Over,
    /// Nothing queued yet; the waker (if given) is stored.
    Empty,
}

impl<T> ReceiverCore<T> {
    pub(super) fn new(shared: Arc<Shared<T>>) -> ReceiverCore<T> {
        ReceiverCore {
            shared,
            buffered: VecDeque::new(),
            handed_out: 0,
        }
    }

    pub(super) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if let Some(end) = self.ensure_buffered(cx.waker()) {
            return end.map(|()| None);
        }
        if !coop::proceed(cx.waker()) {
            return Poll::Pending;
        }
        Poll::Ready(Some(self.hand_out_one()))
    }

    pub(super) fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        if let Some(end) = self.ensure_buffered(cx.waker()) {
            return end.map(|()| 0);
        }
        if !coop::proceed(cx.waker()) {
            return Poll::Pending;
        }
        let taken = limit.min(self.buffered.len());
        buffer.extend(self.buffered.drain(..taken));
        self.count_handed_out(taken);
        Poll::Ready(taken)
    }

    pub(super) fn try_recv(&mut self) -> Result<Option<T>, ()> {
        if self.buffered.is_empty() {
            match self.refill(None) {
                Refill::Got => {}
                Refill::Over => return Err(()),
                Refill::Empty => return Ok(None),
            }
        }
        Ok(Some(self.hand_out_one()))
    }

    pub(super) fn len(&self) -> usize {
        self.buffered.len() + lock(&self.shared.queue).messages.len()
    }

    pub(super) fn is_closed_for_receiver(&self) -> bool {
        let queue = lock(&self.shared.queue);
        queue.senders == 0 || queue.closed
    }

    pub(super) fn close(&self) {
        self.shared.close();
    }

    /// The receiver is dropped: close, and drop what is queued now, outside the lock.
    pub(super) fn drop_receiver(&mut self) {
        self.shared.close();
        let queued = {
            let mut queue = lock(&self.shared.queue);
            queue.receiver_dropped = true;
            mem::take(&mut queue.messages)
        };
        drop(queued);
    }

    /// `None` if a message is in the buffer; otherwise how the poll ends: `Ready`
    /// for the end of the channel, `Pending` with the waker stored.
    fn ensure_buffered(&mut self, waker: &Waker) -> Option<Poll<()>> {
        if !self.buffered.is_empty() {
            return None;
        }
        match self.refill(Some(waker)) {
            Refill::Got => None,
            Refill::Over => Some(Poll::Ready(())),
            Refill::Empty => Some(Poll::Pending),
        }
    }

    /// Swaps the shared queue with the (empty) buffer.
    fn refill(&mut self, waker: Option<&Waker>) -> Refill {
        let mut queue = lock(&self.shared.queue);
        mem::swap(&mut queue.messages, &mut self.buffered);
        if !self.buffered.is_empty() {
            return Refill::Got;
        }
        if self.shared.is_over(&queue) {
            return Refill::Over;
        }
        if let Some(waker) = waker {
            match &queue.receiver {
                Some(current) if current.will_wake(waker) => {}
                _ => queue.receiver = Some(waker.clone()),
            }
        }
        Refill::Empty
    }

    fn hand_out_one(&mut self) -> T {
        let message = self
            .buffered
            .pop_front()
            .expect("called with a message buffered");
        self.count_handed_out(1);
        message
    }

    /// Once the buffer is empty, the batch's slots go back to the senders.
    fn count_handed_out(&mut self, count: usize) {
        self.handed_out += count;
        if self.buffered.is_empty() {
            self.shared.release_slots(mem::take(&mut self.handed_out));
        }
    }
}
