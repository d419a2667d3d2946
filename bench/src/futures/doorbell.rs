//! A task parked until another OS thread rings: the ringer notes the time right
//! before `Waker::wake`, the task notes the time when it is polled again, and the
//! difference is the runtime's cross-thread wake latency.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// The shared bell; cloning gives another handle (for the ringing thread).
#[derive(Debug, Clone)]
pub struct Doorbell {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The origin of both threads' timestamps.
    epoch: Instant,
    /// The parked task's waker, taken by the ringer.
    waker: Mutex<Option<Waker>>,
    /// Nanoseconds since `epoch` just before the last `wake()`.
    rung_at: AtomicU64,
    /// Set (after `rung_at`) by the ringer, cleared by the task that saw it.
    rung: AtomicBool,
}

impl Default for Doorbell {
    fn default() -> Doorbell {
        Doorbell::new()
    }
}

impl Doorbell {
    /// A bell nobody has rung.
    pub fn new() -> Doorbell {
        Doorbell {
            inner: Arc::new(Inner {
                epoch: Instant::now(),
                waker: Mutex::new(None),
                rung_at: AtomicU64::new(0),
                rung: AtomicBool::new(false),
            }),
        }
    }

    fn now_ns(&self) -> u64 {
        self.inner.epoch.elapsed().as_nanos() as u64
    }

    /// Waits for the next ring; resolves to the nanoseconds from just before `wake()`
    /// to the poll that saw it.
    pub fn wait(&self) -> Wait<'_> {
        Wait { bell: self }
    }

    /// Rings once, from another thread: takes the parked task's waker (waiting for it
    /// to be registered if need be), notes the time, and wakes it.
    pub fn ring(&self) {
        let waker = loop {
            let taken = self
                .inner
                .waker
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match taken {
                Some(waker) => break waker,
                None => thread::sleep(Duration::from_micros(1)),
            }
        };
        self.inner.rung_at.store(self.now_ns(), Ordering::Relaxed);
        self.inner.rung.store(true, Ordering::Release);
        waker.wake();
    }
}

/// The future returned by [`Doorbell::wait`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<'a> {
    bell: &'a Doorbell,
}

impl Future for Wait<'_> {
    type Output = u64;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        let polled_at = self.bell.now_ns();
        let inner = &self.bell.inner;
        if inner.rung.swap(false, Ordering::Acquire) {
            let rung_at = inner.rung_at.load(Ordering::Relaxed);
            return Poll::Ready(polled_at.saturating_sub(rung_at));
        }
        let mut slot = inner.waker.lock().unwrap_or_else(PoisonError::into_inner);
        match &*slot {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}
