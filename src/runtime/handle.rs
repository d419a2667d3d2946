//! `Handle`: a reference to a runtime, to spawn on it from code that was not handed it.

#![deny(unsafe_code)]

use std::fmt;
use std::future::Future;
use std::rc::Rc;

use futures_task::{FutureObj, LocalFutureObj, LocalSpawn, Spawn, SpawnError};

use super::RuntimeMetrics;
use super::context;
use super::core::Core;
use super::task::JoinHandle;

/// A cheap, cloneable reference to a runtime.
///
/// Not `Send`: it shares the runtime's single-threaded state.
///
/// # Examples
///
/// ```
/// use evloop::runtime::Handle;
///
/// assert!(Handle::try_current().is_err());
/// evloop::block_on(async {
///     let handle = Handle::current();
///     assert_eq!(handle.spawn(async { 7 }).await.unwrap(), 7);
/// });
/// ```
///
/// # A spawner for libraries
///
/// `Handle` implements the `futures` crate's spawner traits, [`LocalSpawn`] and
/// [`Spawn`], so a library that takes "something that spawns" runs its tasks on
/// evloop. The tasks are detached (as with a dropped [`JoinHandle`]); after the
/// runtime shut down, spawning fails with [`SpawnError::shutdown`].
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use futures::task::{LocalSpawn, LocalSpawnExt, SpawnError};
///
/// /// A library function that starts its background work on any spawner.
/// fn start_workers(spawner: &impl LocalSpawn, done: &Rc<Cell<u32>>) -> Result<(), SpawnError> {
///     for _ in 0..3 {
///         let done = done.clone();
///         spawner.spawn_local(async move { done.set(done.get() + 1) })?;
///     }
///     Ok(())
/// }
///
/// evloop::block_on(async {
///     let done = Rc::new(Cell::new(0));
///     start_workers(&evloop::runtime::Handle::current(), &done).unwrap();
///     // The workers run as soon as this task lets the loop go on.
///     for _ in 0..10 {
///         evloop::task::yield_now().await;
///     }
///     assert_eq!(done.get(), 3);
/// });
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) core: Rc<Core>,
}

/// Returned by [`Handle::try_current`] outside a runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryCurrentError(());

impl Handle {
    /// The runtime running on this thread.
    ///
    /// # Panics
    ///
    /// Outside a runtime; [`try_current`](Self::try_current) returns an error instead.
    #[track_caller]
    pub fn current() -> Handle {
        match context::current() {
            Some(core) => Handle { core },
            None => context::no_runtime(),
        }
    }

    /// The runtime running on this thread, or an error outside one.
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::current()
            .map(|core| Handle { core })
            .ok_or(TryCurrentError(()))
    }

    /// Spawns a task on this runtime; see [`spawn`](crate::spawn). A task spawned
    /// while the runtime is not running starts at its next `block_on`.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        self.core.spawn_at(future, std::panic::Location::caller())
    }

    /// A snapshot of the runtime's counters (ticks, polls, parks, epoll events,
    /// timers, wakes from other threads) and what it holds (tasks alive, blocking
    /// threads); see [`RuntimeMetrics`].
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::snapshot(&self.core)
    }
}

/// Runs `!Send` futures as detached tasks on this runtime.
impl LocalSpawn for Handle {
    #[track_caller]
    fn spawn_local_obj(&self, future: LocalFutureObj<'static, ()>) -> Result<(), SpawnError> {
        self.status_local()?;
        drop(self.spawn(future));
        Ok(())
    }

    fn status_local(&self) -> Result<(), SpawnError> {
        if self.core.is_closed() {
            Err(SpawnError::shutdown())
        } else {
            Ok(())
        }
    }
}

/// Runs `Send` futures as detached tasks, on this runtime's thread like any other.
/// Honest because `Spawn` asks nothing of the spawner itself: a library that needs to
/// move its spawner to another thread says `S: Spawn + Send`, and `Handle`, not
/// being `Send`, is refused at compile time.
impl Spawn for Handle {
    #[track_caller]
    fn spawn_obj(&self, future: FutureObj<'static, ()>) -> Result<(), SpawnError> {
        self.spawn_local_obj(future.into())
    }

    fn status(&self) -> Result<(), SpawnError> {
        self.status_local()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("tasks", &self.core.task_count())
            .finish()
    }
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("there is no evloop runtime on this thread")
    }
}

impl std::error::Error for TryCurrentError {}
