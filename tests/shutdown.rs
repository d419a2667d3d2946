//! Dropping a runtime drops every unfinished future; leftover wakers stay harmless.

use std::cell::{Cell, RefCell};
use std::future::pending;
use std::rc::Rc;
use std::task::Waker;

use evloop::{Runtime, task};

struct DropCounter(Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn runtime_drop_runs_the_destructor_of_every_unfinished_task() {
    let drops = Rc::new(Cell::new(0));
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        for _ in 0..1_000 {
            let probe = DropCounter(drops.clone());
            drop(evloop::spawn(async move {
                let _probe = probe;
                pending::<()>().await;
            }));
        }
        // Half of them never even get polled.
        for _ in 0..500 {
            let probe = DropCounter(drops.clone());
            drop(evloop::spawn(async move {
                let _probe = probe;
            }));
        }
    });
    assert_eq!(drops.get(), 0, "block_on returned before the tasks ran");
    drop(runtime);
    assert_eq!(drops.get(), 1_500);
}

#[test]
fn destructors_may_spawn_while_the_runtime_shuts_down() {
    let drops = Rc::new(Cell::new(0));
    struct SpawnOnDrop(Rc<Cell<usize>>);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let probe = DropCounter(self.0.clone());
            let handle = evloop::spawn(async move {
                let _probe = probe;
            });
            assert!(
                handle.is_finished(),
                "a task spawned during shutdown is cancelled"
            );
        }
    }
    let runtime = Runtime::new().unwrap();
    let guard = SpawnOnDrop(drops.clone());
    runtime.block_on(async move {
        drop(evloop::spawn(async move {
            let _guard = guard;
            pending::<()>().await;
        }));
        task::yield_now().await;
    });
    drop(runtime);
    assert_eq!(drops.get(), 1);
}

#[test]
fn join_handle_of_a_dropped_runtime_reports_cancellation() {
    let runtime = Runtime::new().unwrap();
    let handle = runtime.spawn(pending::<()>());
    drop(runtime);
    assert!(handle.is_finished());
    let error = evloop::block_on(handle).unwrap_err();
    assert!(error.is_cancelled());
}

#[test]
fn wakers_outliving_their_runtime_are_harmless() {
    let wakers: Rc<RefCell<Vec<Waker>>> = Rc::default();
    let runtime = Runtime::new().unwrap();
    let sink = wakers.clone();
    runtime.block_on(async move {
        for _ in 0..10 {
            let sink = sink.clone();
            drop(evloop::spawn(std::future::poll_fn(move |cx| {
                sink.borrow_mut().push(cx.waker().clone());
                std::task::Poll::<()>::Pending
            })));
        }
        task::yield_now().await;
    });
    drop(runtime);
    let wakers = wakers.take();
    assert_eq!(wakers.len(), 10);
    for waker in &wakers {
        let clone = waker.clone();
        clone.wake();
        waker.wake_by_ref();
    }
    // And from another thread, after the runtime is gone.
    let sendable: Vec<Waker> = wakers.clone();
    std::thread::spawn(move || {
        for waker in sendable {
            waker.wake_by_ref();
            waker.wake();
        }
    })
    .join()
    .unwrap();
    drop(wakers);
}

#[test]
fn handle_spawn_after_runtime_drop_cancels_at_once() {
    let runtime = Runtime::new().unwrap();
    let handle = runtime.handle();
    drop(runtime);
    let drops = Rc::new(Cell::new(0));
    let probe = DropCounter(drops.clone());
    let join = handle.spawn(async move {
        let _probe = probe;
    });
    assert!(join.is_finished());
    assert_eq!(drops.get(), 1);
}
