//! `Mutex`, `RwLock` and `Semaphore`: FIFO hand-off, cancellation that passes on what
//! was handed over, and many tasks contending.

mod common;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use common::probe::{Probe, poll_then_drop};
use evloop::sync::{Mutex, RwLock, Semaphore, TryAcquireError};

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn a_mutex_guard_may_be_held_across_an_await() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let counter = Rc::new(Mutex::new(0u64));
            let tasks: Vec<_> = (0..1_000)
                .map(|_| {
                    let counter = counter.clone();
                    evloop::spawn(async move {
                        let mut guard = counter.lock().await;
                        let read = *guard;
                        // Every other task runs here; none gets in.
                        evloop::task::yield_now().await;
                        *guard = read + 1;
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            assert_eq!(*counter.lock().await, 1_000);
        })
    });
}

#[test]
fn the_lock_goes_to_waiters_in_the_order_they_asked() {
    let mutex = Mutex::new(Vec::new());
    let held = mutex.try_lock().unwrap();
    let mut waiting: Vec<_> = (0..5)
        .map(|id| {
            let mutex = &mutex;
            Probe::new(async move { mutex.lock().await.push(id) })
        })
        .collect();
    for probe in &mut waiting {
        probe.assert_pending();
    }
    assert!(mutex.try_lock().is_err(), "held, and others wait first");
    drop(held);
    for (id, probe) in waiting.iter_mut().enumerate() {
        assert_eq!(probe.wakes(), 1, "waiter {id} was handed the lock in turn");
        assert!(probe.poll());
    }
    assert_eq!(*mutex.try_lock().unwrap(), [0, 1, 2, 3, 4]);
}

#[test]
fn a_lock_cancelled_at_any_point_passes_the_lock_on() {
    for polls in 0..3 {
        let mutex = Mutex::new(0);
        let held = mutex.try_lock().unwrap();
        let mut behind = Probe::new(async { *mutex.lock().await += 1 });
        assert!(poll_then_drop(polls, mutex.lock()).is_none());
        behind.assert_pending();
        drop(held);
        assert!(behind.poll(), "after {polls} polls the next waiter got it");
        assert_eq!(*mutex.try_lock().unwrap(), 1);
    }
}

#[test]
fn a_lock_handed_over_and_then_dropped_passes_it_on() {
    let mutex = Mutex::new(());
    let held = mutex.try_lock().unwrap();
    let mut first = Probe::new(mutex.lock());
    let mut second = Probe::new(async { drop(mutex.lock().await) });
    first.assert_pending();
    second.assert_pending();
    drop(held);
    assert_eq!(first.wakes(), 1);
    drop(first);
    assert_eq!(second.wakes(), 1);
    assert!(second.poll());
    assert!(mutex.try_lock().is_ok());
}

#[test]
fn readers_share_and_a_writer_waits_for_them() {
    let lock = RwLock::new(1);
    let a = lock.try_read().unwrap();
    let b = Probe::new(lock.read()).expect_ready();
    let mut writer = Probe::new(async { *lock.write().await += 1 });
    writer.assert_pending();
    drop(a);
    assert_eq!(writer.wakes(), 0, "one reader is still in");
    drop(b);
    assert_eq!(writer.wakes(), 1);
    assert!(writer.poll());
    assert_eq!(*lock.try_read().unwrap(), 2);
}

#[test]
fn readers_that_come_after_a_waiting_writer_wait_behind_it() {
    let lock = RwLock::new(String::new());
    let reader = lock.try_read().unwrap();
    let mut writer = Probe::new(async { lock.write().await.push('w') });
    writer.assert_pending();
    assert!(lock.try_read().is_err(), "a writer waits: no new readers");
    let mut late_reader = Probe::new(async { lock.read().await.clone() });
    late_reader.assert_pending();
    drop(reader);
    assert!(writer.poll(), "the writer goes first");
    assert_eq!(late_reader.expect_ready(), "w");
}

#[test]
fn a_writer_downgrades_without_letting_another_writer_in() {
    let lock = RwLock::new(0);
    let mut write = lock.try_write().unwrap();
    *write = 5;
    let mut other_writer = Probe::new(lock.write());
    other_writer.assert_pending();
    let read = write.downgrade();
    assert_eq!(*read, 5);
    other_writer.assert_pending();
    drop(read);
    assert!(other_writer.poll());
}

#[test]
fn rw_futures_cancelled_at_any_point_pass_their_turn_on() {
    for polls in 0..3 {
        let lock = RwLock::new(0);
        // A writer that gives up while readers are in.
        let reader = lock.try_read().unwrap();
        assert!(poll_then_drop(polls, lock.write()).is_none());
        let mut writer = Probe::new(async { *lock.write().await += 1 });
        writer.assert_pending();
        drop(reader);
        assert!(writer.poll(), "after {polls} polls");
        // A reader that gives up while a writer is in.
        let write = lock.try_write().unwrap();
        assert!(poll_then_drop(polls, lock.read()).is_none());
        let mut reader = Probe::new(async { *lock.read().await });
        reader.assert_pending();
        drop(write);
        assert_eq!(reader.expect_ready(), 1, "after {polls} polls");
    }
}

#[test]
fn many_readers_and_writers_keep_the_value_consistent() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let lock = Rc::new(RwLock::new((0u64, 0u64)));
            let tasks: Vec<_> = (0..200)
                .map(|i| {
                    let lock = lock.clone();
                    evloop::spawn(async move {
                        if i % 4 == 0 {
                            let mut pair = lock.write().await;
                            pair.0 += 1;
                            evloop::task::yield_now().await;
                            pair.1 += 1;
                        } else {
                            let pair = lock.read().await;
                            evloop::task::yield_now().await;
                            assert_eq!(pair.0, pair.1, "no writer in while reading");
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            assert_eq!(*lock.read().await, (50, 50));
        })
    });
}

#[test]
fn a_big_request_at_the_front_holds_up_smaller_ones_behind_it() {
    let semaphore = Semaphore::new(1);
    let mut big = Probe::new(semaphore.acquire_many(3));
    let mut small = Probe::new(semaphore.acquire());
    big.assert_pending();
    small.assert_pending();
    assert_eq!(
        semaphore.try_acquire().err(),
        Some(TryAcquireError::NoPermits)
    );
    semaphore.add_permits(2);
    assert_eq!(big.wakes(), 1);
    assert_eq!(small.wakes(), 0, "FIFO: nothing left for it");
    let permit = big.expect_ready().unwrap();
    assert_eq!(permit.num_permits(), 3);
    drop(permit);
    assert_eq!(small.wakes(), 1);
    drop(small.expect_ready().unwrap());
    assert_eq!(semaphore.available_permits(), 3);
}

#[test]
fn an_acquire_cancelled_at_any_point_leaks_no_permit() {
    for polls in 0..3 {
        let semaphore = Semaphore::new(2);
        let held = semaphore.try_acquire_many(2).unwrap();
        let mut behind = Probe::new(semaphore.acquire_many(2));
        assert!(poll_then_drop(polls, semaphore.acquire_many(2)).is_none());
        behind.assert_pending();
        drop(held);
        let permit = behind.expect_ready().unwrap();
        drop(permit);
        assert_eq!(semaphore.available_permits(), 2, "after {polls} polls");
    }
}

#[test]
fn permits_handed_to_a_dropped_acquire_come_back() {
    let semaphore = Semaphore::new(0);
    let mut waiting = Probe::new(semaphore.acquire_many(2));
    waiting.assert_pending();
    semaphore.add_permits(2);
    assert_eq!(waiting.wakes(), 1);
    assert_eq!(semaphore.available_permits(), 0, "handed to the waiter");
    drop(waiting);
    assert_eq!(semaphore.available_permits(), 2);
}

#[test]
fn closing_fails_waiters_and_later_acquires() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().unwrap();
    let mut waiting = Probe::new(semaphore.acquire());
    waiting.assert_pending();
    semaphore.close();
    assert_eq!(waiting.wakes(), 1);
    assert!(waiting.expect_ready().is_err());
    assert!(Probe::new(semaphore.acquire()).expect_ready().is_err());
    assert_eq!(semaphore.try_acquire().err(), Some(TryAcquireError::Closed));
    assert!(semaphore.is_closed());
    drop(held);
    assert_eq!(
        semaphore.available_permits(),
        1,
        "permits out still come back"
    );
}

#[test]
fn forgotten_permits_stay_out() {
    let semaphore = Semaphore::new(3);
    semaphore.try_acquire().unwrap().forget();
    assert_eq!(semaphore.available_permits(), 2);
    assert_eq!(semaphore.forget_permits(5), 2);
    assert_eq!(semaphore.available_permits(), 0);
}

#[test]
#[should_panic(expected = "at most Semaphore::MAX_PERMITS")]
fn adding_past_the_maximum_panics() {
    Semaphore::new(Semaphore::MAX_PERMITS).add_permits(1);
}

#[test]
fn owned_permits_move_into_tasks_and_bound_the_concurrency() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let semaphore = Rc::new(Semaphore::new(10));
            let (inside, most_inside, done) = (
                Rc::new(Cell::new(0)),
                Rc::new(Cell::new(0)),
                Rc::new(Cell::new(0)),
            );
            let mut tasks = Vec::new();
            for _ in 0..1_000 {
                let permit = semaphore.clone().acquire_owned().await.unwrap();
                let (inside, most_inside, done) =
                    (inside.clone(), most_inside.clone(), done.clone());
                tasks.push(evloop::spawn(async move {
                    inside.set(inside.get() + 1);
                    most_inside.set(most_inside.get().max(inside.get()));
                    evloop::task::yield_now().await;
                    inside.set(inside.get() - 1);
                    done.set(done.get() + 1);
                    drop(permit);
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
            assert_eq!(done.get(), 1_000);
            assert_eq!(most_inside.get(), 10);
            assert_eq!(semaphore.available_permits(), 10);
        })
    });
}

#[test]
fn try_acquire_owned_keeps_the_semaphore_alive() {
    let semaphore = Rc::new(Semaphore::new(1));
    let permit = semaphore.clone().try_acquire_owned().unwrap();
    assert!(Rc::ptr_eq(permit.semaphore(), &semaphore));
    drop(semaphore);
    assert_eq!(permit.semaphore().available_permits(), 0);
    let semaphore = permit.semaphore().clone();
    drop(permit);
    assert_eq!(semaphore.available_permits(), 1);
}

#[test]
fn a_task_that_always_finds_the_lock_free_lets_other_tasks_run() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let mutex = Mutex::new(0u32);
            let semaphore = Semaphore::new(1);
            let other_ran = Rc::new(Cell::new(false));
            let other = {
                let other_ran = other_ran.clone();
                evloop::spawn(async move { other_ran.set(true) })
            };
            let mut locks_before_other = None;
            for n in 0..10_000 {
                *mutex.lock().await += 1;
                drop(semaphore.acquire().await.unwrap());
                if other_ran.get() && locks_before_other.is_none() {
                    locks_before_other = Some(n);
                }
            }
            other.await.unwrap();
            let n = locks_before_other.expect("the other task ran");
            assert!(n < 10_000, "it ran while the locks were being taken ({n})");
            assert_eq!(mutex.into_inner(), 10_000);
        })
    });
}
