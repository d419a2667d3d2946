//! `Probe`: a future polled by hand, with a waker that counts its wakes. The sync
//! primitives need no runtime, so their tests can step every future exactly: poll it
//! n times, see whether it was woken, drop it at any point.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// Counts the wakes of the waker it backs.
#[derive(Default)]
pub struct WakeCounter(AtomicUsize);

impl Wake for WakeCounter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A boxed future, its own counting waker, and its output once it is ready.
pub struct Probe<'a, T> {
    future: Option<Pin<Box<dyn Future<Output = T> + 'a>>>,
    counter: Arc<WakeCounter>,
    waker: Waker,
    output: Option<T>,
}

impl<'a, T> Probe<'a, T> {
    pub fn new(future: impl Future<Output = T> + 'a) -> Probe<'a, T> {
        let counter = Arc::new(WakeCounter::default());
        Probe {
            future: Some(Box::pin(future)),
            waker: Waker::from(counter.clone()),
            counter,
            output: None,
        }
    }

    /// Polls once (unless already ready); returns whether it is ready now.
    pub fn poll(&mut self) -> bool {
        if let Some(future) = &mut self.future {
            if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&self.waker))
            {
                self.output = Some(output);
                self.future = None;
            }
        }
        self.output.is_some()
    }

    /// Polls once and asserts that it is still pending.
    #[track_caller]
    pub fn assert_pending(&mut self) {
        assert!(!self.poll(), "expected the future to be pending");
    }

    /// Polls once and returns the output, which must be there.
    #[track_caller]
    pub fn expect_ready(mut self) -> T {
        assert!(self.poll(), "expected the future to be ready");
        self.output.take().unwrap()
    }

    /// How many times its waker was woken.
    pub fn wakes(&self) -> usize {
        self.counter.0.load(Ordering::SeqCst)
    }

    /// Whether it was woken since `before` wakes.
    pub fn woken_since(&self, before: usize) -> bool {
        self.wakes() > before
    }
}

/// Polls a fresh future from `make` `polls` times, then drops it: the way to check
/// that cancelling at each await point (before the first poll, after one, after two)
/// loses nothing.
pub fn poll_then_drop<'a, T>(polls: usize, future: impl Future<Output = T> + 'a) -> Option<T> {
    let mut probe = Probe::new(future);
    for _ in 0..polls {
        if probe.poll() {
            return probe.output.take();
        }
    }
    None
}
