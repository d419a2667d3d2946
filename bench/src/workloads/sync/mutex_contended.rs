//! mutex_contended: 100 tasks each lock one async mutex 10,000 times and yield to the
//! runtime while holding it, so every other task is waiting for the lock each time.
//! Reports ns per lock: the hand-off to the next waiter, its wake and its poll.

use std::rc::Rc;
use std::time::Instant;

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Tasks contending.
pub const TASKS: u64 = 100;
/// Locks per task.
pub const LOCKS_EACH: u64 = 10_000;

/// ns per lock on `runtime`.
pub fn run(runtime: Runtime) -> f64 {
    match runtime {
        Runtime::Evloop => evloop(),
        Runtime::Tokio => tokio(),
        Runtime::Smol => smol(),
    }
}

fn evloop() -> f64 {
    on_evloop(async {
        let mutex = Rc::new(evloop::sync::Mutex::new(0u64));
        let start = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let mutex = mutex.clone();
                evloop::spawn(async move {
                    for _ in 0..LOCKS_EACH {
                        let mut value = mutex.lock().await;
                        evloop::task::yield_now().await;
                        *value += 1;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a locking task cannot fail");
        }
        assert_eq!(*mutex.lock().await, TASKS * LOCKS_EACH);
        ns_per_op(start.elapsed(), TASKS * LOCKS_EACH)
    })
}

fn tokio() -> f64 {
    on_tokio(async {
        let mutex = Rc::new(tokio::sync::Mutex::new(0u64));
        let start = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let mutex = mutex.clone();
                tokio::task::spawn_local(async move {
                    for _ in 0..LOCKS_EACH {
                        let mut value = mutex.lock().await;
                        tokio::task::yield_now().await;
                        *value += 1;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a locking task cannot fail");
        }
        assert_eq!(*mutex.lock().await, TASKS * LOCKS_EACH);
        ns_per_op(start.elapsed(), TASKS * LOCKS_EACH)
    })
}

fn smol() -> f64 {
    on_smol(|executor| async move {
        let mutex = Rc::new(async_lock::Mutex::new(0u64));
        let start = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let mutex = mutex.clone();
                executor.spawn(async move {
                    for _ in 0..LOCKS_EACH {
                        let mut value = mutex.lock().await;
                        futures_lite::future::yield_now().await;
                        *value += 1;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await;
        }
        assert_eq!(*mutex.lock().await, TASKS * LOCKS_EACH);
        ns_per_op(start.elapsed(), TASKS * LOCKS_EACH)
    })
}
