//! The blocking pool: threads for work that would stall the loop.
//!
//! epoll cannot wait on a regular file, `getaddrinfo` blocks on DNS, and a long
//! computation holds the thread. Such work runs here, on worker threads, and its result
//! comes back to the loop like any cross-thread wake: the task waiting for it is pushed
//! onto the injection queue, and the eventfd is written if the loop sleeps. The loop
//! thread itself never blocks. (Node's libuv does the same with its thread pool.)
//!
//! The pool starts with no threads. A job goes to an idle thread if there is one;
//! otherwise a new thread starts, up to [`Builder::max_blocking_threads`]; beyond that,
//! jobs wait in a queue. A thread idle for [`Builder::blocking_keep_alive`] exits.
//!
//! [`Builder::max_blocking_threads`]: crate::runtime::Builder::max_blocking_threads
//! [`Builder::blocking_keep_alive`]: crate::runtime::Builder::blocking_keep_alive

#![deny(unsafe_code)]

use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

use crate::runtime::context;
use crate::runtime::task::JoinHandle;

/// A job: the closure, wrapped to deliver its result.
type Job = Box<dyn FnOnce() + Send>;

/// One runtime's pool (created on its first `spawn_blocking`).
pub(crate) struct BlockingPool {
    shared: Arc<PoolShared>,
}

struct PoolShared {
    state: Mutex<PoolState>,
    /// Idle workers wait here for a job (or for shutdown).
    job_ready: Condvar,
    max_threads: usize,
    keep_alive: Duration,
}

#[derive(Default)]
struct PoolState {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
    /// Jobs submitted whose closure has not returned yet. A job delivers its result
    /// and wakes its task before it returns, so while this is 0 no result is on its
    /// way. A paused clock does not jump while it is not (see `Runtime::turn_reactor`).
    unfinished: usize,
    shutdown: bool,
}

impl BlockingPool {
    pub(crate) fn new(max_threads: usize, keep_alive: Duration) -> BlockingPool {
        BlockingPool {
            shared: Arc::new(PoolShared {
                state: Mutex::default(),
                job_ready: Condvar::new(),
                max_threads: max_threads.max(1),
                keep_alive,
            }),
        }
    }

    /// Queues `job`, waking an idle worker or starting a new one.
    fn submit(&self, job: Job) -> io::Result<()> {
        let mut state = self.shared.lock();
        state.queue.push_back(job);
        state.unfinished += 1;
        if state.idle > 0 {
            drop(state);
            self.shared.job_ready.notify_one();
            return Ok(());
        }
        if state.threads < self.shared.max_threads {
            state.threads += 1;
            drop(state);
            let shared = self.shared.clone();
            let started = thread::Builder::new()
                .name("evloop-blocking".into())
                .spawn(move || shared.work());
            if let Err(error) = started {
                let mut state = self.shared.lock();
                state.threads -= 1;
                // Without any worker the job would wait forever: hand it back.
                if state.threads == 0 {
                    state.queue.pop_back();
                    state.unfinished -= 1;
                    return Err(error);
                }
            }
        }
        Ok(())
    }

    /// Whether a job is queued or running: its result may still wake a task.
    pub(crate) fn has_unfinished_jobs(&self) -> bool {
        self.shared.lock().unfinished > 0
    }

    /// How many worker threads exist right now.
    pub(crate) fn thread_count(&self) -> usize {
        self.shared.lock().threads
    }

    /// Tells the workers to exit once the queue is empty; jobs already queued still
    /// run (their results go nowhere if the runtime is gone). Does not wait.
    pub(crate) fn shutdown(&self) {
        self.shared.lock().shutdown = true;
        self.shared.job_ready.notify_all();
    }
}

impl PoolShared {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // Jobs run outside the lock (and catch their panics), so a poisoned lock
        // still guards consistent counters.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A worker's life: run jobs; after `keep_alive` with none, exit.
    fn work(&self) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                job();
                state = self.lock();
                state.unfinished -= 1;
                continue;
            }
            if state.shutdown {
                break;
            }
            state.idle += 1;
            let (next, timeout) = self
                .job_ready
                .wait_timeout(state, self.keep_alive)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            state.idle -= 1;
            if timeout.timed_out() && state.queue.is_empty() {
                break;
            }
        }
        state.threads -= 1;
    }
}

impl fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingPool")
            .field("threads", &self.thread_count())
            .field("max_threads", &self.shared.max_threads)
            .finish()
    }
}

/// Where a finished job leaves its result for the task awaiting it.
struct Delivery<T> {
    result: Option<thread::Result<T>>,
    waker: Option<Waker>,
}

/// Runs `f` on the current runtime's blocking pool and returns a handle to its result.
///
/// Use it for anything that blocks: file I/O, DNS, compression, a long computation.
/// A panic in `f` becomes a panic [`JoinError`](crate::task::JoinError). Aborting the
/// handle stops waiting, but a job that has started runs to its end.
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let sum = evloop::task::spawn_blocking(|| (1..=100u64).sum::<u64>()).await.unwrap();
///     assert_eq!(sum, 5050);
/// });
/// ```
#[track_caller]
pub fn spawn_blocking<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let delivery = Arc::new(Mutex::new(Delivery {
        result: None,
        waker: None,
    }));
    let sender = delivery.clone();
    let job: Job = Box::new(move || {
        let result = catch_unwind(AssertUnwindSafe(f));
        let waker = {
            let mut delivery = sender.lock().unwrap_or_else(PoisonError::into_inner);
            delivery.result = Some(result);
            delivery.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    });
    let submitted = context::expect_current(|core| core.blocking_pool().submit(job));
    crate::spawn(async move {
        if let Err(error) = submitted {
            panic!("evloop: cannot start a blocking-pool thread: {error}");
        }
        let result = poll_fn(|cx| {
            let mut delivery = delivery.lock().unwrap_or_else(PoisonError::into_inner);
            match delivery.result.take() {
                Some(result) => Poll::Ready(result),
                None => {
                    delivery.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await;
        match result {
            Ok(value) => value,
            // The panic hook already printed it on the worker thread; re-raising it
            // here (without the hook) makes it this task's panic, for the handle.
            Err(payload) => resume_unwind(payload),
        }
    })
}
