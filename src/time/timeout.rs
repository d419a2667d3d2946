//! `timeout`: a time limit on any future.

#![deny(unsafe_code)]

use std::error::Error;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::{Instant, Sleep, sleep_until};

/// Runs `future` with a time limit of `duration`.
///
/// Gives `Ok(output)` if the future completes first, `Err(Elapsed)` (after dropping
/// the future) if `duration` passes first.
///
/// The limit starts at the first poll that finds the future not ready. Most futures
/// under a timeout are ready at once or soon; for those, the first poll returns `Ok`
/// without reading the clock or arming a timer, so a timeout that never fires costs
/// next to nothing. Use [`timeout_at`] for a deadline fixed in advance.
///
/// # Panics
///
/// When polled outside a runtime, unless the future is ready on its first poll; and,
/// as a [`Sleep`](super::Sleep) does, when polled in a runtime other than the one
/// whose first poll armed its timer.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let quick = time::timeout(Duration::from_secs(1), async { 7 }).await;
/// assert_eq!(quick, Ok(7));
///
/// let never = std::future::pending::<()>();
/// let slow = time::timeout(Duration::from_secs(1), never).await;
/// assert!(slow.is_err());
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        limit: Limit::After(duration),
    }
}

/// Runs `future` until `deadline`: `Ok(output)` if it completes first, else
/// `Err(Elapsed)`. A future that is ready on its first poll wins even if the deadline
/// has passed.
///
/// # Panics
///
/// When polled outside a runtime, unless the future is ready on its first poll; and,
/// as a [`Sleep`](super::Sleep) does, when polled in a runtime other than the one
/// whose first poll armed its timer.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Instant};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let deadline = Instant::now() + Duration::from_millis(50);
/// let result = time::timeout_at(deadline, time::sleep(Duration::from_secs(5))).await;
/// assert!(result.is_err());
/// assert_eq!(Instant::now(), deadline);
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        limit: Limit::At(sleep_until(deadline)),
    }
}

pin_project! {
    /// The future returned by [`timeout`] and [`timeout_at`].
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{self, Duration, Timeout};
    ///
    /// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
    /// # runtime.block_on(async {
    /// let limited: Timeout<_> = time::timeout(Duration::from_secs(1), async { "done" });
    /// let unlimited = limited.into_inner();
    /// assert_eq!(unlimited.await, "done");
    /// # });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        limit: Limit,
    }
}

/// The time limit: a duration until the future first waits, then a timer.
#[derive(Debug)]
enum Limit {
    /// `timeout(duration, ..)` before the future first returned `Pending`.
    After(Duration),
    /// A deadline (armed on its first poll).
    At(Sleep),
}

impl<F> Timeout<F> {
    /// The future inside.
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The future inside, mutably.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.future
    }

    /// The future inside, without its time limit.
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if let Limit::After(duration) = *this.limit {
            *this.limit = Limit::At(sleep_until(Instant::now().saturating_add(duration)));
        }
        let Limit::At(sleep) = this.limit else {
            unreachable!("the limit was turned into a deadline above");
        };
        match Pin::new(sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The error of a [`timeout`] whose time ran out before its future completed.
///
/// Converts into an [`io::Error`] of kind [`TimedOut`](io::ErrorKind::TimedOut), so
/// `?` works in functions that return `io::Result`.
///
/// # Examples
///
/// ```
/// use evloop::time::{self, Duration, Elapsed};
///
/// # let runtime = evloop::Runtime::builder().start_paused(true).build()?;
/// # runtime.block_on(async {
/// let error: Elapsed = time::timeout(Duration::ZERO, std::future::pending::<()>())
///     .await
///     .unwrap_err();
/// assert_eq!(error.to_string(), "deadline has elapsed");
/// let io_error = std::io::Error::from(error);
/// assert_eq!(io_error.kind(), std::io::ErrorKind::TimedOut);
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

impl From<Elapsed> for io::Error {
    fn from(elapsed: Elapsed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, elapsed)
    }
}
