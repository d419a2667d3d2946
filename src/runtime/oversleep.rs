//! How late the kernel wakes a timed park, learned from the loop's own parks, so that
//! the loop can ask to be woken that much before a timer's deadline and spin the rest.
//!
//! `epoll_pwait2` takes a timeout to the nanosecond, but the thread runs again only once
//! the kernel's timer interrupt has fired and the scheduler has switched back to it. On
//! bare metal that costs a few microseconds; in a virtual machine, 30 µs typically and
//! over 100 µs in one park out of a hundred. A timer would be that late.
//!
//! So each park that ends by timing out is a sample of that oversleep, and the loop
//! keeps two running averages of the samples, as TCP does for round-trip times
//! (RFC 6298): their mean, and their mean deviation from it. The loop parks until
//! `mean + 4 × deviation` before the deadline (the margin), then goes round the loop
//! without blocking until the deadline (`timer_wait.rs` decides when). The margin is
//! capped at [`MAX_MARGIN`], which bounds the CPU a timed park can spend spinning. On a
//! kernel without `epoll_pwait2`, timeouts are rounded up to whole milliseconds, so
//! the estimate sits at the cap: harmless, parks just end 100 µs early.
//!
//! ```text
//!   fire_expired: next deadline in 1 ms, margin 70 µs
//!   park 930 µs -> woken 30 µs late (sample 30 µs), 40 µs before the deadline
//!   go round the loop (epoll without blocking) for 40 µs -> fire at the deadline
//! ```

use std::cell::Cell;
use std::time::Duration;

/// The most a park is cut short by: the loop spends at most this much CPU spinning
/// before each timer it parked for.
pub(crate) const MAX_MARGIN: Duration = Duration::from_micros(100);

/// Running averages of how late timed parks return, in nanoseconds.
#[derive(Debug, Default)]
pub(crate) struct Oversleep {
    mean: Cell<u64>,
    deviation: Cell<u64>,
}

impl Oversleep {
    /// How long before a deadline to be woken.
    pub(crate) fn margin(&self) -> Duration {
        let margin = self.mean.get() + 4 * self.deviation.get();
        Duration::from_nanos(margin).min(MAX_MARGIN)
    }

    /// How late a timed park typically returns.
    pub(crate) fn typical(&self) -> Duration {
        Duration::from_nanos(self.mean.get()).min(MAX_MARGIN)
    }

    /// Learns from one park that timed out `late` after the time it asked for. A
    /// sample beyond the cap counts as the cap: one preempted park must not make every
    /// later one spin for milliseconds.
    pub(crate) fn record(&self, late: Duration) {
        let cap = MAX_MARGIN.as_nanos() as u64;
        let sample = u64::try_from(late.as_nanos()).unwrap_or(u64::MAX).min(cap);
        let mean = self.mean.get();
        // Gains of 1/4 for the deviation and 1/8 for the mean, as in RFC 6298.
        let deviation = self.deviation.get();
        self.deviation
            .set(deviation - deviation / 4 + sample.abs_diff(mean) / 4);
        self.mean.set(mean - mean / 8 + sample / 8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learned(samples_us: &[u64]) -> Oversleep {
        let oversleep = Oversleep::default();
        for &us in samples_us {
            oversleep.record(Duration::from_micros(us));
        }
        oversleep
    }

    #[test]
    fn no_samples_means_no_margin() {
        assert_eq!(Oversleep::default().margin(), Duration::ZERO);
    }

    #[test]
    fn steady_oversleep_converges_to_itself() {
        let margin = learned(&[30; 100]).margin();
        let us = margin.as_micros();
        assert!((29..=31).contains(&us), "margin {us} µs");
    }

    #[test]
    fn scattered_oversleep_adds_its_deviation() {
        let samples: Vec<u64> = (0..100).map(|i| if i % 2 == 0 { 20 } else { 40 }).collect();
        let us = learned(&samples).margin().as_micros();
        assert!((60..=100).contains(&us), "margin {us} µs");
    }

    #[test]
    fn one_preempted_park_is_capped_and_forgotten() {
        let oversleep = learned(&[10; 50]);
        oversleep.record(Duration::from_millis(4));
        assert!(oversleep.margin() <= MAX_MARGIN);
        for _ in 0..50 {
            oversleep.record(Duration::from_micros(10));
        }
        assert!(oversleep.margin() < Duration::from_micros(15));
    }
}
