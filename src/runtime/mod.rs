//! The executor: a run queue of tasks, and the loop that polls them and parks on epoll.
//!
//! # One tick of the loop
//!
//! 1. Poll the `block_on` future, if it was woken.
//! 2. Move tasks woken from other threads onto the local run queue, then poll up to
//!    [`Builder::tasks_per_tick`] tasks, each once.
//! 3. Fire the timers that are due (reading the clock once), waking their tasks: a
//!    timer that expires while tasks keep the loop busy fires on the next tick.
//! 4. Turn the reactor: if tasks are still runnable (or the root future was woken),
//!    ask epoll without blocking, so sockets get their turn even while tasks keep the
//!    loop busy; otherwise park in `epoll_wait` until an event, a cross-thread wake, or
//!    the next timer's deadline (to the nanosecond, with `epoll_pwait2`). How it waits
//!    for a timer is `timer_wait.rs`: it parks short of the deadline by how late parks
//!    have been returning and goes round the loop for the rest, so a timer fires within
//!    microseconds of its deadline; timers packed close together it fires in batches.
//!    On a paused clock the loop does not wait for a timer: it jumps the clock to the
//!    deadline.
//!
//! An idle runtime therefore sleeps in the kernel: no polling, no periodic wake-ups.
//!
//! To watch the ticks go by, turn on the loop trace ([`Builder::trace`] or
//! `EVLOOP_TRACE=1`; what it prints is described in `runtime/trace.rs`). To count
//! them, read [`Runtime::metrics`].
//!
//! ```
//! use evloop::Runtime;
//!
//! let runtime = Runtime::new()?;
//! let answer = runtime.block_on(async {
//!     let handle = evloop::spawn(async { 21 });
//!     handle.await.unwrap() * 2
//! });
//! assert_eq!(answer, 42);
//! # Ok::<(), std::io::Error>(())
//! ```

#![deny(unsafe_code)]

mod builder;
pub(crate) mod context;
pub(crate) mod coop;
pub(crate) mod core;
mod handle;
mod metrics;
mod oversleep;
mod owned_tasks;
mod queue;
pub(crate) mod shared;
mod slack;
mod slow_poll;
#[allow(unsafe_code)] // The one-allocation task and its waker vtable; see task/mod.rs.
pub mod task;
mod timer_wait;
mod trace;

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

pub use builder::Builder;
pub(crate) use builder::Config;
pub use handle::{Handle, TryCurrentError};
pub(crate) use metrics::Counters;
pub use metrics::RuntimeMetrics;

use self::core::Core;
use self::slack::SlackGuard;
use self::trace::{NoTrace, Trace};

/// How long a loop on a paused clock waits for an unfinished blocking-pool job before
/// looking again: a job whose result no task awaits yet (a file's read-ahead) wakes
/// nobody when it ends. Only tests pause the clock, so this costs nothing elsewhere.
const BLOCKING_RECHECK: Duration = Duration::from_millis(10);

/// A single-threaded evloop runtime: a task queue, an epoll instance, and the loop
/// that drives them.
///
/// `!Send`: it runs on the thread that created it. Dropping it drops every task that
/// has not finished (their destructors run, their sockets close).
pub struct Runtime {
    core: Rc<Core>,
}

impl Runtime {
    /// A runtime with the default settings.
    ///
    /// # Errors
    ///
    /// If the process is out of file descriptors (it needs two) or memory.
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// A builder for other settings.
    pub fn builder() -> Builder {
        Builder::new()
    }

    fn with_config(config: Config) -> io::Result<Runtime> {
        Ok(Runtime {
            core: Rc::new(Core::new(config)?),
        })
    }

    /// A handle to spawn on this runtime.
    pub fn handle(&self) -> Handle {
        Handle {
            core: self.core.clone(),
        }
    }

    /// Spawns a task that starts at the next `block_on`; see [`spawn`](crate::spawn).
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> task::JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        self.core.spawn_at(future, std::panic::Location::caller())
    }

    /// A snapshot of the runtime's counters; see [`RuntimeMetrics`]. Also
    /// [`Handle::metrics`] from inside.
    ///
    /// # Examples
    ///
    /// ```
    /// let runtime = evloop::Runtime::new()?;
    /// runtime.block_on(async {
    ///     evloop::spawn(async {}).await.unwrap();
    /// });
    /// let metrics = runtime.metrics();
    /// assert_eq!(metrics.tasks_spawned, 1);
    /// assert_eq!(metrics.task_polls, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::snapshot(&self.core)
    }

    /// Runs `future` to completion on this thread, running spawned tasks meanwhile.
    ///
    /// Returns as soon as `future` is done; tasks that are still running stay in the
    /// runtime and continue at the next `block_on`, or are dropped with the runtime.
    ///
    /// While it runs, the thread has the runtime's
    /// [timer slack](Builder::timer_slack); its own comes back when `block_on` returns.
    ///
    /// # Panics
    ///
    /// If called inside a running evloop runtime (`.await` instead), or if `future`
    /// panics (the panic passes through).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _current = context::enter(self.core.clone());
        let core = &*self.core;
        let _slack = SlackGuard::set(core.config.timer_slack);
        let waker = Waker::from(core.shared.clone());
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        core.shared.set_root_woken();
        loop {
            // The one check the trace costs when it is off: the tick is compiled
            // twice, and `NoTrace`'s copy has no trace code left in it.
            let poll = match &core.tracer {
                None => self.tick(future.as_mut(), &mut cx, &NoTrace),
                Some(tracer) => self.tick(future.as_mut(), &mut cx, tracer),
            };
            if let Poll::Ready(output) = poll {
                return output;
            }
        }
    }

    /// One tick: steps 1 to 4 of the module docs. `Ready` when the `block_on` future
    /// finished (the rest of the tick is then left out).
    fn tick<F: Future>(
        &self,
        future: Pin<&mut F>,
        cx: &mut Context<'_>,
        trace: &impl Trace,
    ) -> Poll<F::Output> {
        let core = &*self.core;
        core.counters.ticks.increment();
        let root_woken = core.shared.take_root_woken();
        trace.tick_started(core.counters.ticks.get(), root_woken);
        let poll = if root_woken {
            coop::with_budget(core.config.io_budget, || future.poll(cx))
        } else {
            Poll::Pending
        };
        if poll.is_pending() {
            core.run_tasks(core.config.tasks_per_tick, trace);
            self.turn_reactor(trace);
        }
        trace.tick_finished(poll.is_ready());
        poll
    }

    /// Steps 3 and 4 of the tick: fire the timers that are due, then poll the
    /// reactor, blocking only when there is nothing else to do.
    fn turn_reactor(&self, trace: &impl Trace) {
        let core = &*self.core;
        let fired_before = core.counters.timers_fired.get();
        let next_timer = trace.timers_fired(core, || core.timers.fire_expired());
        if core.counters.timers_fired.get() != fired_before {
            core.timer_wait.timers_fired();
        }
        let result = if core.has_runnable() {
            self.epoll(Wait::TasksRunnable, trace)
        } else if !core.shared.try_park() {
            self.epoll(Wait::Woken, trace)
        } else if let Some(jump) = next_timer.filter(|_| core.timers.is_paused()) {
            self.wait_on_paused_clock(jump, trace)
        } else if let Some(wait) = next_timer {
            match core.timer_wait.plan(wait, core.timers.span_of_next_three()) {
                Wait::TimerImminent => {
                    core.shared.unpark();
                    self.epoll(Wait::TimerImminent, trace)
                }
                timed => self.park(timed, trace),
            }
        } else {
            self.park(Wait::Forever, trace)
        };
        if let Err(error) = result {
            panic!("evloop: epoll_wait failed, the runtime cannot continue: {error}");
        }
    }

    /// Parks in `epoll_wait` as `wait` says. A timed park that ends with no event
    /// tells `timer_wait` how late the kernel woke it.
    fn park(&self, wait: Wait, trace: &impl Trace) -> io::Result<usize> {
        let core = &*self.core;
        core.counters.parks.increment();
        let result = self.epoll(wait, trace);
        core.shared.unpark();
        if let (Wait::NextTimer(timeout) | Wait::TimersBatched(timeout), Ok(0)) = (wait, &result) {
            let late = core.timers.since_last_firing().saturating_sub(timeout);
            core.timer_wait.timed_out(late);
        }
        result
    }

    /// Step 4 with nothing runnable, a timer armed and the clock paused. Time stands
    /// still, so waiting for the timer would be waiting forever: deliver the I/O that
    /// is ready and, if that woke nothing, jump the clock `jump` ahead, to the deadline.
    /// Except while a blocking-pool job is unfinished: its result may be what the tasks
    /// wait for, so wait for it (or for I/O) instead, as tokio does.
    fn wait_on_paused_clock(&self, jump: Duration, trace: &impl Trace) -> io::Result<usize> {
        let core = &*self.core;
        if core.has_blocking_work() {
            return self.park(Wait::BlockingJob(BLOCKING_RECHECK), trace);
        }
        core.shared.unpark();
        let result = self.epoll(Wait::ClockPaused, trace);
        if core.is_idle() {
            trace.clock_jumped(jump);
            core.timers.jump_to_next_deadline();
        }
        result
    }

    /// Asks epoll for events, waiting as `wait` says, and wakes whoever waits for them.
    /// Returns how many events there were (0 if epoll was not asked).
    fn epoll(&self, wait: Wait, trace: &impl Trace) -> io::Result<usize> {
        let core = &*self.core;
        let timeout = wait.timeout();
        if timeout == Some(Duration::ZERO) && !core.reactor.has_sources() {
            // Nothing registered could be ready; cross-thread wakes arrive through
            // the injection queue, which the next tick reads anyway.
            trace.epoll_skipped(wait);
            return Ok(0);
        }
        trace.epoll_wait(wait);
        let events = core.reactor.wait(timeout)?;
        core.counters.epoll_events.add(events as u64);
        trace.epoll_events(core, || core.reactor.dispatch());
        Ok(events)
    }
}

/// How the loop turns the reactor this tick, and why (step 4 of the tick).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wait {
    /// Tasks are queued: ask epoll what is ready without blocking, so sockets get
    /// their turn even while tasks keep the loop busy.
    TasksRunnable,
    /// The loop was about to park, but the `block_on` future or a task on another
    /// thread was woken meanwhile: do not block.
    Woken,
    /// Nothing to run and the clock is paused: deliver ready I/O without blocking,
    /// then jump the clock to the next timer instead of waiting for it.
    ClockPaused,
    /// Nothing to run, but the next timer is due in under `SPIN_BELOW`, or the loop
    /// parked short of it and is now within the margin (`timer_wait.rs`): do not
    /// block, go round the loop instead.
    TimerImminent,
    /// The clock is paused but a blocking-pool job is unfinished: park this long at
    /// most, then look again (its end may wake nobody).
    BlockingJob(Duration),
    /// Nothing to run, and the next timers are dense: park until an event or this
    /// long, `DENSE_TIMER_WINDOW` past the next deadline, to fire them together.
    TimersBatched(Duration),
    /// Nothing to run: park until an event or this long, which ends the oversleep
    /// margin before the next timer's deadline.
    NextTimer(Duration),
    /// Nothing to run and no timer armed: park until an event.
    Forever,
}

impl Wait {
    /// The `epoll_wait` timeout: `None` blocks until an event.
    fn timeout(self) -> Option<Duration> {
        match self {
            Wait::TasksRunnable | Wait::Woken | Wait::ClockPaused | Wait::TimerImminent => {
                Some(Duration::ZERO)
            }
            Wait::NextTimer(timeout)
            | Wait::TimersBatched(timeout)
            | Wait::BlockingJob(timeout) => Some(timeout),
            Wait::Forever => None,
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let _current = context::enter_for_shutdown(self.core.clone());
        self.core.shutdown();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("tasks", &self.core.task_count())
            .field("timers", &self.core.timers.len())
            .finish()
    }
}

/// Runs `future` to completion in a new runtime on this thread; see
/// [`Runtime::block_on`].
///
/// # Panics
///
/// Inside a running evloop runtime (`.await` instead), if the runtime cannot be created
/// (no file descriptors left), or if `future` panics.
///
/// # Examples
///
/// ```
/// let sum = evloop::block_on(async { 1 + 2 });
/// assert_eq!(sum, 3);
/// ```
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    if context::current().is_some() {
        panic!("{}", context::NESTED_BLOCK_ON);
    }
    match Runtime::new() {
        Ok(runtime) => runtime.block_on(future),
        Err(error) => panic!("evloop: cannot create a runtime: {error}"),
    }
}
