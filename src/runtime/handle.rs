//! `Handle`: a reference to a runtime, to spawn on it from code that was not handed it.

#![deny(unsafe_code)]

use std::fmt;
use std::future::Future;
use std::rc::Rc;

use super::RuntimeMetrics;
use super::context;
use super::core::Core;
use super::task::JoinHandle;

/// A cheap, cloneable reference to a runtime.
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
