//! `runtime::Handle` as the `futures` crate's spawner (`LocalSpawn`, `Spawn`), the way
//! a library generic over a spawner uses it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use evloop::Runtime;
use evloop::runtime::Handle;
use futures::task::{LocalSpawn, LocalSpawnExt, Spawn, SpawnError, SpawnExt};

/// A library's code: starts `count` workers that each record their number, on any
/// local spawner, and returns a future for the sum of their numbers.
fn start_workers<S: LocalSpawn>(
    spawner: &S,
    count: u32,
    log: &Rc<RefCell<Vec<u32>>>,
) -> Result<impl Future<Output = u32> + use<S>, SpawnError> {
    let mut results = Vec::new();
    for n in 0..count {
        let log = log.clone();
        results.push(spawner.spawn_local_with_handle(async move {
            evloop::task::yield_now().await;
            log.borrow_mut().push(n);
            n
        })?);
    }
    Ok(async move { futures::future::join_all(results).await.into_iter().sum() })
}

#[test]
fn a_library_spawns_local_tasks_through_the_handle() {
    evloop::block_on(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let handle = Handle::current();
        assert!(handle.status_local().is_ok());
        let total = start_workers(&handle, 10, &log).unwrap().await;
        assert_eq!(total, 45);
        let mut seen = log.borrow().clone();
        seen.sort();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    });
}

#[test]
fn send_futures_spawn_too_and_run_on_the_loop_thread() {
    evloop::block_on(async {
        let handle = Handle::current();
        let loop_thread = std::thread::current().id();
        let ran = Arc::new(AtomicU32::new(0));
        let on_loop = {
            let ran = ran.clone();
            handle
                .spawn_with_handle(async move {
                    ran.fetch_add(1, Ordering::Relaxed);
                    std::thread::current().id()
                })
                .unwrap()
        };
        assert!(handle.status().is_ok());
        assert_eq!(on_loop.await, loop_thread);
        assert_eq!(ran.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn the_inherent_spawn_still_wins_with_the_traits_in_scope() {
    evloop::block_on(async {
        // `SpawnExt::spawn` would return `Result<(), SpawnError>`; the inherent method
        // returns evloop's `JoinHandle`, which is what `await` here needs.
        let handle = Handle::current();
        assert_eq!(handle.spawn(async { 5 }).await.unwrap(), 5);
    });
}

#[test]
fn spawning_after_shutdown_is_an_error_not_a_panic() {
    let runtime = Runtime::new().unwrap();
    let handle = runtime.block_on(async { Handle::current() });
    drop(runtime);
    assert!(handle.status_local().unwrap_err().is_shutdown());
    let ran = Rc::new(Cell::new(false));
    let flag = ran.clone();
    let error = handle
        .spawn_local(async move { flag.set(true) })
        .unwrap_err();
    assert!(error.is_shutdown());
    assert!(!ran.get(), "a refused future never runs");
}
