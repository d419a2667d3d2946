//! `RuntimeMetrics`: a snapshot of what a runtime holds.

#![deny(unsafe_code)]

use super::core::Core;

/// Numbers describing a runtime at the moment [`Handle::metrics`] was called.
///
/// [`Handle::metrics`]: crate::runtime::Handle::metrics
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let handle = evloop::spawn(std::future::pending::<()>());
///     let metrics = evloop::runtime::Handle::current().metrics();
///     assert_eq!(metrics.tasks_alive, 1);
///     handle.abort();
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuntimeMetrics {
    /// Spawned tasks that have not finished.
    pub tasks_alive: usize,
    /// Threads in the blocking pool (0 until the first `spawn_blocking`).
    pub blocking_threads: usize,
}

impl RuntimeMetrics {
    pub(crate) fn snapshot(core: &Core) -> RuntimeMetrics {
        RuntimeMetrics {
            tasks_alive: core.task_count(),
            blocking_threads: core.blocking_threads(),
        }
    }
}
