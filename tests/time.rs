//! Timers on the real clock, with generous bounds: the parked loop wakes for a timer,
//! never before its deadline (by the runtime's clock and by `std`'s), timers fire while
//! other tasks keep the loop busy, and the thread's timer slack is set and restored.
//! Everything else about timers is tested on the paused clock (`time_paused.rs`).

use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Instant as StdInstant;

use evloop::Runtime;
use evloop::time::{self, Duration, Instant};

mod common;
use common::within;

/// Generous: a loaded 2-core machine may hold a thread up for a long time.
const LATE_BOUND: Duration = Duration::from_secs(2);

#[test]
fn a_sleep_wakes_a_parked_loop_after_its_deadline() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let std_start = StdInstant::now();
            let start = Instant::now();
            time::sleep(Duration::from_millis(20)).await;
            assert!(start.elapsed() >= Duration::from_millis(20));
            assert!(std_start.elapsed() >= Duration::from_millis(20));
            assert!(std_start.elapsed() < LATE_BOUND);
        });
    });
}

#[test]
fn sub_millisecond_sleeps_are_never_early() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            for micros in [0, 1, 10, 50, 100, 250, 500, 999, 1_000, 1_500] {
                let deadline = Instant::now() + Duration::from_micros(micros);
                time::sleep_until(deadline).await;
                let (now, std_now) = (Instant::now(), StdInstant::now());
                assert!(now >= deadline, "{micros} µs: runtime clock says early");
                assert!(
                    std_now >= deadline.into_std(),
                    "{micros} µs: std clock says early"
                );
                assert!(now - deadline < LATE_BOUND);
            }
        });
    });
}

#[test]
fn tasks_sleeping_different_times_wake_in_deadline_order() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let start = Instant::now();
            let woken = Rc::new(std::cell::RefCell::new(Vec::new()));
            let handles: Vec<_> = [9_u64, 3, 6, 1]
                .into_iter()
                .map(|millis| {
                    let woken = woken.clone();
                    evloop::spawn(async move {
                        time::sleep(Duration::from_millis(millis)).await;
                        assert!(start.elapsed() >= Duration::from_millis(millis));
                        woken.borrow_mut().push(millis);
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
            assert_eq!(*woken.borrow(), [1, 3, 6, 9]);
        });
    });
}

#[test]
fn a_hundred_thousand_concurrent_real_sleeps_all_complete_none_early() {
    const SLEEPERS: u64 = 100_000;
    within(Duration::from_secs(60), || {
        evloop::block_on(async {
            let done = Rc::new(std::cell::Cell::new(0_u64));
            let handles: Vec<_> = (0..SLEEPERS)
                .map(|n| {
                    let done = done.clone();
                    // Spread over 1..=50 ms, many sharing a deadline.
                    let deadline = Instant::now() + Duration::from_millis(1 + n * 7919 % 50);
                    evloop::spawn(async move {
                        time::sleep_until(deadline).await;
                        assert!(StdInstant::now() >= deadline.into_std(), "woke early");
                        done.set(done.get() + 1);
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
            assert_eq!(done.get(), SLEEPERS);
        });
    });
}

#[test]
fn dense_timers_fire_in_batches_not_a_tick_each() {
    const SLEEPERS: u32 = 2_000;
    within(Duration::from_secs(30), || {
        let runtime = Runtime::new().unwrap();
        let ticks_before = runtime.metrics().ticks;
        runtime.block_on(async {
            // One deadline every 10 µs for 20 ms, starting 10 ms from now.
            let first = Instant::now() + Duration::from_millis(10);
            let handles: Vec<_> = (0..SLEEPERS)
                .map(|n| {
                    let deadline = first + Duration::from_micros(10 * u64::from(n));
                    evloop::spawn(async move {
                        time::sleep_until(deadline).await;
                        assert!(StdInstant::now() >= deadline.into_std(), "woke early");
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
        });
        let ticks = runtime.metrics().ticks - ticks_before;
        // One park per timer took about 5,700 ticks here (debug build); batches of up
        // to 50 µs about 1,850.
        assert!(
            ticks < 2 * u64::from(SLEEPERS),
            "{ticks} ticks for {SLEEPERS} dense timers"
        );
    });
}

#[test]
fn timers_fire_while_another_task_spins_on_yield_now() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let done = Rc::new(std::cell::Cell::new(false));
            let spinner = evloop::spawn({
                let done = done.clone();
                async move {
                    // Bounded: gives up after 10 s of real time.
                    let give_up = StdInstant::now() + Duration::from_secs(10);
                    let mut spins = 0_u64;
                    while !done.get() && StdInstant::now() < give_up {
                        evloop::task::yield_now().await;
                        spins += 1;
                    }
                    (done.get(), spins)
                }
            });
            let start = StdInstant::now();
            time::sleep(Duration::from_millis(5)).await;
            assert!(start.elapsed() >= Duration::from_millis(5));
            assert!(
                start.elapsed() < LATE_BOUND,
                "the timer waited for the spinner"
            );
            done.set(true);
            let (saw_done, spins) = spinner.await.unwrap();
            assert!(saw_done, "the spinner gave up before the timer fired");
            assert!(spins > 0);
        });
    });
}

#[test]
fn interval_keeps_its_schedule_on_the_real_clock() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let start = Instant::now();
            let mut interval = time::interval_at(start, Duration::from_millis(4));
            for n in 0..5 {
                let due = interval.tick().await;
                assert_eq!(due - start, Duration::from_millis(4 * n), "on schedule");
                assert!(Instant::now() >= due);
            }
        });
    });
}

#[test]
fn timeout_elapses_on_the_real_clock() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let start = StdInstant::now();
            let never = std::future::pending::<()>();
            assert!(
                time::timeout(Duration::from_millis(10), never)
                    .await
                    .is_err()
            );
            assert!(start.elapsed() >= Duration::from_millis(10));
            assert!(start.elapsed() < LATE_BOUND);
        });
    });
}

#[test]
fn timeout_around_a_ready_future_needs_no_runtime() {
    // Ready on the first poll: no clock read through the runtime and no timer armed,
    // so it works even where there is no runtime to arm one in.
    let mut limited = pin!(time::timeout(Duration::from_secs(1), async { 5 }));
    let poll = limited
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()));
    assert_eq!(poll, Poll::Ready(Ok(5)));
}

#[test]
#[should_panic(expected = "there is no runtime on this thread")]
fn a_sleep_polled_outside_a_runtime_panics() {
    let mut sleep = pin!(time::sleep(Duration::from_millis(1)));
    let _ = sleep.as_mut().poll(&mut Context::from_waker(Waker::noop()));
}

#[test]
fn a_sleep_may_outlive_its_runtime() {
    let runtime = Runtime::new().unwrap();
    let mut sleep = Box::pin(time::sleep(Duration::from_secs(3600)));
    runtime.block_on(async {
        let armed = std::future::poll_fn(|cx| Poll::Ready(sleep.as_mut().poll(cx))).await;
        assert!(armed.is_pending());
    });
    assert!(!sleep.is_elapsed());
    drop(runtime);
    // The runtime dropped its timers: the sleep counts as over, and dropping it is
    // harmless.
    assert!(sleep.is_elapsed());
    drop(sleep);
}

/// The calling thread's timer slack in nanoseconds, read from the kernel.
fn thread_timer_slack() -> u64 {
    const UNUSED: libc::c_ulong = 0;
    // SAFETY: PR_GET_TIMERSLACK reads no memory; the unused arguments are 0.
    let slack = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, UNUSED, UNUSED, UNUSED, UNUSED) };
    assert!(slack >= 0, "prctl(PR_GET_TIMERSLACK) failed");
    slack as u64
}

fn set_thread_timer_slack(nanos: u64) {
    const UNUSED: libc::c_ulong = 0;
    // SAFETY: PR_SET_TIMERSLACK takes the value by value; the unused arguments are 0.
    let result = unsafe {
        libc::prctl(
            libc::PR_SET_TIMERSLACK,
            nanos as libc::c_ulong,
            UNUSED,
            UNUSED,
            UNUSED,
        )
    };
    assert_eq!(result, 0, "prctl(PR_SET_TIMERSLACK) failed");
}

#[test]
fn block_on_sets_the_timer_slack_and_restores_it() {
    within(Duration::from_secs(30), || {
        set_thread_timer_slack(50_000);
        let runtime = Runtime::new().unwrap();
        assert_eq!(runtime.block_on(async { thread_timer_slack() }), 1_000);
        assert_eq!(thread_timer_slack(), 50_000, "restored after block_on");

        let custom = Runtime::builder()
            .timer_slack(Some(Duration::from_micros(7)))
            .build()
            .unwrap();
        assert_eq!(custom.block_on(async { thread_timer_slack() }), 7_000);
        assert_eq!(thread_timer_slack(), 50_000);

        let untouched = Runtime::builder().timer_slack(None).build().unwrap();
        assert_eq!(untouched.block_on(async { thread_timer_slack() }), 50_000);
    });
}
