//! The blocking pool: many jobs, panics, growth and shrinking, DNS.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use evloop::Runtime;
use evloop::runtime::Handle;
use evloop::task::{self, spawn_blocking};

#[test]
fn a_thousand_concurrent_jobs_all_complete() {
    const JOBS: usize = 1_000;
    let runtime = Runtime::builder().max_blocking_threads(64).build().unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let total = runtime.block_on(async {
        let handles: Vec<_> = (0..JOBS)
            .map(|i| {
                let ran = ran.clone();
                spawn_blocking(move || {
                    ran.fetch_add(1, Ordering::Relaxed);
                    i
                })
            })
            .collect();
        let mut total = 0;
        for handle in handles {
            total += handle.await.unwrap();
        }
        assert!(Handle::current().metrics().blocking_threads <= 64);
        total
    });
    assert_eq!(total, (0..JOBS).sum::<usize>());
    assert_eq!(ran.load(Ordering::Relaxed), JOBS);
}

#[test]
fn jobs_really_run_in_parallel_up_to_the_cap() {
    // Four jobs that each wait for all four at a barrier: they only finish if four
    // threads run them at once.
    let runtime = Runtime::builder().max_blocking_threads(4).build().unwrap();
    let barrier = Arc::new(Barrier::new(4));
    runtime.block_on(async {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let barrier = barrier.clone();
                spawn_blocking(move || barrier.wait().is_leader())
            })
            .collect();
        let mut leaders = 0;
        for handle in handles {
            leaders += handle.await.unwrap() as usize;
        }
        assert_eq!(leaders, 1);
    });
}

#[test]
fn a_panicking_job_becomes_a_panic_join_error() {
    evloop::block_on(async {
        let error = spawn_blocking(|| panic!("job exploded")).await.unwrap_err();
        assert!(error.is_panic());
        assert_eq!(
            *error.into_panic().downcast::<&str>().unwrap(),
            "job exploded"
        );
        // The pool keeps working.
        assert_eq!(spawn_blocking(|| 5).await.unwrap(), 5);
    });
}

#[test]
fn idle_threads_exit_after_their_keep_alive() {
    let runtime = Runtime::builder()
        .blocking_keep_alive(Duration::from_millis(50))
        .build()
        .unwrap();
    runtime.block_on(async {
        let barrier = Arc::new(Barrier::new(3));
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let barrier = barrier.clone();
                spawn_blocking(move || {
                    barrier.wait();
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
        assert_eq!(Handle::current().metrics().blocking_threads, 3);
        // The exits happen on the workers' own clocks and notify nobody, so watch the
        // count, bounded; nothing else needs this thread meanwhile.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Handle::current().metrics().blocking_threads > 0 {
            assert!(Instant::now() < deadline, "idle threads never exited");
            std::thread::yield_now();
        }
    });
}

#[test]
fn dropping_the_runtime_with_a_job_running_does_not_hang() {
    let runtime = Runtime::new().unwrap();
    let release = Arc::new(Barrier::new(2));
    let job_release = release.clone();
    // The handle leaves block_on unawaited, on purpose.
    #[allow(clippy::async_yields_async)]
    let handle = runtime.block_on(async move {
        let handle = spawn_blocking(move || {
            job_release.wait();
        });
        task::yield_now().await;
        handle
    });
    drop(runtime);
    release.wait();
    assert!(evloop::block_on(handle).unwrap_err().is_cancelled());
}
