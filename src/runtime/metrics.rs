//! `RuntimeMetrics`: a snapshot of what a runtime holds and what its loop has done.
//!
//! The loop counts as it goes, in [`Counters`]: plain `Cell<u64>`s on the runtime's
//! own thread, so counting is an add to memory the loop touches anyway (no atomics, no
//! locks). [`RuntimeMetrics::snapshot`] copies them out.

#![deny(unsafe_code)]

use std::cell::Cell;

use super::core::Core;

/// Numbers describing a runtime at the moment [`Handle::metrics`] (or
/// [`Runtime::metrics`]) was called. The counters count up from 0 when the runtime
/// is built and never go down; compare two snapshots to see what happened between
/// them.
///
/// [`Handle::metrics`]: crate::runtime::Handle::metrics
/// [`Runtime::metrics`]: crate::Runtime::metrics
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let handle = evloop::spawn(std::future::pending::<()>());
///     let metrics = evloop::runtime::Handle::current().metrics();
///     assert_eq!(metrics.tasks_alive, 1);
///     assert_eq!(metrics.tasks_spawned, 1);
///     handle.abort();
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuntimeMetrics {
    /// Turns of the loop: each polls the woken tasks, fires due timers and asks epoll
    /// for events once (see the [`runtime`](crate::runtime) module docs).
    pub ticks: u64,
    /// Polls of spawned tasks (the `block_on` future is not a task and not counted).
    pub task_polls: u64,
    /// Tasks spawned, finished or not.
    pub tasks_spawned: u64,
    /// Spawned tasks that have not finished.
    pub tasks_alive: usize,
    /// Times the loop blocked in `epoll_wait` because nothing could run: how often
    /// it went to sleep. Non-blocking checks for I/O between tasks are not parks.
    pub parks: u64,
    /// Events `epoll_wait` returned, including those of the eventfd that other
    /// threads write to wake a parked loop.
    pub epoll_events: u64,
    /// Timers armed: a [`Sleep`](crate::time::Sleep) (or a timeout or interval built
    /// on one) polled before its deadline.
    pub timers_armed: u64,
    /// Armed timers that reached their deadline and woke their task. Timers dropped
    /// before that (a timeout whose future finished first) are armed but not fired.
    pub timers_fired: u64,
    /// Tasks woken on another thread (by a waker sent there, e.g. from
    /// `spawn_blocking`) and taken from the injection queue by the loop.
    pub cross_thread_wakes: u64,
    /// Threads in the blocking pool (0 until the first `spawn_blocking`).
    pub blocking_threads: usize,
}

impl RuntimeMetrics {
    pub(crate) fn snapshot(core: &Core) -> RuntimeMetrics {
        let counters = &core.counters;
        RuntimeMetrics {
            ticks: counters.ticks.get(),
            task_polls: counters.task_polls.get(),
            tasks_spawned: counters.tasks_spawned.get(),
            tasks_alive: core.task_count(),
            parks: counters.parks.get(),
            epoll_events: counters.epoll_events.get(),
            timers_armed: counters.timers_armed.get(),
            timers_fired: counters.timers_fired.get(),
            cross_thread_wakes: counters.cross_thread_wakes.get(),
            blocking_threads: core.blocking_threads(),
        }
    }
}

/// The loop's running counts; see [`RuntimeMetrics`] for what each one counts.
///
/// Lives in an `Rc` shared by the `Core` and its `Timers` (which count arming and
/// firing), and only ever on the runtime's thread.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) ticks: Counter,
    pub(crate) task_polls: Counter,
    pub(crate) tasks_spawned: Counter,
    pub(crate) parks: Counter,
    pub(crate) epoll_events: Counter,
    pub(crate) timers_armed: Counter,
    pub(crate) timers_fired: Counter,
    pub(crate) cross_thread_wakes: Counter,
}

/// One count. Wrapping on overflow is out of reach: at a billion a second, 584 years.
#[derive(Debug, Default)]
pub(crate) struct Counter(Cell<u64>);

impl Counter {
    pub(crate) fn increment(&self) {
        self.add(1);
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.set(self.0.get().wrapping_add(n));
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.get()
    }
}
