//! `Sleep`: a future that completes at a deadline.

#![deny(unsafe_code)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::Instant;
use super::heap::TimerKey;
use super::timers::Timers;

/// Waits until `duration` has passed on the runtime's clock.
///
/// The deadline is `Instant::now() + duration`, taken when `sleep` is called. The
/// future completes on the first tick of the loop at or after it, never before; with
/// a zero duration, at the next tick. `Duration::MAX` sleeps about 30 years.
///
/// # Panics
///
/// The returned future panics when first polled outside a runtime.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Instant};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let start = Instant::now();
/// time::sleep(Duration::from_millis(100)).await;
/// assert!(start.elapsed() >= Duration::from_millis(100));
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now().saturating_add(duration))
}

/// Waits until `deadline` on the runtime's clock; completes at the next tick if it has
/// passed already.
///
/// # Panics
///
/// The returned future panics when first polled outside a runtime.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Instant};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let deadline = Instant::now() + Duration::from_secs(2);
/// time::sleep_until(deadline).await;
/// assert!(Instant::now() >= deadline);
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        state: State::Unarmed,
    }
}

/// The future returned by [`sleep`] and [`sleep_until`].
///
/// Creating one does not touch the runtime. Its first poll arms a timer (no system
/// call, no allocation beyond the timer store's amortised growth); dropping it before
/// it completes disarms the timer, which never wakes anyone afterwards. Later polls
/// only store a new waker if the task polling it changed.
///
/// A `Sleep` belongs to the runtime that first polled it. It is `Unpin`, so it can be
/// kept in a struct and polled through `&mut` without pinning.
///
/// # Caveats
///
/// If its runtime is dropped first, the runtime's timers go with it: the `Sleep` then
/// counts as elapsed and completes at its next poll.
///
/// # Examples
///
/// Put a deadline on a loop, and push it back when there is activity:
///
/// ```
/// use evloop::time::{self, Duration, Instant};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let mut idle = time::sleep(Duration::from_secs(10));
/// assert!(!idle.is_elapsed());
/// idle.reset(Instant::now() + Duration::from_secs(20));
/// (&mut idle).await;
/// assert!(idle.is_elapsed());
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    state: State,
}

/// Where a `Sleep` is in its life.
///
/// ```text
///            first poll, not due (1)          the loop fires it (2)
///   Unarmed ------------------------> Armed -----------------------> [poll] Elapsed
///      |        first poll, due (3)                                     |
///      +----------------------------------------------------------> Elapsed
///   Elapsed / Unarmed --- reset (4) ---> Unarmed
///   Armed --- reset (5) ---> Armed, or Unarmed (timer cancelled) if already due
/// ```
///
/// (1)(3) `poll_unarmed`; (2) `Timers::fire_expired`, seen by the next poll, which
/// finds the deadline due by the last firing; (4)(5) `Sleep::reset`. Dropping an
/// `Armed` sleep cancels its timer.
enum State {
    /// No timer: created, or reset, and not polled since.
    Unarmed,
    /// A timer in `timers` under `key`, which wakes the last task that polled.
    Armed { timers: Rc<Timers>, key: TimerKey },
    /// The deadline passed and a poll returned `Ready`.
    Elapsed,
}

impl Sleep {
    /// When the sleep completes.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{self, Duration, Instant};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(time::sleep_until(deadline).deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed: the future completed, or the loop fired its
    /// timer and the next poll will complete it.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{self, Duration};
    ///
    /// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
    /// # runtime.block_on(async {
    /// let mut sleep = time::sleep(Duration::from_millis(10));
    /// assert!(!sleep.is_elapsed());
    /// (&mut sleep).await;
    /// assert!(sleep.is_elapsed());
    /// # });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_elapsed(&self) -> bool {
        match &self.state {
            State::Unarmed => false,
            State::Armed { timers, key } => timers.is_due(self.deadline) || !timers.is_armed(*key),
            State::Elapsed => true,
        }
    }

    /// Moves the deadline, earlier or later, before or after the sleep completed. An
    /// armed timer moves in place (O(log n), no system call) and keeps waking the task
    /// that last polled; otherwise the next poll arms it.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{self, Duration, Instant};
    ///
    /// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
    /// # runtime.block_on(async {
    /// let start = Instant::now();
    /// let mut sleep = time::sleep(Duration::from_secs(1));
    /// sleep.reset(start + Duration::from_millis(10));
    /// (&mut sleep).await;
    /// assert_eq!(start.elapsed(), Duration::from_millis(10));
    /// # });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if let State::Armed { timers, key } = &self.state {
            if timers.is_due(deadline) {
                // Moved into the past: no timer needed, the next poll completes.
                timers.cancel(*key);
            } else if timers.reschedule(*key, deadline) {
                return;
            }
        }
        self.state = State::Unarmed;
    }

    #[track_caller]
    fn poll_unarmed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let timers = Timers::current();
        if timers.is_due(self.deadline) {
            self.state = State::Elapsed;
            return Poll::Ready(());
        }
        let key = timers.arm(self.deadline, cx.waker());
        self.state = State::Armed { timers, key };
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match &this.state {
            State::Unarmed => this.poll_unarmed(cx),
            State::Armed { timers, key } => {
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

impl Drop for Sleep {
    fn drop(&mut self) {
        if let State::Armed { timers, key } = &self.state {
            timers.cancel(*key);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("elapsed", &self.is_elapsed())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{Runtime, context};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Waker;
    use waker_fn::waker_fn;

    /// A waker that counts its wakes, and the count.
    fn counting_waker() -> (Waker, Arc<AtomicUsize>) {
        let wakes = Arc::new(AtomicUsize::new(0));
        let count = wakes.clone();
        let waker = waker_fn(move || {
            count.fetch_add(1, Ordering::SeqCst);
        });
        (waker, wakes)
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

    #[test]
    fn arms_on_first_poll_only_and_disarms_on_drop() {
        paused().block_on(async {
            let mut sleep = sleep(Duration::from_secs(1));
            assert_eq!(armed(), 0, "creating a sleep arms nothing");
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
            assert_eq!(armed(), 1);
            sleep.reset(Instant::now() + Duration::from_secs(2));
            assert_eq!(armed(), 1, "reset moves the timer in place");
            drop(sleep);
            assert_eq!(armed(), 0);
        });
    }

    #[test]
    fn only_the_last_waker_is_woken() {
        paused().block_on(async {
            let ((first, first_wakes), (second, second_wakes)) =
                (counting_waker(), counting_waker());
            let mut sleep = sleep(Duration::from_secs(1));
            assert!(poll_with(&mut sleep, &first).is_pending());
            assert!(poll_with(&mut sleep, &second).is_pending());
            crate::time::advance(Duration::from_secs(1)).await;
            assert_eq!(first_wakes.load(Ordering::SeqCst), 0);
            assert_eq!(second_wakes.load(Ordering::SeqCst), 1);
            assert_eq!(armed(), 0, "a fired timer is disarmed");
            assert!(sleep.is_elapsed());
            assert!(poll_with(&mut sleep, Waker::noop()).is_ready());
        });
    }

    #[test]
    fn reset_into_the_past_disarms_and_completes() {
        paused().block_on(async {
            let start = Instant::now();
            let mut sleep = sleep(Duration::from_secs(10));
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
            crate::time::advance(Duration::from_secs(2)).await;
            sleep.reset(start + Duration::from_secs(1));
            assert_eq!(armed(), 0, "a deadline already due needs no timer");
            assert!(poll_with(&mut sleep, Waker::noop()).is_ready());
        });
    }

    #[test]
    fn a_sleep_already_due_completes_without_arming() {
        paused().block_on(async {
            let mut sleep = sleep_until(Instant::now());
            assert!(poll_with(&mut sleep, Waker::noop()).is_ready());
            assert_eq!(armed(), 0);
        });
    }
}
