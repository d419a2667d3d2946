//! `Core`: everything one runtime owns on its thread, and the two operations every
//! task goes through: `spawn` and `schedule`.

#![deny(unsafe_code)]

use std::cell::{Cell, OnceCell, RefCell};
use std::future::Future;
use std::io;
use std::num::NonZeroU64;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;

use super::builder::Config;
use super::context;
use super::coop;
use super::metrics::Counters;
use super::owned_tasks::OwnedTasks;
use super::queue::RunQueue;
use super::shared::Shared;
use super::slow_poll::SlowPollDetector;
use super::task::{Id, JoinHandle, RemoteTaskRef, RunResult, TaskRef};
use super::timer_wait::TimerWait;
use super::trace::{Trace, Tracer};
use crate::blocking::BlockingPool;
use crate::reactor::Reactor;
use crate::time::timers::Timers;

/// One runtime's state on its own thread. Lives in an `Rc`: the `Runtime`, every
/// `Handle` and the thread-local context point at it.
///
/// `!Send` and `!Sync` (it holds `RefCell`s): a `&Core` is proof of being on the
/// runtime's thread.
#[derive(Debug)]
pub(crate) struct Core {
    /// What other threads reach: injection queue, root wake flag, eventfd.
    pub(crate) shared: Arc<Shared>,
    /// Every unfinished task, owned.
    tasks: RefCell<OwnedTasks>,
    /// Keys of tasks woken on this thread, in wake order.
    run_queue: RefCell<RunQueue>,
    /// Reused buffer for tasks taken from the injection queue.
    injected: RefCell<Vec<RemoteTaskRef>>,
    /// The id of the last spawned task.
    last_id: Cell<u64>,
    /// Set when the runtime is dropped: later spawns are cancelled at once.
    closed: Cell<bool>,
    /// The epoll instance this runtime parks on; sources hold a weak reference.
    pub(crate) reactor: Rc<Reactor>,
    /// Threads for blocking work, started on the first `spawn_blocking`.
    blocking: OnceCell<BlockingPool>,
    /// Set when slow polls are to be reported.
    slow_poll: Option<SlowPollDetector>,
    /// Set when each tick is to be printed on stderr.
    pub(crate) tracer: Option<Tracer>,
    /// What the loop has done so far, for [`RuntimeMetrics`](super::RuntimeMetrics).
    pub(crate) counters: Rc<Counters>,
    /// The clock and the armed timers. In an `Rc` because each armed `Sleep` holds
    /// one too: dropping a `Sleep` after its runtime is harmless.
    pub(crate) timers: Rc<Timers>,
    /// How the loop waits for its next timer, and what it learned from earlier waits.
    pub(crate) timer_wait: TimerWait,
    /// The builder's settings.
    pub(crate) config: Config,
}

/// Spawns a task on the current runtime.
///
/// The future need not be `Send`: it is only ever polled on this thread. It starts
/// running once the current task yields to the loop; awaiting the returned
/// [`JoinHandle`] gives its output.
///
/// # Panics
///
/// Outside a runtime; use [`Handle::try_current`](crate::runtime::Handle::try_current)
/// to check first.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
///
/// evloop::block_on(async {
///     let shared = Rc::new(5); // not Send, and that is fine
///     let clone = shared.clone();
///     let handle = evloop::spawn(async move { *clone + 1 });
///     assert_eq!(handle.await.unwrap(), 6);
///     assert_eq!(*shared, 5);
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
{
    let site = Location::caller();
    context::expect_current(|core| core.spawn_at(future, site))
}

/// Puts a woken task back on a run queue: its runtime's local queue when that runtime
/// is running on this thread (no lock, no syscall), else the injection queue.
pub(crate) fn schedule(task: &TaskRef) {
    let local = context::with_current(|core| {
        if core.owns(task) {
            core.schedule_local(task);
            true
        } else {
            false
        }
    });
    if local != Some(true) {
        schedule_remote(task);
    }
}

/// The part of [`schedule`] for a wake from outside the task's runtime: out of line,
/// as it is the rare case and its locking would bloat every local wake.
#[cold]
#[inline(never)]
fn schedule_remote(task: &TaskRef) {
    if task.header().try_mark_injected() {
        task.header().owner.inject(task.to_remote());
    }
}

impl Core {
    pub(crate) fn new(config: Config) -> io::Result<Core> {
        let shared = Arc::new(Shared::new()?);
        let reactor = Rc::new(Reactor::new(&*shared, config.event_capacity)?);
        let counters = Rc::new(Counters::default());
        Ok(Core {
            shared,
            tasks: RefCell::default(),
            run_queue: RefCell::default(),
            injected: RefCell::default(),
            last_id: Cell::new(0),
            closed: Cell::new(false),
            reactor,
            blocking: OnceCell::new(),
            slow_poll: config.slow_poll_threshold.map(SlowPollDetector::new),
            tracer: config.trace.then(Tracer::new),
            timers: Rc::new(Timers::new(config.start_paused, counters.clone())),
            timer_wait: TimerWait::default(),
            counters,
            config,
        })
    }

    /// Whether `task` belongs to this runtime.
    pub(crate) fn owns(&self, task: &TaskRef) -> bool {
        Arc::ptr_eq(&task.header().owner, &self.shared)
    }

    /// Spawns `future`; `site` is where the user called `spawn` (for the slow-poll
    /// report).
    pub(crate) fn spawn_at<F>(
        &self,
        future: F,
        site: &'static Location<'static>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        let id = self.next_id();
        let mut tasks = self.tasks.borrow_mut();
        let key = tasks.next_key();
        let (table_ref, handle_ref) = TaskRef::allocate(future, key, id, self.shared.clone());
        if self.closed.get() {
            // Spawned by a destructor during shutdown: it will never run.
            drop(tasks);
            table_ref.cancel();
        } else {
            tasks.insert(table_ref);
            self.run_queue.borrow_mut().push(key);
            self.counters.tasks_spawned.increment();
            if let Some(detector) = &self.slow_poll {
                detector.record_spawn(key, site);
            }
        }
        JoinHandle::new(handle_ref)
    }

    /// The id of the last spawned task (0 before the first): the ids of the tasks
    /// spawned since an earlier reading follow it. For the trace.
    pub(crate) fn last_task_id(&self) -> u64 {
        self.last_id.get()
    }

    fn next_id(&self) -> Id {
        let id = self.last_id.get() + 1;
        self.last_id.set(id);
        Id::new(NonZeroU64::new(id).expect("task ids count up from 1"))
    }

    fn schedule_local(&self, task: &TaskRef) {
        if task.header().try_mark_queued() {
            self.run_queue.borrow_mut().push(task.header().key);
        }
    }

    /// Whether a task is waiting to run.
    pub(crate) fn has_runnable(&self) -> bool {
        !self.run_queue.borrow().is_empty()
    }

    /// Whether nothing at all is waiting to run: no queued task, no wake of the root
    /// future, no task woken from another thread.
    pub(crate) fn is_idle(&self) -> bool {
        !self.has_runnable() && !self.shared.has_pending_wakes()
    }

    /// Moves tasks woken on other threads onto the local run queue.
    fn take_injected(&self, trace: &impl Trace) {
        let mut injected = self.injected.borrow_mut();
        self.shared.take_injected(&mut injected);
        self.counters.cross_thread_wakes.add(injected.len() as u64);
        for remote in injected.drain(..) {
            let task = remote.into_local(self);
            trace.injected(task.header().id);
            // Clear first: a wake from another thread from now on queues it again
            // (at worst one spurious poll), never gets lost.
            task.header().clear_injected();
            self.schedule_local(&task);
        }
    }

    /// Polls up to `limit` queued tasks, each once. Returns how many it polled.
    pub(crate) fn run_tasks(&self, limit: u32, trace: &impl Trace) -> u32 {
        self.take_injected(trace);
        let mut polled = 0;
        while polled < limit {
            let Some(key) = self.run_queue.borrow_mut().pop() else {
                break;
            };
            let Some(task) = self.tasks.borrow_mut().take(key) else {
                // The task finished after this key was queued.
                continue;
            };
            polled += 1;
            trace.polled(task.header().id);
            let run = || coop::with_budget(self.config.io_budget, || task.run());
            let result = match &self.slow_poll {
                None => run(),
                Some(detector) => detector.time_poll(key, task.header().id, run),
            };
            match result {
                RunResult::Pending => self.tasks.borrow_mut().put_back(task),
                RunResult::Complete => {
                    self.tasks.borrow_mut().remove(key);
                    drop(task);
                }
            }
        }
        self.run_queue.borrow_mut().release_burst_memory();
        self.counters.task_polls.add(u64::from(polled));
        polled
    }

    /// How many keys the run queue holds. For the trace: the tasks a step of the
    /// tick queued are the ones past the length before it.
    pub(crate) fn queue_len(&self) -> usize {
        self.run_queue.borrow().len()
    }

    /// Calls `f` with the id of each queued task from position `start` on. For the
    /// trace, between polls (no task is out of the table then).
    pub(crate) fn queued_ids(&self, start: usize, mut f: impl FnMut(Id)) {
        let queue = self.run_queue.borrow();
        let tasks = self.tasks.borrow();
        queue
            .keys_from(start)
            .filter_map(|key| tasks.id(key))
            .for_each(&mut f);
    }

    /// The blocking pool, started on first use.
    pub(crate) fn blocking_pool(&self) -> &BlockingPool {
        self.blocking.get_or_init(|| {
            BlockingPool::new(
                self.config.max_blocking_threads,
                self.config.blocking_keep_alive,
            )
        })
    }

    /// Whether a blocking-pool job is queued or running (false if the pool never
    /// started).
    pub(crate) fn has_blocking_work(&self) -> bool {
        self.blocking
            .get()
            .is_some_and(BlockingPool::has_unfinished_jobs)
    }

    /// How many blocking-pool threads exist (0 if the pool never started).
    pub(crate) fn blocking_threads(&self) -> usize {
        self.blocking.get().map_or(0, BlockingPool::thread_count)
    }

    /// Whether the runtime has shut down: a task spawned now never runs.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// How many unfinished tasks the runtime holds.
    pub(crate) fn task_count(&self) -> usize {
        self.tasks.borrow().len()
    }

    /// Drops every unfinished future, on this thread, running its destructors. Tasks
    /// those destructors spawn are cancelled too, until none is left.
    pub(crate) fn shutdown(&self) {
        self.closed.set(true);
        drop(self.shared.close());
        if let Some(pool) = self.blocking.get() {
            pool.shutdown();
        }
        loop {
            let tasks = self.tasks.borrow_mut().drain();
            if tasks.is_empty() {
                break;
            }
            for task in tasks {
                task.cancel();
            }
        }
        self.run_queue.borrow_mut().clear();
        self.timers.clear();
    }
}
