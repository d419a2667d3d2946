//! The runtime's counters (`Handle::metrics`, `Runtime::metrics`) move as the loop
//! works: each test compares snapshots taken before and after a scripted step.

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};
use evloop::runtime::{Handle, RuntimeMetrics};
use evloop::time::{self, Duration};
use evloop::{Runtime, task};

mod common;

fn metrics() -> RuntimeMetrics {
    Handle::current().metrics()
}

#[test]
fn a_new_runtime_counts_nothing() {
    let metrics = Runtime::new().unwrap().metrics();
    assert_eq!(metrics.ticks, 0);
    assert_eq!(metrics.task_polls, 0);
    assert_eq!(metrics.tasks_spawned, 0);
    assert_eq!(metrics.tasks_alive, 0);
    assert_eq!(metrics.parks, 0);
    assert_eq!(metrics.epoll_events, 0);
    assert_eq!(metrics.timers_armed, 0);
    assert_eq!(metrics.timers_fired, 0);
    assert_eq!(metrics.cross_thread_wakes, 0);
    assert_eq!(metrics.blocking_threads, 0);
}

#[test]
fn ten_spawned_tasks_count_ten_spawns_and_at_least_ten_polls() {
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        let before = metrics();
        let handles: Vec<_> = (0..10).map(|_| evloop::spawn(task::yield_now())).collect();
        assert_eq!(metrics().tasks_alive, 10);
        for handle in handles {
            handle.await.unwrap();
        }
        let after = metrics();
        assert_eq!(after.tasks_spawned - before.tasks_spawned, 10);
        // Each yields once: two polls each.
        assert!(after.task_polls - before.task_polls >= 20, "{after:?}");
        assert_eq!(after.tasks_alive, 0);
        assert!(after.ticks > before.ticks);
    });
    assert_eq!(runtime.metrics().tasks_spawned, 10);
}

#[evloop::test(start_paused)]
async fn a_sleep_arms_and_fires_one_timer() {
    let before = metrics();
    time::sleep(Duration::from_secs(1)).await;
    let after = metrics();
    assert_eq!(after.timers_armed - before.timers_armed, 1);
    assert_eq!(after.timers_fired - before.timers_fired, 1);
}

#[evloop::test(start_paused)]
async fn a_timeout_that_does_not_expire_is_armed_but_never_fires() {
    let before = metrics();
    let result = time::timeout(Duration::from_secs(1), task::yield_now()).await;
    assert!(result.is_ok());
    time::sleep(Duration::from_secs(2)).await;
    let after = metrics();
    assert_eq!(after.timers_armed - before.timers_armed, 2);
    assert_eq!(after.timers_fired - before.timers_fired, 1);
}

#[test]
fn a_cross_thread_wake_of_a_parked_loop_counts_a_park_a_wake_and_an_event() {
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        evloop::spawn(common::woken_once_parked()).await.unwrap();
    });
    let metrics = runtime.metrics();
    assert!(metrics.parks >= 1, "{metrics:?}");
    assert_eq!(metrics.cross_thread_wakes, 1);
    // The eventfd's event.
    assert!(metrics.epoll_events >= 1, "{metrics:?}");
}

#[evloop::test]
async fn a_socket_that_makes_the_loop_wait_counts_epoll_events() {
    let before = metrics();
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The accept below runs first and finds no connection: it waits for an event.
    let client = evloop::spawn(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"ping").await.unwrap();
        stream
    });
    let (mut server, _) = listener.accept().await.unwrap();
    let mut buf = [0; 4];
    server.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ping");
    drop(client.await.unwrap());
    let after = metrics();
    assert!(after.epoll_events > before.epoll_events, "{after:?}");
}
