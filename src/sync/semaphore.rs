//! [`Semaphore`]: a number of permits that tasks take and give back, waiting in line
//! when none are free.

#![deny(unsafe_code)]

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::permits::{Permits, Refused, wake_granted};
use super::wait_list::WaiterId;
use crate::runtime::coop;

/// A counting semaphore for tasks on one thread (`!Send`; tokio's is `Send + Sync`).
///
/// A task takes permits with [`acquire`](Semaphore::acquire) and gives them back by
/// dropping the [`SemaphorePermit`]. When too few are free, it waits in line: permits
/// go to waiters first come, first served, and a waiter that asks for many holds up
/// those behind it until it has them all. Dropping a waiting `acquire` future leaves
/// the line and passes on whatever it had been given, so no permit is ever lost.
///
/// The state is a `RefCell` and a few counters: one thread needs no atomics.
///
/// # Examples
///
/// At most two "connections" in use at once:
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use evloop::sync::Semaphore;
///
/// evloop::block_on(async {
///     let pool = Rc::new(Semaphore::new(2));
///     let in_use = Rc::new(Cell::new(0));
///     let mut tasks = Vec::new();
///     for _ in 0..10 {
///         let (pool, in_use) = (pool.clone(), in_use.clone());
///         tasks.push(evloop::spawn(async move {
///             let _permit = pool.acquire().await.unwrap();
///             in_use.set(in_use.get() + 1);
///             assert!(in_use.get() <= 2);
///             evloop::task::yield_now().await;
///             in_use.set(in_use.get() - 1);
///         }));
///     }
///     for task in tasks {
///         task.await.unwrap();
///     }
///     assert_eq!(pool.available_permits(), 2);
/// });
/// ```
pub struct Semaphore {
    permits: RefCell<Permits>,
}

/// Permits taken from a [`Semaphore`]; dropping it gives them back.
#[must_use = "the permits go back as soon as this is dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: u32,
}

/// Permits taken from a [`Semaphore`] in an `Rc`, so the permit can outlive the borrow
/// (move it into a task); dropping it gives them back.
#[must_use = "the permits go back as soon as this is dropped"]
pub struct OwnedSemaphorePermit {
    semaphore: Rc<Semaphore>,
    permits: u32,
}

/// The semaphore was [closed](Semaphore::close): no permit will come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

/// Why [`Semaphore::try_acquire`] took nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore was closed.
    Closed,
    /// Too few permits are free, or tasks already wait for them.
    NoPermits,
}

impl Semaphore {
    /// The most permits a semaphore can hold (as in tokio).
    pub const MAX_PERMITS: usize = usize::MAX >> 3;

    /// A semaphore with `permits` free permits. `const`, so it can be a `static` in a
    /// `thread_local!`.
    ///
    /// # Panics
    ///
    /// If `permits` is more than [`MAX_PERMITS`](Self::MAX_PERMITS).
    pub const fn new(permits: usize) -> Semaphore {
        assert!(
            permits <= Self::MAX_PERMITS,
            "evloop: a semaphore holds at most Semaphore::MAX_PERMITS permits"
        );
        Semaphore {
            permits: RefCell::new(Permits::new(permits)),
        }
    }

    /// How many permits are free now.
    pub fn available_permits(&self) -> usize {
        self.permits.borrow().available()
    }

    /// Adds `n` permits, handing them to waiters first.
    ///
    /// # Panics
    ///
    /// If the total would pass [`MAX_PERMITS`](Self::MAX_PERMITS).
    pub fn add_permits(&self, n: usize) {
        let total = self.available_permits().checked_add(n);
        assert!(
            total.is_some_and(|total| total <= Self::MAX_PERMITS),
            "evloop: a semaphore holds at most Semaphore::MAX_PERMITS permits"
        );
        self.release(n);
    }

    /// Removes up to `n` free permits for good; returns how many it removed.
    pub fn forget_permits(&self, n: usize) -> usize {
        self.permits.borrow_mut().forget(n)
    }

    /// Waits for one permit. Fails only if the semaphore is closed.
    pub fn acquire(&self) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits, taken all at once.
    pub fn acquire_many(
        &self,
        n: u32,
    ) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> {
        let acquire = Acquire::new(self, n);
        async move {
            acquire.await?;
            Ok(SemaphorePermit::taken(self, n))
        }
    }

    /// One permit now, if one is free and nobody waits for it.
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// `n` permits now, if they are free and nobody waits for them.
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.take_now(n)?;
        Ok(SemaphorePermit::taken(self, n))
    }

    /// Waits for one permit that keeps the semaphore alive (move it into a task).
    pub async fn acquire_owned(self: Rc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Waits for `n` permits that keep the semaphore alive.
    pub async fn acquire_many_owned(
        self: Rc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        Acquire::new(&self, n).await?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// One permit now, owned; see [`try_acquire`](Self::try_acquire).
    pub fn try_acquire_owned(self: Rc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// `n` permits now, owned; see [`try_acquire_many`](Self::try_acquire_many).
    pub fn try_acquire_many_owned(
        self: Rc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.take_now(n)?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Closes the semaphore: every waiting and later `acquire` fails with
    /// [`AcquireError`]. Permits already out stay valid (and come back as usual).
    pub fn close(&self) {
        let mut wakers = Vec::new();
        self.permits.borrow_mut().close(&mut wakers);
        wakers.into_iter().for_each(|waker| waker.wake());
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.permits.borrow().is_closed()
    }

    /// Takes `n` permits now with no permit object: the caller owns them.
    pub(crate) fn take_now(&self, n: u32) -> Result<(), TryAcquireError> {
        self.permits
            .borrow_mut()
            .try_acquire(n as usize)
            .map_err(|refused| match refused {
                Refused::Closed => TryAcquireError::Closed,
                Refused::NoPermits => TryAcquireError::NoPermits,
            })
    }

    /// Gives `n` permits back, handing them to waiters first.
    pub(crate) fn release(&self, n: usize) {
        let mut permits = self.permits.borrow_mut();
        permits.release(n);
        if permits.has_waiters() {
            drop(permits);
            self.wake_granted();
        }
    }

    /// Takes `n` permits if they are free and nobody waits for them.
    fn take_if_free(&self, n: usize) -> bool {
        self.permits.borrow_mut().try_acquire(n).is_ok()
    }

    #[cold]
    fn wake_granted(&self) {
        wake_granted(|| self.permits.borrow_mut().grant_next());
    }
}

/// The future behind every wait for permits (the semaphore's own, the locks', the
/// bounded channel's free slots). Resolves to `Ok(())` once it holds `needed`
/// permits, which the caller then owns; dropped while waiting, it leaves the line and
/// passes on anything it was handed.
pub(crate) struct Acquire<'a> {
    semaphore: &'a Semaphore,
    needed: usize,
    /// Its place in line, once it had to wait.
    waiter: Option<WaiterId>,
}

impl<'a> Acquire<'a> {
    pub(crate) fn new(semaphore: &'a Semaphore, needed: u32) -> Acquire<'a> {
        Acquire {
            semaphore,
            needed: needed as usize,
            waiter: None,
        }
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), AcquireError>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.waiter.is_none() && this.semaphore.take_if_free(this.needed) {
            // The common case, kept small so that it inlines into the caller's poll.
            if coop::proceed(cx.waker()) {
                return Poll::Ready(Ok(()));
            }
            // Out of budget: give them back (nobody waited, so nobody is owed them).
            this.semaphore.permits.borrow_mut().release(this.needed);
            return Poll::Pending;
        }
        this.poll_in_line(cx)
    }
}

impl Acquire<'_> {
    /// The rest of `poll`: join the line, or look again at the place in it.
    #[inline(never)]
    fn poll_in_line(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), AcquireError>> {
        let waker = cx.waker();
        // Spending the budget may wake this task under the borrow: an evloop waker
        // only queues the task, and the budget runs out only inside a task's poll.
        self.semaphore
            .permits
            .borrow_mut()
            .poll_acquire(self.needed, &mut self.waiter, waker, || {
                coop::proceed(waker)
            })
            .map_err(|_closed| AcquireError(()))
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            self.semaphore.permits.borrow_mut().cancel(waiter);
            self.semaphore.wake_granted();
        }
    }
}

impl<'a> SemaphorePermit<'a> {
    /// The permit object for `permits` that an [`Acquire`] just took.
    pub(crate) fn taken(semaphore: &'a Semaphore, permits: u32) -> SemaphorePermit<'a> {
        SemaphorePermit { semaphore, permits }
    }

    /// Keeps the permits out of the semaphore for good.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        if self.permits > 0 {
            self.semaphore.release(self.permits as usize);
        }
    }
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// The semaphore the permits came from.
    pub fn semaphore(&self) -> &Rc<Semaphore> {
        &self.semaphore
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        if self.permits > 0 {
            self.semaphore.release(self.permits as usize);
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let permits = self.permits.borrow();
        f.debug_struct("Semaphore")
            .field("available", &permits.available())
            .field("closed", &permits.is_closed())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the semaphore is closed")
    }
}

impl std::error::Error for AcquireError {}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryAcquireError::Closed => "the semaphore is closed",
            TryAcquireError::NoPermits => "no permits are free",
        })
    }
}

impl std::error::Error for TryAcquireError {}
