//! [`Notify`]: wake one waiting task, or all of them, with no data attached.

#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

use super::wait_list::{Removed, WaitList, WaiterId, wake_all};
use crate::runtime::coop;

/// A wake-up signal between tasks on one thread (`!Send`; tokio's is `Send + Sync`),
/// with tokio's semantics:
///
/// - [`notify_one`](Notify::notify_one) wakes the task that has waited longest. If
///   none waits, it leaves a *permit*, and the next [`notified`](Notify::notified)
///   completes at once; permits do not add up (there is at most one).
/// - [`notify_waiters`](Notify::notify_waiters) wakes every task waiting now, and
///   every `Notified` future created before the call even if not yet polled. It
///   leaves no permit.
///
/// A `Notified` future dropped after `notify_one` chose it passes the wake-up on to
/// the next waiter (or leaves the permit), so no notification is lost to
/// cancellation.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use evloop::sync::Notify;
///
/// evloop::block_on(async {
///     let ready = Rc::new(Notify::new());
///     let waiter = {
///         let ready = ready.clone();
///         evloop::spawn(async move {
///             ready.notified().await;
///             "woken"
///         })
///     };
///     ready.notify_one(); // a permit if the task has not started waiting yet
///     assert_eq!(waiter.await.unwrap(), "woken");
/// });
/// ```
pub struct Notify {
    /// A `notify_one` found nobody waiting.
    permit: Cell<bool>,
    /// How many times `notify_waiters` was called: a `Notified` created before a call
    /// sees the count move.
    broadcasts: Cell<u64>,
    waiters: RefCell<WaitList<Wakeup>>,
}

/// What a waiter was woken by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wakeup {
    NotYet,
    /// Chosen by `notify_one`: if dropped unseen, pass it on.
    One,
    /// Woken by `notify_waiters`.
    All,
}

/// The future of [`Notify::notified`].
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    notify: &'a Notify,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Not yet waiting; `broadcasts` is the count when the future was created.
    Created {
        broadcasts: u64,
    },
    Waiting(WaiterId),
    Done,
}

impl Notify {
    /// A `Notify` with no permit and nobody waiting. `const`, so it can be a `static`
    /// in a `thread_local!`.
    pub const fn new() -> Notify {
        Notify {
            permit: Cell::new(false),
            broadcasts: Cell::new(0),
            waiters: RefCell::new(WaitList::new()),
        }
    }

    /// A future that completes at the next notification (or at once, taking the
    /// permit, if one is stored).
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            state: State::Created {
                broadcasts: self.broadcasts.get(),
            },
        }
    }

    /// Wakes the task that has waited longest, or stores the permit if none waits.
    pub fn notify_one(&self) {
        let woken = {
            let mut waiters = self.waiters.borrow_mut();
            match waiters.wake_front_as(Wakeup::One) {
                Some(waker) => Some(waker),
                None => {
                    self.permit.set(true);
                    None
                }
            }
        };
        if let Some(waker) = woken {
            waker.wake();
        }
    }

    /// Wakes every task waiting now (and every `Notified` created before this call);
    /// stores no permit.
    pub fn notify_waiters(&self) {
        self.broadcasts.set(self.broadcasts.get() + 1);
        wake_all(Wakeup::All, || self.waiters.borrow_mut());
    }
}

impl Notified<'_> {
    /// Joins the queue now, without waiting to be polled, so that a `notify_one` made
    /// before the first poll picks this future. Returns whether it is already
    /// notified (it then completes at its first poll).
    pub fn enable(self: Pin<&mut Self>) -> bool {
        let this = self.get_mut();
        match this.state {
            State::Created { .. } => this.poll_created(None).is_ready(),
            State::Waiting(ref id) => this.notify.waiters.borrow().is_woken(id),
            State::Done => true,
        }
    }

    /// First poll (or `enable`): a broadcast since creation or the stored permit
    /// completes it; otherwise it joins the queue, with `cx`'s waker if polled.
    fn poll_created(&mut self, waker: Option<&Waker>) -> Poll<()> {
        let State::Created { broadcasts } = self.state else {
            unreachable!("only called in the Created state")
        };
        let notify = self.notify;
        if broadcasts != notify.broadcasts.get() || notify.permit.replace(false) {
            self.state = State::Done;
            return Poll::Ready(());
        }
        let id = notify
            .waiters
            .borrow_mut()
            .push_back(waker.cloned(), Wakeup::NotYet);
        self.state = State::Waiting(id);
        Poll::Pending
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match &this.state {
            State::Created { .. } => {
                ready!(this.poll_created(Some(cx.waker())));
                // Notified already: spend the budget as any ready operation does. Out
                // of budget, the notification is kept (the state is `Done`).
                if coop::proceed(cx.waker()) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }
            State::Waiting(id) => {
                let mut waiters = this.notify.waiters.borrow_mut();
                if !waiters.is_woken(id) {
                    waiters.register(id, cx.waker());
                    return Poll::Pending;
                }
                drop(waiters);
                if !coop::proceed(cx.waker()) {
                    return Poll::Pending;
                }
                let State::Waiting(id) = std::mem::replace(&mut this.state, State::Done) else {
                    unreachable!("matched Waiting")
                };
                this.notify.waiters.borrow_mut().remove(id);
                Poll::Ready(())
            }
            State::Done => Poll::Ready(()),
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let State::Waiting(id) = std::mem::replace(&mut self.state, State::Done) else {
            return;
        };
        let removed = self.notify.waiters.borrow_mut().remove(id);
        if removed == Removed::Woken(Wakeup::One) {
            // Chosen by notify_one but never saw it: the wake-up belongs to the next.
            self.notify.notify_one();
        }
    }
}

impl Default for Notify {
    fn default() -> Notify {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify")
            .field("permit", &self.permit.get())
            .field("waiters", &self.waiters.borrow().len())
            .finish()
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
