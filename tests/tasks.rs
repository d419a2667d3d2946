//! Spawning, joining, aborting and yielding, on a real runtime.

use std::cell::{Cell, RefCell};
use std::future::{Future, pending, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::task::Poll;

use evloop::Runtime;
use evloop::runtime::Handle;
use evloop::task::{self, JoinSet};

/// Counts how many times it was dropped: a probe for "the future's destructor ran".
struct DropCounter(Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn spawn_and_join_100_000_tasks() {
    const TASKS: u64 = if cfg!(miri) { 1_000 } else { 100_000 };
    let sum = evloop::block_on(async {
        let handles: Vec<_> = (0..TASKS)
            .map(|i| evloop::spawn(async move { i }))
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..TASKS).sum::<u64>());
}

#[test]
fn not_send_futures_and_outputs_are_fine() {
    evloop::block_on(async {
        let shared = Rc::new(RefCell::new(Vec::new()));
        let writer = shared.clone();
        let output = evloop::spawn(async move {
            writer.borrow_mut().push(1);
            task::yield_now().await;
            writer.borrow_mut().push(2);
            Rc::new("not send either")
        })
        .await
        .unwrap();
        assert_eq!(*shared.borrow(), [1, 2]);
        assert_eq!(*output, "not send either");
    });
}

#[test]
fn dropped_handle_detaches_but_the_task_still_runs() {
    let done = Rc::new(Cell::new(false));
    let flag = done.clone();
    evloop::block_on(async move {
        drop(evloop::spawn(async move {
            task::yield_now().await;
            flag.set(true);
        }));
        // Wait for the detached task by yielding, bounded.
        for _ in 0..100 {
            if done.get() {
                return;
            }
            task::yield_now().await;
        }
        panic!("the detached task never ran");
    });
}

#[test]
fn abort_before_first_poll_never_polls_and_drops_the_future() {
    let drops = Rc::new(Cell::new(0));
    let polled = Rc::new(Cell::new(false));
    let (probe, seen) = (DropCounter(drops.clone()), polled.clone());
    evloop::block_on(async move {
        let handle = evloop::spawn(async move {
            let _probe = probe;
            seen.set(true);
        });
        handle.abort();
        let error = handle.await.unwrap_err();
        assert!(error.is_cancelled());
        assert!(!error.is_panic());
    });
    assert!(!polled.get(), "an aborted task must not be polled");
    assert_eq!(drops.get(), 1);
}

#[test]
fn abort_while_pending_runs_destructors() {
    let drops = Rc::new(Cell::new(0));
    let probe = DropCounter(drops.clone());
    let counter = drops.clone();
    evloop::block_on(async move {
        let handle = evloop::spawn(async move {
            let _probe = probe;
            pending::<()>().await;
        });
        // Let it run up to its await point.
        task::yield_now().await;
        assert!(!handle.is_finished());
        assert_eq!(counter.get(), 0);
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
        assert_eq!(counter.get(), 1);
    });
}

#[test]
fn abort_after_completion_keeps_the_output() {
    evloop::block_on(async {
        let handle = evloop::spawn(async { 5 });
        while !handle.is_finished() {
            task::yield_now().await;
        }
        handle.abort();
        assert_eq!(handle.await.unwrap(), 5);
    });
}

#[test]
fn a_task_may_abort_itself() {
    let drops = Rc::new(Cell::new(0));
    let probe = DropCounter(drops.clone());
    evloop::block_on(async {
        let slot: Rc<RefCell<Option<task::JoinHandle<()>>>> = Rc::default();
        let own = slot.clone();
        let handle = evloop::spawn(async move {
            let _probe = probe;
            task::yield_now().await;
            own.borrow().as_ref().unwrap().abort();
            // Still running: the abort takes effect when the loop next reaches it.
            pending::<()>().await;
        });
        let id = handle.id();
        *slot.borrow_mut() = Some(handle);
        for _ in 0..10 {
            if slot.borrow().as_ref().unwrap().is_finished() {
                break;
            }
            task::yield_now().await;
        }
        let handle = slot.borrow_mut().take().unwrap();
        let error = handle.await.unwrap_err();
        assert!(error.is_cancelled());
        assert_eq!(error.id(), id);
    });
    assert_eq!(drops.get(), 1);
}

#[test]
fn yield_now_lets_other_tasks_run_in_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        let mut handles = Vec::new();
        for name in ["a", "b"] {
            let log = log.clone();
            handles.push(evloop::spawn(async move {
                for step in 0..3 {
                    log.borrow_mut().push(format!("{name}{step}"));
                    task::yield_now().await;
                }
            }));
        }
        for handle in handles {
            handle.await.unwrap();
        }
    });
    assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
}

#[test]
fn join_set_collects_in_completion_order() {
    evloop::block_on(async {
        let mut set = JoinSet::new();
        for delay in [3u32, 1, 2] {
            set.spawn(async move {
                for _ in 0..delay {
                    task::yield_now().await;
                }
                delay
            });
        }
        assert_eq!(set.len(), 3);
        let mut order = Vec::new();
        while let Some(result) = set.join_next().await {
            order.push(result.unwrap());
        }
        assert_eq!(order, [1, 2, 3]);
        assert!(set.is_empty());
        assert!(set.join_next().await.is_none());
    });
}

#[test]
fn join_set_abort_all_and_drop_cancel_the_rest() {
    let drops = Rc::new(Cell::new(0));
    let counter = drops.clone();
    evloop::block_on(async move {
        let mut set = JoinSet::new();
        for _ in 0..5 {
            let probe = DropCounter(counter.clone());
            set.spawn(async move {
                let _probe = probe;
                pending::<()>().await;
            });
        }
        set.spawn(async { std::future::ready(()).await });
        task::yield_now().await;
        set.abort_all();
        let mut cancelled = 0;
        let mut finished = 0;
        while let Some(result) = set.join_next().await {
            match result {
                Ok(()) => finished += 1,
                Err(error) if error.is_cancelled() => cancelled += 1,
                Err(error) => panic!("unexpected {error}"),
            }
        }
        assert_eq!((cancelled, finished), (5, 1));
        assert_eq!(counter.get(), 5);

        let mut dropped_set = JoinSet::new();
        for _ in 0..3 {
            let probe = DropCounter(counter.clone());
            dropped_set.spawn(async move {
                let _probe = probe;
                pending::<()>().await;
            });
        }
        task::yield_now().await;
        drop(dropped_set);
        // The aborted tasks are dropped by the loop on its next turn.
        for _ in 0..10 {
            if counter.get() == 8 {
                break;
            }
            task::yield_now().await;
        }
        assert_eq!(counter.get(), 8);
    });
}

#[test]
fn handle_try_current_outside_a_runtime_is_an_error() {
    let error = Handle::try_current().unwrap_err();
    assert_eq!(
        error.to_string(),
        "there is no evloop runtime on this thread"
    );
    evloop::block_on(async {
        assert!(Handle::try_current().is_ok());
    });
    assert!(
        Handle::try_current().is_err(),
        "the context is cleared after block_on"
    );
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|m| m.to_string())
            .unwrap_or_default(),
    }
}

#[test]
fn spawn_outside_a_runtime_panics_with_advice() {
    let payload = catch_unwind(|| drop(evloop::spawn(async {}))).unwrap_err();
    let message = panic_message(payload);
    assert!(
        message.contains("there is no runtime on this thread"),
        "{message}"
    );
    assert!(message.contains("#[evloop::main]"), "{message}");
}

#[test]
fn nested_block_on_panics_with_advice_and_the_runtime_survives() {
    let runtime = Runtime::new().unwrap();
    let payload = catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(async { evloop::block_on(async {}) })
    }))
    .unwrap_err();
    let message = panic_message(payload);
    assert!(
        message.contains("cannot call `block_on` from inside"),
        "{message}"
    );
    assert!(message.contains("`.await` the future instead"), "{message}");

    let inner = Runtime::new().unwrap();
    let payload = catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(async { inner.block_on(async {}) })
    }))
    .unwrap_err();
    assert!(panic_message(payload).contains("cannot call `block_on` from inside"));

    assert_eq!(
        runtime.block_on(async { evloop::spawn(async { 3 }).await.unwrap() }),
        3
    );
}

#[test]
fn tasks_left_running_continue_in_the_next_block_on() {
    let runtime = Runtime::new().unwrap();
    let steps = Rc::new(Cell::new(0));
    let counter = steps.clone();
    // The handle leaves the first block_on unawaited, on purpose.
    #[allow(clippy::async_yields_async)]
    let handle = runtime.block_on(async move {
        evloop::spawn(async move {
            loop {
                counter.set(counter.get() + 1);
                task::yield_now().await;
                if counter.get() == 1_000 {
                    return "done";
                }
            }
        })
    });
    assert!(steps.get() < 1_000);
    assert_eq!(runtime.block_on(handle).unwrap(), "done");
}

#[test]
fn runtime_spawn_before_block_on_starts_there() {
    let runtime = Runtime::builder()
        .tasks_per_tick(1)
        .io_budget(1)
        .event_capacity(1)
        .build()
        .unwrap();
    let handle = runtime.spawn(async { 9 });
    let from_handle = runtime.handle().spawn(async { 1 });
    assert_eq!(
        runtime.block_on(async { handle.await.unwrap() + from_handle.await.unwrap() }),
        10
    );
}

#[test]
fn consume_budget_yields_to_other_tasks_when_spent() {
    let runtime = Runtime::builder().io_budget(4).build().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    runtime.block_on(async {
        let spender_log = log.clone();
        let spender = evloop::spawn(async move {
            for i in 0..8 {
                task::consume_budget().await;
                spender_log.borrow_mut().push(i);
            }
        });
        let other_log = log.clone();
        let other = evloop::spawn(async move { other_log.borrow_mut().push(100) });
        spender.await.unwrap();
        other.await.unwrap();
    });
    // Four units per poll: the other task runs after the fourth operation.
    assert_eq!(*log.borrow(), [0, 1, 2, 3, 100, 4, 5, 6, 7]);
}

#[test]
fn join_handle_debug_and_ids_count_up() {
    evloop::block_on(async {
        let first = evloop::spawn(async {});
        let second = evloop::spawn(async {});
        assert_eq!(second.id().as_u64(), first.id().as_u64() + 1);
        assert!(format!("{first:?}").contains("JoinHandle"));
        first.await.unwrap();
        second.await.unwrap();
    });
}

/// A future that is ready after `n` polls, waking itself each time.
fn ready_after(n: usize) -> impl Future<Output = usize> {
    let mut polls = 0;
    poll_fn(move |cx| {
        polls += 1;
        if polls > n {
            Poll::Ready(polls)
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}

#[test]
fn block_on_future_that_wakes_itself() {
    assert_eq!(evloop::block_on(ready_after(1_000)), 1_001);
}
