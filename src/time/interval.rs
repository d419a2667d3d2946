//! `Interval`: ticks at a fixed period, and what to do about ticks that come late.

#![deny(unsafe_code)]

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;

use super::{Instant, Sleep, sleep_until};

/// Ticks every `period`, the first tick at once.
///
/// # Panics
///
/// If `period` is zero.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Instant};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let start = Instant::now();
/// let mut every_second = time::interval(Duration::from_secs(1));
/// for n in 0..3 {
///     let tick = every_second.tick().await;
///     assert_eq!(tick, start + Duration::from_secs(n));
/// }
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// If `period` is zero.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Instant};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let start = Instant::now() + Duration::from_millis(500);
/// let mut ticks = time::interval_at(start, Duration::from_secs(1));
/// assert_eq!(ticks.tick().await, start);
/// assert_eq!(ticks.tick().await, start + Duration::from_secs(1));
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "evloop: an interval's period must be non-zero"
    );
    Interval {
        delay: sleep_until(start),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// What an [`Interval`] does when a tick is *missed*: taken a whole period or more
/// after it was due, so that the next tick is due already. This happens when the task
/// spends longer than the period between two calls to [`tick`](Interval::tick), or
/// the thread is held up.
///
/// A tick taken late by less than a period is not missed: the next one stays on the
/// original schedule, under every behaviour. So precise timers do not make the
/// schedule drift by their few microseconds of lateness.
///
/// The examples below use a period of 100 ms; the first tick is at 0 ms, and the task
/// takes the tick at 100 ms only at 350 ms.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, MissedTickBehavior};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let mut ticks = time::interval(Duration::from_millis(100));
/// ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
/// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Skip);
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum MissedTickBehavior {
    /// Catch up: the missed ticks complete at once, one per call, until the interval
    /// is back on its original schedule. The default, as in tokio.
    ///
    /// ```text
    /// due:    0   100 200 300 400 500
    /// taken:  0   350 350 350 400 500
    /// ```
    #[default]
    Burst,
    /// Start again from when the late tick was taken: the next is one period after
    /// it, and the whole schedule shifts. Ticks never come closer than a period.
    ///
    /// ```text
    /// due:    0   100 450 550 650
    /// taken:  0   350 450 550 650
    /// ```
    Delay,
    /// Drop the missed ticks: the next tick is the first one of the original schedule
    /// that is still ahead (strictly after the late tick was taken, as in tokio).
    ///
    /// ```text
    /// due:    0   100 400 500 600
    /// taken:  0   350 400 500 600
    /// ```
    Skip,
}

impl MissedTickBehavior {
    /// When the tick after one that was `due` and taken at `now` is due.
    fn next_tick(self, due: Instant, now: Instant, period: Duration) -> Instant {
        let on_schedule = due.saturating_add(period);
        if now < on_schedule {
            return on_schedule;
        }
        match self {
            MissedTickBehavior::Burst => on_schedule,
            MissedTickBehavior::Delay => now.saturating_add(period),
            MissedTickBehavior::Skip => {
                let into_period = (now - due).as_nanos() % period.as_nanos();
                now.saturating_add(period - nanos(into_period))
            }
        }
    }
}

/// `nanos` as a `Duration` (below a period, so it fits).
fn nanos(nanos: u128) -> Duration {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).unwrap_or(u64::MAX);
    Duration::new(secs, (nanos % NANOS_PER_SEC) as u32)
}

/// Ticks at a fixed period; made by [`interval`] or [`interval_at`].
///
/// Each [`tick`](Self::tick) completes when the next tick is due and returns the
/// instant it was due at (not the later instant it was taken at). Ticks that come
/// late are handled as [`MissedTickBehavior`] says.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let mut heartbeat = time::interval(Duration::from_secs(30));
/// for _ in 0..3 {
///     heartbeat.tick().await;
///     // send a heartbeat
/// }
/// assert_eq!(heartbeat.period(), Duration::from_secs(30));
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Interval {
    /// Completes when the next tick is due; its deadline is that tick's instant.
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was due.
    ///
    /// Cancel safe: if the returned future is dropped before it completes, no tick is
    /// lost.
    ///
    /// # Panics
    ///
    /// When polled outside a runtime.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick: `Ready(due)` when it is due, else `Pending` after
    /// arranging for `cx`'s waker to be woken then. For hand-written futures.
    ///
    /// # Panics
    ///
    /// When polled outside a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use evloop::time::{self, Duration};
    ///
    /// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
    /// # runtime.block_on(async {
    /// let mut ticks = time::interval(Duration::from_millis(10));
    /// let first = poll_fn(|cx| ticks.poll_tick(cx)).await;
    /// let second = poll_fn(|cx| ticks.poll_tick(cx)).await;
    /// assert_eq!(second - first, Duration::from_millis(10));
    /// # });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.delay).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let due = self.delay.deadline();
        let next = self
            .missed_tick_behavior
            .next_tick(due, Instant::now(), self.period);
        self.delay.reset(next);
        Poll::Ready(due)
    }

    /// Restarts the schedule: the next tick is one period from now.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{self, Duration, Instant};
    ///
    /// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
    /// # runtime.block_on(async {
    /// let mut ticks = time::interval(Duration::from_secs(1));
    /// ticks.tick().await;
    /// time::advance(Duration::from_millis(300)).await;
    /// ticks.reset();
    /// let restarted = Instant::now();
    /// assert_eq!(ticks.tick().await, restarted + Duration::from_secs(1));
    /// # });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn reset(&mut self) {
        self.delay.reset(Instant::now().saturating_add(self.period));
    }

    /// The time between two ticks.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What happens to missed ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what happens to missed ticks, from the next tick on.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }
}

/// The ticks, as [`tick`](Interval::tick) returns them: the instant each was due. The
/// stream never ends.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Instant};
/// use futures::StreamExt;
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let start = Instant::now();
/// let ticks: Vec<Instant> = time::interval(Duration::from_secs(1)).take(3).collect().await;
/// assert_eq!(ticks, [0, 1, 2].map(|s| start + Duration::from_secs(s)));
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
impl Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    /// The schedules drawn in `MissedTickBehavior`'s docs: period 100 ms, the tick due
    /// at 100 ms taken at 350 ms.
    #[test]
    fn next_tick_follows_each_behaviour() {
        let zero = Instant::from_std(std::time::Instant::now());
        let at = |millis| zero + ms(millis);
        let next =
            |behavior: MissedTickBehavior, due, now| behavior.next_tick(at(due), at(now), ms(100));
        for behavior in [
            MissedTickBehavior::Burst,
            MissedTickBehavior::Delay,
            MissedTickBehavior::Skip,
        ] {
            assert_eq!(
                next(behavior, 100, 130),
                at(200),
                "{behavior:?}: late, not missed"
            );
            assert_eq!(next(behavior, 100, 100), at(200), "{behavior:?}: on time");
        }
        assert_eq!(next(MissedTickBehavior::Burst, 100, 350), at(200));
        assert_eq!(next(MissedTickBehavior::Delay, 100, 350), at(450));
        assert_eq!(next(MissedTickBehavior::Skip, 100, 350), at(400));
        assert_eq!(
            next(MissedTickBehavior::Skip, 100, 400),
            at(500),
            "due exactly now is skipped"
        );
    }
}
