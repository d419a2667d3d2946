//! The paused clock, for tests: stop time, move it by hand, let it run again.
//!
//! While the clock is paused, the loop never waits for a timer: when no task can run,
//! it delivers the I/O events that are ready without blocking, and if still nothing can
//! run, it moves the clock straight to the next deadline (but not while a blocking-pool
//! job is unfinished: it waits for that first). A test full of timeouts and intervals
//! then runs in no real time, and always the same way.

#![deny(unsafe_code)]

use std::time::Duration;

use super::timers::Timers;
use crate::task::yield_now;

/// Stops the current runtime's clock: [`Instant::now`](super::Instant::now) stands
/// still from here, except when the loop has nothing to run (then it jumps to the next
/// timer's deadline) or [`advance`] moves it.
///
/// [`Builder::start_paused`](crate::runtime::Builder::start_paused) starts a runtime
/// this way.
///
/// # Panics
///
/// Outside a runtime, or if the clock is already paused.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Instant};
///
/// evloop::block_on(async {
///     time::pause();
///     let start = Instant::now();
///     time::sleep(Duration::from_secs(3600)).await; // takes no real time
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
///     time::resume();
/// });
/// ```
#[track_caller]
pub fn pause() {
    if let Err(message) = Timers::current().pause() {
        panic!("{message}");
    }
}

/// Lets the current runtime's clock run again, from the time it was paused at.
///
/// # Panics
///
/// Outside a runtime, or if the clock is not paused.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Instant};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// // In a runtime built with `start_paused(true)`:
/// time::advance(Duration::from_secs(10)).await;
/// let paused_at = Instant::now();
/// time::resume();
/// assert!(Instant::now() >= paused_at, "the clock never goes back");
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn resume() {
    if let Err(message) = Timers::current().resume() {
        panic!("{message}");
    }
}

/// Moves the paused clock forward by `duration`, wakes every timer that is then due,
/// and yields once, so the woken tasks run before this call returns.
///
/// # Panics
///
/// Outside a runtime, or if the clock is not paused.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// // In a runtime built with `start_paused(true)`:
/// let sleeper = evloop::spawn(time::sleep(Duration::from_secs(5)));
/// time::advance(Duration::from_secs(4)).await;
/// assert!(!sleeper.is_finished());
/// time::advance(Duration::from_secs(1)).await;
/// assert!(sleeper.is_finished());
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn advance(duration: Duration) {
    advance_clock(duration);
    yield_now().await;
}

#[track_caller]
fn advance_clock(duration: Duration) {
    if let Err(message) = Timers::current().advance(duration) {
        panic!("{message}");
    }
}
