//! `Builder`: the runtime's settings, each with its default and why.

#![deny(unsafe_code)]

use std::io;

use super::Runtime;

/// Builds a [`Runtime`] with settings other than the defaults.
///
/// # Examples
///
/// ```
/// let runtime = evloop::Runtime::builder()
///     .event_capacity(256)
///     .tasks_per_tick(32)
///     .io_budget(64)
///     .build()?;
/// assert_eq!(runtime.block_on(async { 1 + 1 }), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    config: Config,
}

/// The settings, as the runtime reads them.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) event_capacity: usize,
    pub(crate) tasks_per_tick: u32,
    pub(crate) io_budget: u32,
}

/// Events one `epoll_wait` may return. More wait in the kernel's ready list for the
/// next call, so this bounds the work per tick, not what can be handled.
const DEFAULT_EVENT_CAPACITY: usize = 1024;

/// Task polls between two turns of the reactor (tokio's `event_interval` is 61 too).
/// Larger favours throughput of busy tasks, smaller favours the latency of I/O.
const DEFAULT_TASKS_PER_TICK: u32 = 61;

/// I/O operations a task may do in one poll before it must yield (tokio uses 128).
const DEFAULT_IO_BUDGET: u32 = 128;

impl Builder {
    /// A builder with the default settings.
    pub fn new() -> Builder {
        Builder {
            config: Config {
                event_capacity: DEFAULT_EVENT_CAPACITY,
                tasks_per_tick: DEFAULT_TASKS_PER_TICK,
                io_budget: DEFAULT_IO_BUDGET,
            },
        }
    }

    /// How many readiness events one `epoll_wait` can return (default 1024; at
    /// least 1). The buffer is allocated once.
    pub fn event_capacity(&mut self, events: usize) -> &mut Builder {
        self.config.event_capacity = events.max(1);
        self
    }

    /// How many task polls the loop makes before it checks the reactor for I/O again,
    /// even while tasks stay runnable (default 61; at least 1). This is the loop's
    /// fairness between computing tasks and waiting sockets.
    pub fn tasks_per_tick(&mut self, polls: u32) -> &mut Builder {
        self.config.tasks_per_tick = polls.max(1);
        self
    }

    /// How many I/O operations a task may make in one poll before its I/O futures
    /// return `Pending` and let other tasks run (default 128; at least 1). See
    /// [`task::consume_budget`](crate::task::consume_budget).
    pub fn io_budget(&mut self, operations: u32) -> &mut Builder {
        self.config.io_budget = operations.max(1);
        self
    }

    /// Creates the runtime: an epoll instance and an eventfd.
    ///
    /// # Errors
    ///
    /// If the process is out of file descriptors or memory.
    pub fn build(&self) -> io::Result<Runtime> {
        Runtime::with_config(self.config.clone())
    }
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}
