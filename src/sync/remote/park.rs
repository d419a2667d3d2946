//! `block_on_thread`: run one future to completion on a thread with no executor, by
//! parking the thread until the future's waker unparks it.

#![deny(unsafe_code)]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use crate::runtime::Handle;

/// Wakes a parked thread. An unpark that comes before the park is kept by the thread,
/// so a wake between a poll and the park is not lost.
struct Unparker(Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` until it is ready, parking the thread in between.
///
/// # Panics
///
/// On a thread where an evloop runtime runs: parking it would stop its tasks.
#[track_caller]
pub(crate) fn block_on_thread<F: Future>(future: F) -> F::Output {
    if Handle::try_current().is_ok() {
        panic!(
            "evloop: a blocking send was called on a thread that runs an evloop runtime; \
             it would stop every task on the thread. Use `send(..).await` instead."
        );
    }
    let waker = Waker::from(Arc::new(Unparker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park();
    }
}
