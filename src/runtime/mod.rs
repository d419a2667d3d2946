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
//!    the next timer's deadline (to the nanosecond, with `epoll_pwait2`). A deadline
//!    less than 5 µs away (`SPIN_BELOW`) is waited for by going round the loop
//!    instead. On a paused clock the loop does not wait for a timer: it jumps the
//!    clock to the deadline.
//!
//! An idle runtime therefore sleeps in the kernel: no polling, no periodic wake-ups.
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
mod owned_tasks;
mod queue;
pub(crate) mod shared;
mod slack;
mod slow_poll;
#[allow(unsafe_code)] // The one-allocation task and its waker vtable; see task/mod.rs.
pub mod task;

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

pub use builder::Builder;
pub(crate) use builder::Config;
pub use handle::{Handle, TryCurrentError};
pub use metrics::RuntimeMetrics;

use self::core::Core;
use self::slack::SlackGuard;

/// How long a loop on a paused clock waits for an unfinished blocking-pool job before
/// looking again: a job whose result no task awaits yet (a file's read-ahead) wakes
/// nobody when it ends. Only tests pause the clock, so this costs nothing elsewhere.
const BLOCKING_RECHECK: Duration = Duration::from_millis(10);

/// A timer due sooner than this is waited for by going round the loop, not by parking:
/// a park costs about 7 µs of CPU here (the system call, the kernel's timer, the
/// switches), whatever its length, and comes back 5 µs late or more.
const SPIN_BELOW: Duration = Duration::from_micros(5);

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
            if core.shared.take_root_woken() {
                let poll =
                    coop::with_budget(core.config.io_budget, || future.as_mut().poll(&mut cx));
                if let Poll::Ready(output) = poll {
                    return output;
                }
            }
            core.run_tasks(core.config.tasks_per_tick);
            self.turn_reactor();
        }
    }

    /// Steps 3 and 4 of the tick: fire the timers that are due, then poll the
    /// reactor, blocking only when there is nothing else to do.
    fn turn_reactor(&self) {
        let core = &*self.core;
        let next_timer = core.timers.fire_expired();
        let may_block = !core.has_runnable() && core.shared.try_park();
        let result = if !may_block {
            self.poll_reactor()
        } else if next_timer.is_some() && core.timers.is_paused() {
            self.wait_on_paused_clock()
        } else if next_timer.is_some_and(|wait| wait < SPIN_BELOW) {
            // The deadline is nearer than a park could return: going round the loop
            // again costs less CPU and is more precise.
            core.shared.unpark();
            self.poll_reactor()
        } else {
            let result = core.reactor.turn(next_timer);
            core.shared.unpark();
            result
        };
        if let Err(error) = result {
            panic!("evloop: epoll_wait failed, the runtime cannot continue: {error}");
        }
    }

    /// Step 4 with nothing runnable, a timer armed and the clock paused. Time stands
    /// still, so waiting for the timer would be waiting forever: deliver the I/O that
    /// is ready and, if that woke nothing, jump the clock to the deadline. Except while
    /// a blocking-pool job is unfinished: its result may be what the tasks wait for, so
    /// wait for it (or for I/O) instead, as tokio does.
    fn wait_on_paused_clock(&self) -> io::Result<usize> {
        let core = &*self.core;
        if core.has_blocking_work() {
            let result = core.reactor.turn(Some(BLOCKING_RECHECK));
            core.shared.unpark();
            return result;
        }
        core.shared.unpark();
        let result = self.poll_reactor();
        if core.is_idle() {
            core.timers.jump_to_next_deadline();
        }
        result
    }

    /// A turn of the reactor that does not block. Returns how many events it found.
    fn poll_reactor(&self) -> io::Result<usize> {
        let core = &*self.core;
        if core.reactor.has_sources() {
            core.reactor.turn(Some(Duration::ZERO))
        } else {
            // Nothing registered could be ready; cross-thread wakes arrive through
            // the injection queue, which the next tick reads anyway.
            Ok(0)
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
