//! `Permits`: a count of permits and the FIFO queue of futures waiting for some.
//!
//! This is the state machine behind [`Semaphore`](super::Semaphore) (and so behind
//! `Mutex`, `RwLock` and the bounded channel's free slots), written as plain `&mut self`
//! methods so that the same logic serves a `RefCell` on one thread and a `Mutex` in
//! [`remote`](super::remote). It never wakes anyone itself: it hands back the wakers,
//! and the caller wakes them once its borrow or lock is released (a waker may run code
//! that comes back here).
//!
//! Fairness is strict first come, first served: a waiter at the front that needs more
//! permits than are free holds up everyone behind it, and a newcomer never jumps the
//! queue. Permits go straight to the waiter they are given to (a hand-off): a task
//! that releases a permit and asks again at once goes to the back of the queue.

#![deny(unsafe_code)]

use std::task::{Poll, Waker};

use super::wait_list::{Removed, WaitList, WaiterId};

/// The permit count, the waiting queue, and whether acquiring is over for good.
#[derive(Debug)]
pub(crate) struct Permits {
    available: usize,
    closed: bool,
    /// Each waiter's value is how many permits it asks for.
    waiters: WaitList<usize>,
}

/// Why an acquisition failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// [`Permits::close`] was called.
    Closed,
    /// Not enough permits are free, or others wait for them first.
    NoPermits,
}

impl Permits {
    pub(crate) const fn new(available: usize) -> Permits {
        Permits {
            available,
            closed: false,
            waiters: WaitList::new(),
        }
    }

    pub(crate) fn available(&self) -> usize {
        self.available
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether a future waits in line for permits.
    pub(crate) fn has_waiters(&self) -> bool {
        !self.waiters.is_empty()
    }

    /// Takes `needed` permits now, if they are free and nobody waits before us.
    pub(crate) fn try_acquire(&mut self, needed: usize) -> Result<(), Refused> {
        if self.closed {
            Err(Refused::Closed)
        } else if self.waiters.is_empty() && self.available >= needed {
            self.available -= needed;
            Ok(())
        } else {
            Err(Refused::NoPermits)
        }
    }

    /// One poll of a future that wants `needed` permits and keeps its place in the
    /// queue in `waiter`. `proceed` is asked just before success (the cooperative
    /// budget): if it says no, nothing changes and the caller returns `Pending`, having
    /// arranged its own wake-up.
    pub(crate) fn poll_acquire(
        &mut self,
        needed: usize,
        waiter: &mut Option<WaiterId>,
        waker: &Waker,
        proceed: impl FnOnce() -> bool,
    ) -> Poll<Result<(), Refused>> {
        match waiter {
            Some(id) if self.waiters.is_woken(id) => {
                if !proceed() {
                    return Poll::Pending;
                }
                let id = waiter.take().expect("matched Some");
                self.waiters.remove(id);
                Poll::Ready(Ok(()))
            }
            Some(id) if self.closed => {
                let id = waiter.take().expect("matched Some");
                self.waiters.remove(id);
                Poll::Ready(Err(Refused::Closed))
            }
            Some(id) => {
                self.waiters.register(id, waker);
                Poll::Pending
            }
            None => match self.try_acquire(needed) {
                Ok(()) if proceed() => Poll::Ready(Ok(())),
                Ok(()) => {
                    // Out of budget: put them back, try again on the next poll.
                    self.available += needed;
                    Poll::Pending
                }
                Err(Refused::Closed) => Poll::Ready(Err(Refused::Closed)),
                Err(Refused::NoPermits) => {
                    *waiter = Some(self.waiters.push_back(Some(waker.clone()), needed));
                    Poll::Pending
                }
            },
        }
    }

    /// Gives `permits` back. Follow with [`wake_granted`]: they may be a waiter's now.
    pub(crate) fn release(&mut self, permits: usize) {
        self.available += permits;
    }

    /// Removes permits from the count without a permit object (tokio's
    /// `forget_permits`): at most `permits`, as many as are free. Returns how many.
    pub(crate) fn forget(&mut self, permits: usize) -> usize {
        let forgotten = permits.min(self.available);
        self.available -= forgotten;
        forgotten
    }

    /// A waiting future was dropped: it leaves the queue, and permits it was handed
    /// but never saw come back. Follow with [`wake_granted`]: its place may have been
    /// holding up the waiters behind it.
    pub(crate) fn cancel(&mut self, waiter: WaiterId) {
        if let Removed::Woken(granted) = self.waiters.remove(waiter) {
            self.available += granted;
        }
    }

    /// Hands the first waiter its permits if enough are free; returns its waker.
    /// Nobody is handed anything once closed: the waiters are refused instead.
    pub(crate) fn grant_next(&mut self) -> Option<Waker> {
        if self.closed {
            return None;
        }
        let needed = *self.waiters.front()?;
        if needed > self.available {
            return None;
        }
        self.available -= needed;
        self.waiters.wake_front()
    }

    /// Refuses every later acquisition and every waiter; appends the waiters' wakers
    /// to `wakers` (they find out on their next poll).
    pub(crate) fn close(&mut self, wakers: &mut Vec<Waker>) {
        self.closed = true;
        self.waiters.take_wakers(wakers);
    }
}

/// Hands free permits to waiters in order, waking each with nothing borrowed:
/// `grant_next` borrows (or locks) the permits, calls [`Permits::grant_next`] and
/// releases them again before the waker it returns is woken.
pub(crate) fn wake_granted(mut grant_next: impl FnMut() -> Option<Waker>) {
    while let Some(waker) = grant_next() {
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(permits: &mut Permits, needed: usize, waiter: &mut Option<WaiterId>) -> Poll<bool> {
        permits
            .poll_acquire(needed, waiter, Waker::noop(), || true)
            .map(|result| result.is_ok())
    }

    #[test]
    fn the_front_waiter_holds_up_smaller_requests_behind_it() {
        let mut permits = Permits::new(1);
        let (mut big, mut small) = (None, None);
        assert_eq!(poll(&mut permits, 3, &mut big), Poll::Pending);
        assert_eq!(poll(&mut permits, 1, &mut small), Poll::Pending, "FIFO");
        permits.release(2);
        assert!(permits.grant_next().is_some(), "3 free: the big one goes");
        assert!(
            permits.grant_next().is_none(),
            "none left for the small one"
        );
        assert_eq!(poll(&mut permits, 3, &mut big), Poll::Ready(true));
        permits.release(3);
        assert!(permits.grant_next().is_some());
        assert_eq!(poll(&mut permits, 1, &mut small), Poll::Ready(true));
        assert_eq!(permits.available(), 2);
    }

    #[test]
    fn a_cancelled_grant_comes_back() {
        let mut permits = Permits::new(0);
        let mut waiter = None;
        assert_eq!(poll(&mut permits, 2, &mut waiter), Poll::Pending);
        permits.release(2);
        assert!(permits.grant_next().is_some());
        assert_eq!(permits.available(), 0);
        permits.cancel(waiter.take().unwrap());
        assert_eq!(permits.available(), 2);
    }

    #[test]
    fn out_of_budget_takes_nothing() {
        let mut permits = Permits::new(1);
        let mut waiter = None;
        let poll = permits.poll_acquire(1, &mut waiter, Waker::noop(), || false);
        assert!(poll.is_pending());
        assert!(waiter.is_none());
        assert_eq!(permits.available(), 1);
    }

    #[test]
    fn closing_fails_the_waiters() {
        let mut permits = Permits::new(0);
        let mut waiter = None;
        assert_eq!(poll(&mut permits, 1, &mut waiter), Poll::Pending);
        let mut wakers = Vec::new();
        permits.close(&mut wakers);
        assert_eq!(wakers.len(), 1);
        assert_eq!(poll(&mut permits, 1, &mut waiter), Poll::Ready(false));
        assert!(waiter.is_none());
        assert_eq!(permits.try_acquire(0), Err(Refused::Closed));
    }
}
