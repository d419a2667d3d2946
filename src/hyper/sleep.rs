//! `Sleep`: a timer on evloop's timer heap that is `Send + Sync`, as hyper requires.
//!
//! evloop's own [`time::Sleep`](crate::time::Sleep) holds an `Rc` to its runtime's
//! timers, so it is neither `Send` nor `Sync`, and hyper's `Timer` trait wants both
//! (its sleeps are boxed as `dyn Sleep + Send + Sync`, for multi-threaded runtimes).
//! This one holds no `Rc`: an armed `Sleep` keeps only its timer's key and an `Arc` to
//! the runtime's thread-safe part (`Shared`, which also serves as the runtime's
//! identity). Each time it needs the timers it finds them through the thread-local
//! current runtime, and only if that runtime is the one that armed it:
//!
//! - polled: on its runtime, as [`time::Sleep`](crate::time::Sleep) does (arm on
//!   first poll, then only swap the waker when the task changed); on another runtime,
//!   it panics rather than look up its key in the wrong heap;
//! - dropped or reset on its runtime's thread while that runtime runs (where hyper
//!   always drops it): the timer is cancelled at once, O(log n), no system call;
//! - dropped anywhere else: it cannot reach the heap, so it leaves the timer armed.
//!   At its deadline the timer wakes the task that last polled once, which finds
//!   nothing to do (a spurious wake, which every future must tolerate); if the runtime
//!   is gone by then, so are its timers.
//!
//! Nothing here costs evloop's own `Sleep` anything: it is a separate type on the same
//! heap, and the loop does not know the difference.

#![deny(unsafe_code)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::runtime::context;
use crate::runtime::shared::Shared;
use crate::time::Instant;
use crate::time::heap::TimerKey;
use crate::time::timers::Timers;

/// The panic of a `Sleep` polled on a runtime other than the one that armed it.
const OTHER_RUNTIME: &str = "evloop: a hyper timer was polled on a runtime other than \
    the one that first polled it; keep each hyper connection on one runtime.";

/// A sleep made by [`Timer`](super::Timer) for hyper: `Send + Sync`, on the current
/// runtime's timers.
///
/// # Panics
///
/// When polled outside a runtime, or on a runtime other than the one that first
/// polled it.
///
/// # Caveats
///
/// Dropped while its runtime is not running on the dropping thread, its timer stays
/// armed until its deadline, and then wakes the task that last polled it once: a
/// spurious wake, which every future must tolerate (`src/hyper/sleep.rs` explains).
/// hyper drops its sleeps inside the connection that owns them, on the runtime, where
/// dropping cancels the timer.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    state: State,
}

/// Where a `Sleep` is in its life: as [`time::Sleep`](crate::time::Sleep)'s, with the
/// runtime named by its shared part instead of held.
enum State {
    /// No timer: created, or reset, and not polled since.
    Unarmed,
    /// A timer under `key` in the timers of the runtime whose shared part is `runtime`.
    Armed { runtime: Arc<Shared>, key: TimerKey },
    /// The deadline passed and a poll returned `Ready`.
    Elapsed,
}

impl Sleep {
    /// A sleep until `deadline` on the runtime's clock; nothing is armed until the
    /// first poll.
    pub(crate) fn until(deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            state: State::Unarmed,
        }
    }

    /// When the sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Moves the deadline. On its runtime an armed timer moves in place; elsewhere the
    /// next poll arms a new one.
    pub(crate) fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if let State::Armed { runtime, key } = &self.state {
            if let Some(timers) = timers_of(runtime) {
                if timers.is_due(deadline) {
                    timers.cancel(*key);
                } else if timers.reschedule(*key, deadline) {
                    return;
                }
            }
        }
        self.state = State::Unarmed;
    }

    fn poll_unarmed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let (timers, runtime) =
            context::expect_current(|core| (core.timers.clone(), core.shared.clone()));
        if timers.is_due(self.deadline) {
            self.state = State::Elapsed;
            return Poll::Ready(());
        }
        let key = timers.arm(self.deadline, cx.waker());
        self.state = State::Armed { runtime, key };
        Poll::Pending
    }
}

/// The timers of the runtime whose shared part is `runtime`, if that runtime is the
/// one running on this thread.
fn timers_of(runtime: &Arc<Shared>) -> Option<Rc<Timers>> {
    context::with_current(|core| Arc::ptr_eq(&core.shared, runtime).then(|| core.timers.clone()))
        .flatten()
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match &this.state {
            State::Unarmed => this.poll_unarmed(cx),
            State::Armed { runtime, key } => {
                let timers = timers_of(runtime).unwrap_or_else(|| not_its_runtime());
                // Due by the last firing means fired: no need to look the timer up.
                if !timers.is_due(this.deadline) && timers.set_waker(*key, cx.waker()) {
                    Poll::Pending
                } else {
                    this.state = State::Elapsed;
                    Poll::Ready(())
                }
            }
            State::Elapsed => Poll::Ready(()),
        }
    }
}

/// Panics for an armed `Sleep` polled away from its runtime: with the usual message
/// outside any runtime, else with [`OTHER_RUNTIME`].
#[cold]
fn not_its_runtime() -> ! {
    context::expect_current(|_| ());
    panic!("{OTHER_RUNTIME}")
}

impl ::hyper::rt::Sleep for Sleep {}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let State::Armed { runtime, key } = &self.state {
            if let Some(timers) = timers_of(runtime) {
                timers.cancel(*key);
            }
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Unarmed => "unarmed",
            State::Armed { .. } => "armed",
            State::Elapsed => "elapsed",
        };
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("state", &state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::Runtime;
    use crate::time::Duration;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};

    #[derive(Default)]
    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn armed() -> usize {
        context::expect_current(|core| core.timers.len())
    }

    fn poll_with(sleep: &mut Sleep, waker: &Waker) -> Poll<()> {
        Pin::new(sleep).poll(&mut Context::from_waker(waker))
    }

    fn paused() -> Runtime {
        Runtime::builder().start_paused(true).build().unwrap()
    }

    fn in_a_second() -> Sleep {
        Sleep::until(Instant::now() + Duration::from_secs(1))
    }

    #[test]
    fn is_send_and_sync() {
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<Sleep>();
    }

    #[test]
    fn arms_on_first_poll_and_disarms_on_drop() {
        paused().block_on(async {
            let mut sleep = in_a_second();
            assert_eq!(armed(), 0, "creating a sleep arms nothing");
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
            assert_eq!(armed(), 1);
            drop(sleep);
            assert_eq!(armed(), 0);
        });
    }

    #[test]
    fn fires_at_its_deadline_and_wakes_the_last_waker() {
        paused().block_on(async {
            let (first, second) = (
                Arc::new(CountingWaker::default()),
                Arc::new(CountingWaker::default()),
            );
            let mut sleep = in_a_second();
            assert!(poll_with(&mut sleep, &Waker::from(first.clone())).is_pending());
            assert!(poll_with(&mut sleep, &Waker::from(second.clone())).is_pending());
            crate::time::advance(Duration::from_millis(999)).await;
            assert_eq!(second.0.load(Ordering::SeqCst), 0, "never early");
            crate::time::advance(Duration::from_millis(1)).await;
            assert_eq!(first.0.load(Ordering::SeqCst), 0);
            assert_eq!(second.0.load(Ordering::SeqCst), 1);
            assert_eq!(armed(), 0, "a fired timer is disarmed");
            assert!(poll_with(&mut sleep, Waker::noop()).is_ready());
        });
    }

    #[test]
    fn reset_moves_the_timer_in_place() {
        paused().block_on(async {
            let start = Instant::now();
            let mut sleep = in_a_second();
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
            sleep.reset(start + Duration::from_secs(5));
            assert_eq!(armed(), 1);
            (&mut sleep).await;
            assert_eq!(start.elapsed(), Duration::from_secs(5));

            let mut sleep = in_a_second();
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
            sleep.reset(start);
            assert_eq!(armed(), 0, "a deadline already due needs no timer");
            assert!(poll_with(&mut sleep, Waker::noop()).is_ready());
        });
    }

    #[test]
    fn dropped_on_another_thread_it_fires_once_harmlessly() {
        paused().block_on(async {
            let woken = Arc::new(CountingWaker::default());
            let mut sleep = in_a_second();
            assert!(poll_with(&mut sleep, &Waker::from(woken.clone())).is_pending());
            std::thread::spawn(move || drop(sleep)).join().unwrap();
            assert_eq!(armed(), 1, "another thread cannot reach the timers");
            crate::time::advance(Duration::from_secs(1)).await;
            assert_eq!(woken.0.load(Ordering::SeqCst), 1);
            assert_eq!(armed(), 0);
        });
    }

    #[test]
    fn dropped_after_its_runtime_it_does_nothing() {
        let runtime = paused();
        let mut sleep = Sleep::until(Instant::from_std(std::time::Instant::now()));
        runtime.block_on(async {
            sleep.reset(Instant::now() + Duration::from_secs(1));
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
        });
        drop(runtime);
        let other = paused();
        other.block_on(async {
            let mut theirs = in_a_second();
            assert!(poll_with(&mut theirs, Waker::noop()).is_pending());
            sleep.reset(Instant::now() + Duration::from_secs(2));
            drop(sleep);
            assert_eq!(armed(), 1, "another runtime's timer is left alone");
        });
    }

    #[test]
    #[should_panic(expected = "polled on a runtime other than the one that first polled it")]
    fn polled_on_another_runtime_it_panics() {
        let mut sleep = Sleep::until(Instant::from_std(std::time::Instant::now()));
        paused().block_on(async {
            sleep.reset(Instant::now() + Duration::from_secs(1));
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
        });
        paused().block_on(async move {
            let _ = poll_with(&mut sleep, Waker::noop());
        });
    }

    #[test]
    #[should_panic(expected = "there is no runtime on this thread")]
    fn polled_outside_a_runtime_it_panics() {
        let mut sleep = in_a_second();
        let _ = poll_with(&mut sleep, Waker::noop());
    }
}
