//! `yield_now`: give the other tasks a turn.

#![deny(unsafe_code)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Returns control to the runtime once, letting every other runnable task run before
/// this one continues.
///
/// The task wakes itself and returns `Pending`; the wake puts it at the back of the run
/// queue. The loop still turns the reactor every
/// [`tasks_per_tick`](crate::runtime::Builder::tasks_per_tick) polls, so a task that
/// yields in a loop does not starve sockets either.
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     for _ in 0..3 {
///         evloop::task::yield_now().await;
///     }
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
