//! Wakes from other threads reach a parked loop, none is lost, and a parked loop uses
//! no CPU.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

mod common;

use common::{thread_id, wait_until_parked, within};

/// A future that hands its waker to `waker_out` on first poll and completes once
/// `flag` is set.
fn wait_for_flag(
    flag: Arc<AtomicBool>,
    waker_out: mpsc::Sender<Waker>,
) -> impl std::future::Future<Output = ()> {
    let mut sent = false;
    std::future::poll_fn(move |cx| {
        if flag.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        if !sent {
            waker_out.send(cx.waker().clone()).unwrap();
            sent = true;
        }
        Poll::Pending
    })
}

/// A flag, a channel for a waker, and a thread that takes the waker from the channel,
/// waits until this thread is parked in epoll, sets the flag and wakes the waker.
fn wake_once_parked() -> (Arc<AtomicBool>, mpsc::Sender<Waker>, thread::JoinHandle<()>) {
    let flag = Arc::new(AtomicBool::new(false));
    let (waker_tx, waker_rx) = mpsc::channel();
    let loop_tid = thread_id();
    let remote_flag = flag.clone();
    let waker_thread = thread::spawn(move || {
        let waker: Waker = waker_rx.recv().unwrap();
        wait_until_parked(loop_tid);
        remote_flag.store(true, Ordering::Release);
        waker.wake();
    });
    (flag, waker_tx, waker_thread)
}

#[test]
fn wake_from_another_thread_reaches_a_parked_loop() {
    within(Duration::from_secs(30), || {
        let (flag, waker_tx, waker_thread) = wake_once_parked();
        evloop::block_on(async move {
            // A spawned task, then the root future itself.
            let task = evloop::spawn(wait_for_flag(flag.clone(), waker_tx.clone()));
            task.await.unwrap();
        });
        waker_thread.join().unwrap();
    });
}

#[test]
fn root_future_woken_from_another_thread() {
    within(Duration::from_secs(30), || {
        let (flag, waker_tx, waker_thread) = wake_once_parked();
        evloop::block_on(wait_for_flag(flag, waker_tx));
        waker_thread.join().unwrap();
    });
}

/// Four threads each wake one task 10,000 times, each time waiting until the task has
/// seen that wake before sending the next: 40,000 wake-to-poll round trips, many of
/// them into a parked loop. A single lost wake stalls its thread and fails the test.
#[test]
fn four_threads_ten_thousand_wakes_each_none_lost() {
    const THREADS: usize = 4;
    const WAKES: usize = if cfg!(miri) { 50 } else { 10_000 };
    within(Duration::from_secs(120), || {
        let requested: Arc<Vec<AtomicUsize>> =
            Arc::new((0..THREADS).map(|_| AtomicUsize::new(0)).collect());
        let seen: Arc<Vec<AtomicUsize>> =
            Arc::new((0..THREADS).map(|_| AtomicUsize::new(0)).collect());
        let waker_slot: Arc<Mutex<Option<Waker>>> = Arc::default();

        let mut threads = Vec::new();
        for me in 0..THREADS {
            let (requested, seen, waker_slot) =
                (requested.clone(), seen.clone(), waker_slot.clone());
            threads.push(thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(100);
                for round in 1..=WAKES {
                    requested[me].store(round, Ordering::Release);
                    let waker = loop {
                        if let Some(waker) = waker_slot.lock().unwrap().clone() {
                            break waker;
                        }
                        assert!(Instant::now() < deadline);
                        thread::yield_now();
                    };
                    waker.wake();
                    while seen[me].load(Ordering::Acquire) < round {
                        assert!(Instant::now() < deadline, "thread {me} round {round} lost");
                        thread::yield_now();
                    }
                }
            }));
        }

        evloop::block_on(async move {
            evloop::spawn(std::future::poll_fn(move |cx| {
                *waker_slot.lock().unwrap() = Some(cx.waker().clone());
                let mut done = 0;
                for me in 0..THREADS {
                    let round = requested[me].load(Ordering::Acquire);
                    seen[me].store(round, Ordering::Release);
                    if round == WAKES {
                        done += 1;
                    }
                }
                if done == THREADS {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }))
            .await
            .unwrap();
        });
        for thread in threads {
            thread.join().unwrap();
        }
    });
}

// Miri has no getrusage and no real CPU time.
#[cfg(not(miri))]
#[test]
fn idle_parked_runtime_uses_no_cpu() {
    use common::thread_cpu_time;

    const IDLE: Duration = Duration::from_millis(500);
    within(Duration::from_secs(30), || {
        let flag = Arc::new(AtomicBool::new(false));
        let (waker_tx, waker_rx) = mpsc::channel();
        let loop_tid = thread_id();
        let remote_flag = flag.clone();
        let waker_thread = thread::spawn(move || {
            let waker: Waker = waker_rx.recv().unwrap();
            wait_until_parked(loop_tid);
            // The scenario itself: the loop stays idle this long.
            thread::sleep(IDLE);
            remote_flag.store(true, Ordering::Release);
            waker.wake();
        });
        let runtime = evloop::Runtime::new().unwrap();
        let started = Instant::now();
        let cpu_before = thread_cpu_time();
        runtime.block_on(async move {
            // Some tasks exist but all wait: the loop must still sleep.
            for _ in 0..100 {
                drop(evloop::spawn(std::future::pending::<()>()));
            }
            evloop::spawn(wait_for_flag(flag, waker_tx)).await.unwrap();
        });
        let cpu = thread_cpu_time() - cpu_before;
        let wall = started.elapsed();
        waker_thread.join().unwrap();
        assert!(wall >= IDLE);
        assert!(
            cpu < Duration::from_millis(25),
            "an idle loop burnt {cpu:?} in {wall:?}"
        );
    });
}
