//! A one-value slot shared by two tasks on one thread: one side puts a value in and
//! wakes the other, which takes it. The ping-pong workload is a long rally of these.
//!
//! Each hand-off clones the receiver's waker once (when it parks) and wakes it by
//! value, the pattern of a typical single-threaded channel.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// One of the two ends of a [`Handoff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The side that serves first.
    A,
    /// The side that answers.
    B,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }
}

/// The shared slot; cloning gives another handle to the same slot.
#[derive(Debug, Clone, Default)]
pub struct Handoff {
    inner: Rc<RefCell<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The value in flight and the side it is for.
    ball: Option<(Side, u64)>,
    /// The waker of each side while it waits, by [`Side::index`].
    waiting: [Option<Waker>; 2],
}

impl Handoff {
    /// A new, empty slot.
    pub fn new() -> Handoff {
        Handoff::default()
    }

    /// Puts `value` in the slot for `to` and wakes `to` if it is waiting.
    pub fn pass(&self, to: Side, value: u64) {
        let waker = {
            let mut inner = self.inner.borrow_mut();
            debug_assert!(inner.ball.is_none(), "the slot holds one value at a time");
            inner.ball = Some((to, value));
            inner.waiting[to.index()].take()
        };
        // Woken with no borrow held, in case a runtime polled the task right here.
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Waits until the slot holds a value for `me`, and takes it.
    pub fn receive(&self, me: Side) -> Receive<'_> {
        Receive { handoff: self, me }
    }
}

/// The future returned by [`Handoff::receive`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Receive<'a> {
    handoff: &'a Handoff,
    me: Side,
}

impl Future for Receive<'_> {
    type Output = u64;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        let mut inner = self.handoff.inner.borrow_mut();
        match inner.ball {
            Some((to, value)) if to == self.me => {
                inner.ball = None;
                Poll::Ready(value)
            }
            _ => {
                let slot = &mut inner.waiting[self.me.index()];
                match slot {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    _ => *slot = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}
