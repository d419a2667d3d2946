//! Time: [`sleep`], [`timeout`], [`interval`], and the runtime's clock.
//!
//! Event loops have two kinds of events: file events and time events. This module is
//! the second kind. Every runtime keeps its own timers; the loop fires the ones that
//! are due once per tick and parks in epoll no longer than until the next deadline.
//!
//! ```
//! use evloop::time::{self, Duration, Instant};
//!
//! # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
//! # runtime.block_on(async {
//! let start = Instant::now();
//! let slow = async {
//!     time::sleep(Duration::from_secs(10)).await;
//!     "slow"
//! };
//! assert!(time::timeout(Duration::from_secs(1), slow).await.is_err());
//! assert_eq!(start.elapsed(), Duration::from_secs(1));
//!
//! let mut ticks = time::interval(Duration::from_millis(100));
//! for _ in 0..3 {
//!     ticks.tick().await;
//! }
//! assert_eq!(start.elapsed(), Duration::from_millis(1200));
//! # });
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The examples in this module run on a paused clock (see [`pause`] and
//! [`Builder::start_paused`](crate::runtime::Builder::start_paused)), so they take no
//! real time; the code is the same on a real clock.
//!
//! # Guarantees
//!
//! - A timer never fires before its deadline: "due" means deadline at or before now,
//!   and the loop sleeps with a nanosecond timeout (`epoll_pwait2`), or in whole
//!   milliseconds rounded up where the kernel lacks it.
//! - A timer fires on the first tick at or after its deadline, even while other tasks
//!   keep the loop busy.
//! - Arming a timer (the first poll of a [`Sleep`]) and cancelling it (dropping it)
//!   make no system call and cost O(log n). A [`timeout`] whose future is ready at once
//!   reads no clock and arms nothing.
//! - The runtime sets its thread's timer slack (see
//!   [`Builder::timer_slack`](crate::runtime::Builder::timer_slack)), so the kernel
//!   wakes the loop within microseconds of a deadline, not 50 µs or more after it.
//!
//! # Implementation
//!
//! - `heap.rs`: the timer store, a binary min-heap of deadlines indexed by a slab, so
//!   any timer can be removed. Chosen by measurement (one pinned core of the 2-core
//!   development machine, best of five runs): arm then cancel a timer later than all
//!   others, 10 ns with 0, 10,000 or 100,000 other timers armed (an ordered
//!   `BTreeMap<(deadline, id), Waker>`: 22, 73 and 85 ns); the same with a random
//!   deadline among 10,000 timers, 25 ns (map: 161 ns); arm 100,000 random deadlines
//!   and fire them all, 135 ns per timer (map: 164 ns). A heap with lazy deletion was as
//!   fast but keeps cancelled entries (and their memory) until their deadline. A 4-ary
//!   heap with 16-byte entries was within 1% of this one on 100,000 sleeping tasks,
//!   where the cost is the tasks' own cache misses. A timer wheel was not tried:
//!   arming is already about 10 ns, and at nanosecond precision a wheel's finest slot
//!   needs an exact order of its own.
//! - `timers.rs`: one runtime's clock and heap, and the tick's step "fire what is due,
//!   say how long to sleep".
//! - `clock.rs`: the OS clock, or a paused one.
//! - `sleep.rs`, `timeout.rs`, `interval.rs`: the futures; `instant.rs`: [`Instant`];
//!   `pause.rs`: [`pause`], [`resume`], [`advance`].

#![deny(unsafe_code)]

mod clock;
pub(crate) mod heap;
mod instant;
mod interval;
mod pause;
mod sleep;
mod timeout;
pub(crate) mod timers;

pub use std::time::Duration;

pub use instant::Instant;
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use pause::{advance, pause, resume};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Elapsed, Timeout, timeout, timeout_at};
