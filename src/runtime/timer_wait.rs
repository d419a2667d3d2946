//! How the loop waits for its next timer when nothing else can run: park until it,
//! park short of it and go round the loop for the rest, or park past it to fire it
//! together with the timers right behind it.
//!
//! ```text
//!   parked short of it, now within the margin   go round the loop (epoll, timeout 0)
//!                                               until it fires
//!   it and the two after it within 50 µs        park until 50 µs past it (a batch)
//!   next timer in under 5 µs (SPIN_BELOW)       go round the loop
//!   farther than the margin + 5 µs              park until the margin before it
//!   otherwise                                   park until it
//! ```
//!
//! The margin is how late timed parks have been returning ([`Oversleep`]). A park cut
//! short by it ends about at the deadline, and the few microseconds left are waited
//! out by going round the loop: the timer fires within microseconds of its deadline
//! for at most the margin's worth of CPU. The loop does that once per park: a timer
//! that comes within the margin only after another one fired gets a plain park, or
//! timers 60 µs apart would keep it spinning from one to the next.
//!
//! Dense timers (100,000 tasks sleeping over 100 ms have a deadline every
//! microsecond) would still mean one park per timer, so when the next three are due
//! within [`DENSE_TIMER_WINDOW`] the loop parks past the first and fires all that are
//! due by then in one tick: those timers are up to 50 µs late. Not for three timers
//! due at the same instant, which one precise wake fires together anyway.

use std::cell::Cell;
use std::time::Duration;

use super::Wait;
use super::oversleep::Oversleep;

/// A timer due sooner than this is waited for by going round the loop, not by
/// parking: a park costs about 7 µs of CPU here (the system call, the kernel's timer,
/// the switches), whatever its length.
const SPIN_BELOW: Duration = Duration::from_micros(5);

/// When the next three timers are due within this span, the loop parks until this
/// long after the first and fires them together. 50 µs is Linux's default timer
/// slack: how far the kernel itself would stretch a sleep to merge wake-ups.
const DENSE_TIMER_WINDOW: Duration = Duration::from_micros(50);

/// The loop's memory of its timed parks: how late they return, and whether it has
/// just parked short of the next timer.
#[derive(Debug, Default)]
pub(crate) struct TimerWait {
    oversleep: Oversleep,
    /// Set by a park cut short by the margin, cleared when a timer fires: until then,
    /// the loop goes round instead of parking again for that timer.
    parked_short: Cell<bool>,
}

impl TimerWait {
    /// How to wait for the next timer, due `wait` from now. `next_three_span`: how
    /// long after it the third timer is due, if three are armed.
    pub(crate) fn plan(&self, wait: Duration, next_three_span: Option<Duration>) -> Wait {
        let margin = self.oversleep.margin();
        if self.parked_short.get() && wait < SPIN_BELOW + margin {
            return Wait::TimerImminent;
        }
        let dense =
            next_three_span.is_some_and(|span| !span.is_zero() && span <= DENSE_TIMER_WINDOW);
        if dense {
            // No spin follows a batched park, so it is cut short by the typical
            // oversleep, not the margin: it should end near the window's end, not early.
            let past_first = wait + DENSE_TIMER_WINDOW;
            let timeout = past_first.saturating_sub(self.oversleep.typical());
            return Wait::TimersBatched(timeout.max(SPIN_BELOW));
        }
        if wait < SPIN_BELOW {
            return Wait::TimerImminent;
        }
        match wait
            .checked_sub(margin)
            .filter(|&short| short >= SPIN_BELOW)
        {
            Some(short) => {
                self.parked_short.set(margin > Duration::ZERO);
                Wait::NextTimer(short)
            }
            None => Wait::NextTimer(wait),
        }
    }

    /// Some timer fired: the one a park was cut short for, or an earlier one.
    pub(crate) fn timers_fired(&self) {
        self.parked_short.set(false);
    }

    /// A timed park returned with no event, `late` after the time it asked for.
    pub(crate) fn timed_out(&self, late: Duration) {
        self.oversleep.record(late);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(micros: u64) -> Duration {
        Duration::from_micros(micros)
    }

    /// A `TimerWait` that has seen its parks return `late_us` late, steadily.
    fn learned(late_us: u64) -> TimerWait {
        let wait = TimerWait::default();
        for _ in 0..100 {
            wait.timed_out(us(late_us));
        }
        wait
    }

    fn timeout(wait: Wait) -> Option<Duration> {
        match wait {
            Wait::NextTimer(timeout) | Wait::TimersBatched(timeout) => Some(timeout),
            _ => None,
        }
    }

    #[test]
    fn before_learning_anything_it_parks_until_the_deadline() {
        let plan = TimerWait::default().plan(us(1_000), None);
        assert_eq!(timeout(plan), Some(us(1_000)));
    }

    #[test]
    fn it_parks_short_by_the_margin_then_goes_round_until_the_timer_fires() {
        let wait = learned(30);
        let short = timeout(wait.plan(us(1_000), None)).expect("a park");
        assert!((us(965)..=us(975)).contains(&short), "{short:?}");
        assert!(matches!(wait.plan(us(20), None), Wait::TimerImminent));
        assert!(matches!(wait.plan(us(2), None), Wait::TimerImminent));
        wait.timers_fired();
        assert!(matches!(wait.plan(us(2), None), Wait::TimerImminent));
    }

    #[test]
    fn a_timer_near_after_another_fired_gets_a_plain_park_not_a_spin() {
        let wait = learned(30);
        wait.timers_fired();
        assert_eq!(timeout(wait.plan(us(20), None)), Some(us(20)));
    }

    #[test]
    fn a_park_ended_early_by_io_parks_short_again_instead_of_spinning() {
        let wait = learned(30);
        timeout(wait.plan(us(1_000_000), None)).expect("a park");
        // An event ended the park long before the deadline.
        let again = timeout(wait.plan(us(500_000), None)).expect("a park, not a spin");
        assert!(again < us(500_000));
    }

    #[test]
    fn three_timers_within_the_window_are_batched() {
        let wait = learned(30);
        let batched = wait.plan(us(1_000), Some(us(10)));
        assert!(matches!(batched, Wait::TimersBatched(_)));
        let past_first = timeout(batched).unwrap();
        assert!(
            (us(1_015)..=us(1_025)).contains(&past_first),
            "{past_first:?}"
        );
    }

    #[test]
    fn timers_due_at_one_instant_or_spread_out_are_not_batched() {
        let wait = learned(30);
        assert!(matches!(
            wait.plan(us(1_000), Some(Duration::ZERO)),
            Wait::NextTimer(_)
        ));
        assert!(matches!(
            wait.plan(us(1_000), Some(us(51))),
            Wait::NextTimer(_)
        ));
    }

    #[test]
    fn a_batched_park_is_never_shorter_than_spin_below() {
        let wait = learned(100);
        let batched = timeout(wait.plan(us(6), Some(us(10)))).unwrap();
        assert_eq!(batched, SPIN_BELOW);
    }
}
