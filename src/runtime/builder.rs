//! `Builder`: the runtime's settings, each with its default and why.

#![deny(unsafe_code)]

use std::io;
use std::time::Duration;

use super::Runtime;

/// Builds a [`Runtime`] with settings other than the defaults.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let runtime = evloop::Runtime::builder()
///     .event_capacity(256)
///     .tasks_per_tick(32)
///     .io_budget(64)
///     .timer_slack(Some(Duration::from_micros(10)))
///     .build()?;
/// assert_eq!(runtime.block_on(async { 1 + 1 }), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    config: Config,
    /// Whether `slow_poll_threshold` was called (it then wins over the env var).
    slow_poll_set: bool,
    /// Whether `trace` was called (it then wins over the env var).
    trace_set: bool,
}

/// The settings, as the runtime reads them.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) event_capacity: usize,
    pub(crate) tasks_per_tick: u32,
    pub(crate) io_budget: u32,
    pub(crate) max_blocking_threads: usize,
    pub(crate) blocking_keep_alive: Duration,
    pub(crate) slow_poll_threshold: Option<Duration>,
    pub(crate) start_paused: bool,
    pub(crate) timer_slack: Option<Duration>,
    pub(crate) trace: bool,
}

/// Events one `epoll_wait` may return. More wait in the kernel's ready list for the
/// next call, so this bounds the work per tick, not what can be handled.
const DEFAULT_EVENT_CAPACITY: usize = 1024;

/// Task polls between two turns of the reactor (tokio's `event_interval` is 61 too).
/// Larger favours throughput of busy tasks, smaller favours the latency of I/O.
const DEFAULT_TASKS_PER_TICK: u32 = 61;

/// I/O operations a task may do in one poll before it must yield (tokio uses 128).
const DEFAULT_IO_BUDGET: u32 = 128;

/// Blocking-pool threads at most (tokio's default too). Blocking work is mostly
/// waiting (disk, DNS), so many threads are cheap; the cap bounds a runaway.
const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;

/// How long an idle blocking-pool thread waits for more work before it exits.
const DEFAULT_BLOCKING_KEEP_ALIVE: Duration = Duration::from_secs(10);
/// How late the kernel may wake the loop after a timer's deadline, at most. The
/// kernel's own default is 50 µs, which made a 1 ms sleep 64 µs late at the median;
/// 1 µs lets timers fire within microseconds. See [`Builder::timer_slack`].
const DEFAULT_TIMER_SLACK: Duration = Duration::from_micros(1);

impl Builder {
    /// A builder with the default settings.
    pub fn new() -> Builder {
        Builder {
            config: Config {
                event_capacity: DEFAULT_EVENT_CAPACITY,
                tasks_per_tick: DEFAULT_TASKS_PER_TICK,
                io_budget: DEFAULT_IO_BUDGET,
                max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
                blocking_keep_alive: DEFAULT_BLOCKING_KEEP_ALIVE,
                slow_poll_threshold: None,
                start_paused: false,
                timer_slack: Some(DEFAULT_TIMER_SLACK),
                trace: false,
            },
            slow_poll_set: false,
            trace_set: false,
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

    /// How many threads the blocking pool may run at once (default 512; at least 1).
    /// Jobs beyond that wait in a queue. See [`task::spawn_blocking`].
    ///
    /// [`task::spawn_blocking`]: crate::task::spawn_blocking
    pub fn max_blocking_threads(&mut self, threads: usize) -> &mut Builder {
        self.config.max_blocking_threads = threads.max(1);
        self
    }

    /// How long an idle blocking-pool thread lives before it exits (default 10 s).
    pub fn blocking_keep_alive(&mut self, idle: Duration) -> &mut Builder {
        self.config.blocking_keep_alive = idle;
        self
    }

    /// Reports on stderr every task poll that takes longer than `threshold`, with the
    /// task's id and where it was spawned (`None`, the default, turns it off). Without
    /// this call, the `EVLOOP_SLOW_POLL_MS` environment variable decides. See the
    /// `slow_poll` module docs for the report's form; when off it costs one branch
    /// per poll.
    pub fn slow_poll_threshold(&mut self, threshold: Option<Duration>) -> &mut Builder {
        self.config.slow_poll_threshold = threshold;
        self.slow_poll_set = true;
        self
    }

    /// Prints what the loop does, tick by tick, on stderr (default `false`): the tasks
    /// it polls, the timers it fires, how long it parks in `epoll_wait` and why, and
    /// the events epoll returns with the tasks they wake. For learning how the loop
    /// works, and for seeing why a program waits. Without this call, the
    /// `EVLOOP_TRACE` environment variable decides (`1` on, `0` off). See the `trace`
    /// module docs for what each line means; when off it costs one branch per tick.
    ///
    /// # Examples
    ///
    /// ```
    /// let runtime = evloop::Runtime::builder().trace(true).build()?;
    /// // stderr: "evloop: tick 1: polled the root future: ready, block_on returns"
    /// runtime.block_on(async {});
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn trace(&mut self, on: bool) -> &mut Builder {
        self.config.trace = on;
        self.trace_set = true;
        self
    }

    /// Starts the runtime with its clock paused (default `false`): time stands still
    /// while tasks run, and when every task is waiting, the clock jumps to the next
    /// timer's deadline instead of the loop sleeping until it. For tests: timeouts,
    /// intervals and retries run in no real time, the same way every run. See
    /// [`time::pause`](crate::time::pause), [`time::advance`](crate::time::advance)
    /// and `#[evloop::test(start_paused)]`.
    ///
    /// I/O and wakes from other threads still work; only time is frozen. While a
    /// [`spawn_blocking`](crate::task::spawn_blocking) job (or a file operation) is
    /// unfinished, the clock does not jump: its result may be what the tasks wait for.
    ///
    /// # Examples
    ///
    /// ```
    /// use evloop::time::{self, Duration, Instant};
    ///
    /// let runtime = evloop::Runtime::builder().start_paused(true).build()?;
    /// runtime.block_on(async {
    ///     let start = Instant::now();
    ///     time::sleep(Duration::from_secs(24 * 3600)).await; // returns at once
    ///     assert_eq!(start.elapsed(), Duration::from_secs(24 * 3600));
    /// });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_paused(&mut self, paused: bool) -> &mut Builder {
        self.config.start_paused = paused;
        self
    }

    /// The timer slack the runtime gives its thread while it runs (default 1 µs), or
    /// `None` to leave the thread's own (Linux's default is 50 µs).
    ///
    /// Linux may wake a sleeping thread up to its timer slack after the deadline it
    /// asked for, to batch wake-ups and save power. With the default 50 µs, a 1 ms
    /// timer here fired 64 µs late at the median (94 µs at p99); with 1 ns, 13 µs
    /// (37 µs). The cost of a small slack is more wake-ups of the CPU and a little more
    /// power, only while the loop waits for a timer; a server that mostly waits for
    /// sockets is unaffected.
    ///
    /// [`block_on`](Runtime::block_on) sets it with `prctl(PR_SET_TIMERSLACK)` when it
    /// starts and puts the thread's previous slack back when it returns, so the
    /// thread's other code is left as it was. Values are rounded to whole nanoseconds,
    /// at least 1; if the kernel refuses, timers are merely less precise.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // A battery-powered device that does not mind timers 200 µs late:
    /// let runtime = evloop::Runtime::builder()
    ///     .timer_slack(Some(Duration::from_micros(200)))
    ///     .build()?;
    /// # runtime.block_on(async {});
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn timer_slack(&mut self, slack: Option<Duration>) -> &mut Builder {
        self.config.timer_slack = slack;
        self
    }

    /// Creates the runtime: an epoll instance and an eventfd.
    ///
    /// # Errors
    ///
    /// If the process is out of file descriptors or memory, `EVLOOP_SLOW_POLL_MS`
    /// is set to something other than a whole number of milliseconds, or
    /// `EVLOOP_TRACE` to something other than `0` or `1`.
    pub fn build(&self) -> io::Result<Runtime> {
        let mut config = self.config.clone();
        if !self.slow_poll_set {
            config.slow_poll_threshold = super::slow_poll::threshold_from_env()?;
        }
        if !self.trace_set {
            config.trace = super::trace::enabled_from_env()?;
        }
        Runtime::with_config(config)
    }
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}
