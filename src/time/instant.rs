//! `Instant`: a point in time on the runtime's clock.

#![deny(unsafe_code)]

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::{Duration, Instant as StdInstant};

use crate::runtime::context;

/// A point in time, read from the current runtime's clock.
///
/// It is [`std::time::Instant`] underneath, and converts to and from it for free.
/// The difference is [`Instant::now`]: inside a runtime it asks that runtime's clock,
/// which stands still when the runtime was built with
/// [`start_paused`](crate::runtime::Builder::start_paused) or after
/// [`pause`](super::pause). On a clock that was never paused, it is exactly
/// `std::time::Instant::now()`. Outside a runtime it is always the OS clock.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Instant};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// // In a runtime built with `start_paused(true)`:
/// let start = Instant::now();
/// time::sleep(Duration::from_secs(60)).await;
/// assert_eq!(start.elapsed(), Duration::from_secs(60));
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: StdInstant,
}

/// How far ahead a deadline that cannot be represented (`now + Duration::MAX`) is put:
/// about 30 years, like tokio's `far_future`. Nothing waits that long.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

impl Instant {
    /// The current time on the current runtime's clock (the OS clock outside one).
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::Instant;
    ///
    /// let earlier = Instant::now();
    /// assert!(Instant::now() >= earlier);
    /// ```
    pub fn now() -> Instant {
        let std = context::with_current(|core| core.timers.now()).unwrap_or_else(StdInstant::now);
        Instant { std }
    }

    /// Wraps a `std` instant.
    ///
    /// # Examples
    ///
    /// ```
    /// let std = std::time::Instant::now();
    /// assert_eq!(evloop::time::Instant::from_std(std).into_std(), std);
    /// ```
    pub fn from_std(std: StdInstant) -> Instant {
        Instant { std }
    }

    /// The `std` instant underneath.
    ///
    /// # Examples
    ///
    /// ```
    /// let now = evloop::time::Instant::now();
    /// let std: std::time::Instant = now.into_std();
    /// assert_eq!(evloop::time::Instant::from(std), now);
    /// ```
    pub fn into_std(self) -> StdInstant {
        self.std
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{Duration, Instant};
    ///
    /// let start = Instant::now();
    /// let later = start + Duration::from_millis(5);
    /// assert_eq!(later.duration_since(start), Duration::from_millis(5));
    /// assert_eq!(start.duration_since(later), Duration::ZERO);
    /// ```
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// The time from `earlier` to `self`, or `None` if `earlier` is later.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{Duration, Instant};
    ///
    /// let start = Instant::now();
    /// let later = start + Duration::from_millis(5);
    /// assert_eq!(later.checked_duration_since(start), Some(Duration::from_millis(5)));
    /// assert_eq!(start.checked_duration_since(later), None);
    /// ```
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later (the same as
    /// [`duration_since`](Self::duration_since), named for readers who look for it).
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{Duration, Instant};
    ///
    /// let start = Instant::now();
    /// assert_eq!(start.saturating_duration_since(start + Duration::from_secs(1)), Duration::ZERO);
    /// ```
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }

    /// The time since `self` on the current runtime's clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{self, Duration, Instant};
    ///
    /// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
    /// # runtime.block_on(async {
    /// let start = Instant::now();
    /// time::advance(Duration::from_millis(250)).await;
    /// assert_eq!(start.elapsed(), Duration::from_millis(250));
    /// # });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + duration`, or `None` if that cannot be represented.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{Duration, Instant};
    ///
    /// assert!(Instant::now().checked_add(Duration::from_secs(1)).is_some());
    /// assert!(Instant::now().checked_add(Duration::MAX).is_none());
    /// ```
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, or `None` if that cannot be represented.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{Duration, Instant};
    ///
    /// assert!(Instant::now().checked_sub(Duration::MAX).is_none());
    /// ```
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }

    /// `self + duration`, or about 30 years from `self` if that cannot be represented:
    /// for deadlines like `now + Duration::MAX`, which mean "never".
    pub(crate) fn saturating_add(self, duration: Duration) -> Instant {
        self.checked_add(duration)
            .or_else(|| self.checked_add(FAR_FUTURE))
            .unwrap_or(self)
    }
}

impl From<StdInstant> for Instant {
    fn from(std: StdInstant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for StdInstant {
    fn from(instant: Instant) -> StdInstant {
        instant.into_std()
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// If the result cannot be represented; see [`Instant::checked_add`].
    fn add(self, duration: Duration) -> Instant {
        Instant::from_std(self.std + duration)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, duration: Duration) {
        *self = *self + duration;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// If the result cannot be represented; see [`Instant::checked_sub`].
    fn sub(self, duration: Duration) -> Instant {
        Instant::from_std(self.std - duration)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, duration: Duration) {
        *self = *self - duration;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// The time from `earlier` to `self`, zero if `earlier` is later.
    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}
