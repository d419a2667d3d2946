//! Cooperative scheduling: a budget of I/O operations per task poll.
//!
//! A task whose socket never runs dry would otherwise read forever inside one poll and
//! starve every other task. Each poll starts with [`Builder::io_budget`] units; each
//! I/O operation that finds its fd ready spends one (one that must wait for an edge
//! does no work and spends nothing); when none is left, I/O futures return `Pending`
//! after waking their own task, which goes to the back of the run queue.
//!
//! [`Builder::io_budget`]: crate::runtime::Builder::io_budget

#![deny(unsafe_code)]

use std::cell::Cell;
use std::task::{Context, Poll, Waker};

thread_local! {
    /// Units left in the current poll. `u32::MAX` outside a task poll: no limit.
    static BUDGET: Cell<u32> = const { Cell::new(u32::MAX) };
}

/// Runs `f` (one task poll) with a fresh budget of `units`.
pub(crate) fn with_budget<R>(units: u32, f: impl FnOnce() -> R) -> R {
    let previous = BUDGET.with(|budget| budget.replace(units));
    let result = f();
    BUDGET.with(|budget| budget.set(previous));
    result
}

/// Spends one unit. `Pending` (after scheduling the task again) when the budget is
/// spent: the caller returns `Pending` too, without doing its I/O.
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    if proceed(cx.waker()) {
        Poll::Ready(())
    } else {
        Poll::Pending
    }
}

/// [`poll_proceed`] for code that holds the task's waker rather than its context:
/// `false` (after waking `waker`) when the budget is spent.
pub(crate) fn proceed(waker: &Waker) -> bool {
    BUDGET.with(|budget| match budget.get() {
        0 => {
            waker.wake_by_ref();
            false
        }
        u32::MAX => true,
        units => {
            budget.set(units - 1);
            true
        }
    })
}

/// Spends one unit of the current task's I/O budget, yielding to the other tasks
/// first if it is spent.
///
/// evloop's own sockets do this for every operation. Call it from a leaf future or a
/// loop of your own that may always find work ready (a queue that never empties, a
/// decoder fed from memory), so it takes turns with the rest of the runtime.
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let mut total = 0u64;
///     for i in 0..1000 {
///         evloop::task::consume_budget().await;
///         total += i;
///     }
///     assert_eq!(total, 499_500);
/// });
/// ```
pub async fn consume_budget() {
    std::future::poll_fn(poll_proceed).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_runs_out_and_comes_back() {
        let mut cx = Context::from_waker(Waker::noop());
        with_budget(2, || {
            assert!(poll_proceed(&mut cx).is_ready());
            assert!(poll_proceed(&mut cx).is_ready());
            assert!(poll_proceed(&mut cx).is_pending());
        });
        assert!(
            poll_proceed(&mut cx).is_ready(),
            "no limit outside a task poll"
        );
    }
}
