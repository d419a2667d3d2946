//! Timers on the paused clock (`#[evloop::test(start_paused)]`): time moves only when
//! every task waits (to the next deadline, exactly) or when `advance` moves it, so
//! these tests take no real time and check instants for equality.

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use evloop::Runtime;
use evloop::time::{self, Duration, Instant, MissedTickBehavior};
use waker_fn::waker_fn;

mod common;
use common::XorShift;

fn paused() -> Runtime {
    Runtime::builder().start_paused(true).build().unwrap()
}

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// A waker that counts its wakes, and the count.
fn counting_waker() -> (Waker, Arc<AtomicUsize>) {
    let wakes = Arc::new(AtomicUsize::new(0));
    let count = wakes.clone();
    let waker = waker_fn(move || {
        count.fetch_add(1, Ordering::SeqCst);
    });
    (waker, wakes)
}

/// Polls `future` once with `waker` (so a `Sleep` arms its timer for that waker).
fn poll_once<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

#[evloop::test(start_paused)]
async fn the_clock_stands_still_while_tasks_run_and_jumps_when_they_wait() {
    let start = Instant::now();
    for _ in 0..100 {
        evloop::task::yield_now().await;
    }
    assert_eq!(Instant::now(), start);
    time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(Instant::now(), start + Duration::from_secs(3600));
}

#[evloop::test(start_paused)]
async fn many_timers_fire_in_deadline_order_ties_in_arming_order() {
    let start = Instant::now();
    let fired = Rc::new(RefCell::new(Vec::new()));
    let mut random = XorShift::new(1);
    let mut handles = Vec::new();
    // 1,000 timers over 50 distinct deadlines: many ties, many distinct times.
    let deadlines: Vec<Duration> = (0..1000)
        .map(|_| ms(random.between(1, 50) as u64))
        .collect();
    for (n, &after) in deadlines.iter().enumerate() {
        let fired = fired.clone();
        handles.push(evloop::spawn(async move {
            time::sleep_until(start + after).await;
            fired.borrow_mut().push((n, Instant::now()));
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    let fired = fired.borrow();
    assert_eq!(fired.len(), deadlines.len());
    for &(n, woke) in fired.iter() {
        assert_eq!(
            woke,
            start + deadlines[n],
            "timer {n} fired exactly at its deadline"
        );
    }
    // Tasks were first polled (and armed) in spawn order, so among equal
    // deadlines they fire in spawn order.
    let mut expected: Vec<usize> = (0..deadlines.len()).collect();
    expected.sort_by_key(|&n| (deadlines[n], n));
    let order: Vec<usize> = fired.iter().map(|&(n, _)| n).collect();
    assert_eq!(order, expected);
}

#[evloop::test(start_paused)]
async fn a_sleep_never_completes_before_its_deadline() {
    for nanos in [
        0,
        1,
        999,
        1_000,
        250_000,
        1_000_000,
        1_000_001,
        3_000_000_000,
    ] {
        let duration = Duration::from_nanos(nanos);
        let start = Instant::now();
        time::sleep(duration).await;
        assert_eq!(start.elapsed(), duration);
    }
}

#[evloop::test(start_paused)]
async fn reset_moves_an_armed_sleep_earlier_and_later() {
    let (waker, _) = counting_waker();
    let start = Instant::now();
    let mut sleep = time::sleep(Duration::from_secs(10));
    assert!(poll_once(&mut sleep, &waker).is_pending());

    sleep.reset(start + Duration::from_secs(1));
    assert_eq!(sleep.deadline(), start + Duration::from_secs(1));
    (&mut sleep).await;
    assert_eq!(Instant::now(), start + Duration::from_secs(1));

    // After it completed: reset later re-arms it on the next poll.
    sleep.reset(start + Duration::from_secs(5));
    assert!(!sleep.is_elapsed());
    assert!(poll_once(&mut sleep, &waker).is_pending());
    sleep.reset(start + Duration::from_secs(8));
    time::advance(Duration::from_secs(6)).await;
    assert!(!sleep.is_elapsed(), "moved later, so not due at 7 s");
    (&mut sleep).await;
    assert_eq!(Instant::now(), start + Duration::from_secs(8));
}

#[test]
fn a_dropped_sleep_never_wakes_its_task() {
    let runtime = paused();
    runtime.block_on(async {
        let (waker, wakes) = counting_waker();
        let mut sleeps: Vec<_> = (1..=100).map(|n| time::sleep(ms(n))).collect();
        for sleep in &mut sleeps {
            assert!(poll_once(sleep, &waker).is_pending());
        }
        // Every other one first (from the middle of the heap), then the rest.
        let mut n = 0;
        sleeps.retain(|_| {
            n += 1;
            n % 2 == 0
        });
        drop(sleeps);
        time::advance(ms(200)).await;
        assert_eq!(wakes.load(Ordering::SeqCst), 0);
    });
    assert!(format!("{runtime:?}").contains("timers: 0"), "{runtime:?}");
}

#[test]
fn an_aborted_task_s_timer_is_disarmed() {
    let runtime = paused();
    runtime.block_on(async {
        let woke = Rc::new(Cell::new(false));
        let sleeper = evloop::spawn({
            let woke = woke.clone();
            async move {
                time::sleep(Duration::from_secs(1)).await;
                woke.set(true);
            }
        });
        evloop::task::yield_now().await; // the sleeper arms its timer
        sleeper.abort();
        assert!(sleeper.await.unwrap_err().is_cancelled());
        time::sleep(Duration::from_secs(2)).await;
        assert!(!woke.get());
    });
    assert!(format!("{runtime:?}").contains("timers: 0"), "{runtime:?}");
}

#[evloop::test(start_paused)]
async fn timeout_around_a_ready_future_is_ok_at_once() {
    let start = Instant::now();
    for n in 0..1000 {
        assert_eq!(
            time::timeout(Duration::from_secs(1), async { n }).await,
            Ok(n)
        );
    }
    assert_eq!(Instant::now(), start);
}

#[evloop::test(start_paused)]
async fn timeout_around_a_future_that_never_completes_is_elapsed_at_the_deadline() {
    let start = Instant::now();
    let result = time::timeout(ms(1500), std::future::pending::<()>()).await;
    assert!(result.is_err());
    assert_eq!(start.elapsed(), ms(1500));

    let at = start + Duration::from_secs(4);
    assert!(
        time::timeout_at(at, std::future::pending::<()>())
            .await
            .is_err()
    );
    assert_eq!(Instant::now(), at);
}

#[evloop::test(start_paused)]
async fn timeout_gives_the_output_of_a_future_that_wins() {
    let start = Instant::now();
    let slow_work = async {
        time::sleep(ms(300)).await;
        "done"
    };
    assert_eq!(time::timeout(ms(500), slow_work).await, Ok("done"));
    assert_eq!(start.elapsed(), ms(300));
    // The timeout's own timer was disarmed when it completed.
    time::sleep(Duration::from_secs(1)).await;
}

/// Takes `n` ticks and returns their instants, relative to `start`, in ms.
async fn ticks(interval: &mut time::Interval, start: Instant, n: usize) -> Vec<u64> {
    let mut taken = Vec::new();
    for _ in 0..n {
        let due = interval.tick().await;
        taken.push((due - start).as_millis() as u64);
    }
    taken
}

#[evloop::test(start_paused)]
async fn interval_ticks_at_its_period_first_tick_at_once() {
    let start = Instant::now();
    let mut interval = time::interval(ms(100));
    assert_eq!(
        ticks(&mut interval, start, 5).await,
        [0, 100, 200, 300, 400]
    );
    assert_eq!(start.elapsed(), ms(400));

    let later = Instant::now() + ms(50);
    let mut interval = time::interval_at(later, ms(30));
    assert_eq!(ticks(&mut interval, start, 3).await, [450, 480, 510]);
}

/// The schedule from `MissedTickBehavior`'s docs: period 100 ms, the task busy from
/// 0 ms to 350 ms; returns when each tick was due and when it was taken.
async fn late_schedule(behavior: MissedTickBehavior) -> (Vec<u64>, Vec<u64>) {
    let start = Instant::now();
    let mut interval = time::interval(ms(100));
    interval.set_missed_tick_behavior(behavior);
    let (mut due, mut taken) = (Vec::new(), Vec::new());
    for n in 0..6 {
        let tick = interval.tick().await;
        due.push((tick - start).as_millis() as u64);
        taken.push(start.elapsed().as_millis() as u64);
        if n == 0 {
            time::advance(ms(350)).await;
        }
    }
    (due, taken)
}

#[evloop::test(start_paused)]
async fn missed_ticks_burst_by_default() {
    let (due, taken) = late_schedule(MissedTickBehavior::default()).await;
    assert_eq!(due, [0, 100, 200, 300, 400, 500]);
    assert_eq!(taken, [0, 350, 350, 350, 400, 500]);
}

#[evloop::test(start_paused)]
async fn missed_ticks_delay_the_schedule() {
    let (due, taken) = late_schedule(MissedTickBehavior::Delay).await;
    assert_eq!(due, [0, 100, 450, 550, 650, 750]);
    assert_eq!(taken, [0, 350, 450, 550, 650, 750]);
}

#[evloop::test(start_paused)]
async fn missed_ticks_are_skipped() {
    let (due, taken) = late_schedule(MissedTickBehavior::Skip).await;
    assert_eq!(due, [0, 100, 400, 500, 600, 700]);
    assert_eq!(taken, [0, 350, 400, 500, 600, 700]);
}

#[evloop::test(start_paused)]
async fn a_late_tick_that_is_not_missed_keeps_the_schedule() {
    for behavior in [
        MissedTickBehavior::Burst,
        MissedTickBehavior::Delay,
        MissedTickBehavior::Skip,
    ] {
        let start = Instant::now();
        let mut interval = time::interval(ms(100));
        interval.set_missed_tick_behavior(behavior);
        interval.tick().await;
        time::advance(ms(130)).await;
        assert_eq!(
            ticks(&mut interval, start, 3).await,
            [100, 200, 300],
            "{behavior:?}"
        );
    }
}

#[evloop::test(start_paused)]
async fn a_hundred_thousand_concurrent_sleeps_all_complete() {
    const SLEEPERS: usize = 100_000;
    let start = Instant::now();
    let done = Rc::new(Cell::new(0_usize));
    let mut random = XorShift::new(2);
    let mut handles = Vec::with_capacity(SLEEPERS);
    for _ in 0..SLEEPERS {
        let after = ms(random.between(1, 100) as u64);
        let done = done.clone();
        handles.push(evloop::spawn(async move {
            time::sleep(after).await;
            assert_eq!(start.elapsed(), after, "woke exactly at the deadline");
            done.set(done.get() + 1);
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(done.get(), SLEEPERS);
    assert_eq!(start.elapsed(), ms(100));
}

#[evloop::test(start_paused)]
async fn advance_fires_due_timers_before_it_returns() {
    let sleeper = evloop::spawn(time::sleep(Duration::from_secs(5)));
    evloop::task::yield_now().await;
    time::advance(Duration::from_secs(4)).await;
    assert!(!sleeper.is_finished());
    time::advance(Duration::from_secs(1)).await;
    assert!(sleeper.is_finished());
}

#[evloop::test(start_paused)]
async fn resume_lets_time_run_again_from_where_it_stood() {
    time::advance(Duration::from_secs(3600)).await;
    let paused_at = Instant::now();
    time::resume();
    let resumed_at = Instant::now();
    assert!(resumed_at >= paused_at);
    // Real time now: a short sleep is waited for, not jumped over.
    time::sleep(ms(2)).await;
    assert!(Instant::now() >= resumed_at + ms(2));
    time::pause();
    let frozen = Instant::now();
    evloop::task::yield_now().await;
    assert_eq!(Instant::now(), frozen);
}

#[test]
#[should_panic(expected = "time is not paused")]
fn advance_on_a_running_clock_panics() {
    evloop::block_on(time::advance(ms(1)));
}

#[test]
fn pause_on_a_real_clock_makes_sleeps_instant() {
    let real_start = std::time::Instant::now();
    evloop::block_on(async {
        time::pause();
        let start = Instant::now();
        time::sleep(Duration::from_secs(24 * 3600)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(24 * 3600));
    });
    assert!(real_start.elapsed() < Duration::from_secs(60));
}

#[evloop::test(start_paused)]
async fn a_sleep_in_the_root_future_and_in_tasks_share_one_clock() {
    let start = Instant::now();
    let task = evloop::spawn(async move {
        time::sleep(ms(70)).await;
        Instant::now()
    });
    time::sleep(ms(30)).await;
    assert_eq!(start.elapsed(), ms(30));
    assert_eq!(task.await.unwrap(), start + ms(70));
}

#[evloop::test(start_paused)]
async fn poll_fn_users_can_drive_a_sleep_by_hand() {
    let start = Instant::now();
    let mut sleep = time::sleep(ms(10));
    let polls = Cell::new(0);
    poll_fn(|cx| {
        polls.set(polls.get() + 1);
        Pin::new(&mut sleep).poll(cx)
    })
    .await;
    assert_eq!(polls.get(), 2, "one poll to arm, one after the timer fired");
    assert_eq!(start.elapsed(), ms(10));
}

/// The paused clock jumps only when nothing is runnable *and* no I/O is ready: a socket
/// that became readable wins over a pending timer, and the clock does not move.
#[evloop::test(start_paused)]
async fn ready_io_is_delivered_before_the_clock_jumps() -> std::io::Result<()> {
    use evloop::io::{AsyncReadExt, AsyncWriteExt};
    use evloop::net::{TcpListener, TcpStream};

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let reader_waits = Rc::new(Cell::new(false));
    let writer = evloop::spawn({
        let reader_waits = reader_waits.clone();
        async move {
            let mut client = TcpStream::connect(addr).await?;
            // Write only once the reader has armed its timeout (bounded wait).
            for _ in 0..100_000 {
                if reader_waits.get() {
                    break;
                }
                evloop::task::yield_now().await;
            }
            assert!(reader_waits.get(), "the reader never started waiting");
            client.write_all(b"ping").await?;
            std::io::Result::Ok(client)
        }
    });
    let (mut server, _) = listener.accept().await?;
    let start = Instant::now();
    let mut buf = [0; 4];
    let result = {
        let mut read = std::pin::pin!(time::timeout(
            Duration::from_secs(10),
            server.read_exact(&mut buf)
        ));
        poll_fn(|cx| {
            let poll = read.as_mut().poll(cx);
            if poll.is_pending() {
                reader_waits.set(true);
            }
            poll
        })
        .await
    };
    assert!(matches!(result, Ok(Ok(()))), "{result:?}");
    assert_eq!(&buf, b"ping");
    assert_eq!(
        Instant::now(),
        start,
        "the clock stood still: I/O was ready"
    );
    drop(writer.await.unwrap()?);
    Ok(())
}

/// While a blocking-pool job runs, its result may be what the tasks wait for: the
/// paused clock does not jump over it. The job is released only once the loop is seen
/// parked in epoll, so a loop that jumped instead would have timed out first.
#[test]
fn the_paused_clock_waits_for_blocking_jobs() {
    common::within(Duration::from_secs(30), || {
        let loop_tid = common::thread_id();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let releaser = std::thread::spawn(move || {
            common::wait_until(Duration::from_secs(10), "the loop parks", || {
                common::is_in_epoll_wait(loop_tid)
            });
            release.send(()).unwrap();
        });
        let (result, elapsed) = paused().block_on(async {
            let start = Instant::now();
            let job = evloop::task::spawn_blocking(move || released.recv().is_ok());
            let result = time::timeout(Duration::from_secs(1), job).await;
            (result, start.elapsed())
        });
        releaser.join().unwrap();
        assert!(matches!(result, Ok(Ok(true))), "{result:?}");
        assert_eq!(elapsed, Duration::ZERO);
    });
}
