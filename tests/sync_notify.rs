//! `sync::Notify`: tokio's permit semantics on one thread. The futures are stepped by
//! hand with a [`Probe`] (a `Notify` needs no runtime), so the order in which waiters
//! are chosen is checked exactly; real tasks and the budget run on a runtime, bounded
//! by [`within`].

use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use evloop::Runtime;
use evloop::sync::Notify;

mod common;

use common::probe::{Probe, poll_then_drop};
use common::{within, yield_until};

/// A probe of `notify.notified()`, polled once and still pending.
#[track_caller]
fn waiting(notify: &Notify) -> Probe<'_, ()> {
    let mut probe = Probe::new(notify.notified());
    probe.assert_pending();
    probe
}

#[test]
fn notify_one_with_nobody_waiting_stores_one_permit() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_one();
    Probe::new(notify.notified()).expect_ready();
    Probe::new(notify.notified()).assert_pending();
}

#[test]
fn notify_one_wakes_the_waiters_in_fifo_order() {
    let notify = Notify::new();
    let mut first = waiting(&notify);
    let mut second = waiting(&notify);
    let mut third = waiting(&notify);
    // Polled again, a waiter keeps its place.
    second.assert_pending();
    first.assert_pending();

    notify.notify_one();
    assert_eq!((first.wakes(), second.wakes(), third.wakes()), (1, 0, 0));
    second.assert_pending();
    third.assert_pending();
    first.expect_ready();

    notify.notify_one();
    assert_eq!((second.wakes(), third.wakes()), (1, 0));
    third.assert_pending();
    second.expect_ready();

    notify.notify_one();
    assert_eq!(third.wakes(), 1);
    third.expect_ready();

    // Nobody waits now: the next one is a permit.
    notify.notify_one();
    Probe::new(notify.notified()).expect_ready();
}

#[test]
fn a_queued_waiter_takes_the_notification_and_leaves_no_permit() {
    let notify = Notify::new();
    let early = waiting(&notify);
    notify.notify_one();
    assert_eq!(early.wakes(), 1);
    Probe::new(notify.notified()).assert_pending();
    early.expect_ready();
}

#[test]
fn notify_waiters_wakes_the_registered_and_the_created_but_stores_no_permit() {
    let notify = Notify::new();
    let mut polled_a = waiting(&notify);
    let mut polled_b = waiting(&notify);
    let created = Probe::new(notify.notified());
    notify.notify_waiters();
    assert_eq!((polled_a.wakes(), polled_b.wakes()), (1, 1));
    assert!(polled_a.poll());
    assert!(polled_b.poll());
    created.expect_ready();
    // Created after the call: waits, and finds no permit.
    Probe::new(notify.notified()).assert_pending();
}

#[test]
fn a_future_woken_by_notify_waiters_leaves_the_stored_permit_to_the_next() {
    // As in current tokio: the broadcast is checked first, so the permit stays.
    let notify = Notify::new();
    let created = Probe::new(notify.notified());
    notify.notify_one();
    notify.notify_waiters();
    created.expect_ready();
    Probe::new(notify.notified()).expect_ready();
    Probe::new(notify.notified()).assert_pending();
}

#[test]
fn notify_waiters_with_nobody_waiting_does_nothing_for_later_futures() {
    let notify = Notify::new();
    notify.notify_waiters();
    Probe::new(notify.notified()).assert_pending();
}

#[test]
fn a_waiter_chosen_by_notify_one_and_dropped_unseen_passes_it_on() {
    let notify = Notify::new();
    let chosen = waiting(&notify);
    let next = waiting(&notify);
    notify.notify_one();
    assert_eq!((chosen.wakes(), next.wakes()), (1, 0));
    drop(chosen);
    assert_eq!(next.wakes(), 1, "the wake-up went to the next waiter");
    next.expect_ready();
    Probe::new(notify.notified()).assert_pending();
}

#[test]
fn a_lone_waiter_chosen_and_dropped_unseen_leaves_the_permit() {
    let notify = Notify::new();
    let chosen = waiting(&notify);
    notify.notify_one();
    drop(chosen);
    Probe::new(notify.notified()).expect_ready();
    Probe::new(notify.notified()).assert_pending();
}

#[test]
fn a_waiter_woken_by_notify_waiters_and_dropped_passes_nothing_on() {
    let notify = Notify::new();
    let woken = waiting(&notify);
    notify.notify_waiters();
    drop(woken);
    let mut later = waiting(&notify);
    later.assert_pending();
    assert_eq!(later.wakes(), 0);
}

#[test]
fn a_waiter_that_was_not_chosen_leaves_without_taking_anything() {
    let notify = Notify::new();
    let first = waiting(&notify);
    let second = waiting(&notify);
    drop(second);
    notify.notify_one();
    assert_eq!(first.wakes(), 1);
    first.expect_ready();
    Probe::new(notify.notified()).assert_pending();
}

#[test]
fn notified_dropped_after_0_1_2_polls_loses_no_notification() {
    for polls in 0..3 {
        let notify = Notify::new();
        assert!(poll_then_drop(polls, notify.notified()).is_none());
        notify.notify_one();
        Probe::new(notify.notified()).expect_ready();
    }
    for polls in 0..3 {
        // With another waiter behind it: the dropped one leaves the queue, so the
        // notification goes to the one still waiting.
        let notify = Notify::new();
        let dropped = notify.notified();
        let mut behind = Probe::new(notify.notified());
        if polls == 0 {
            behind.assert_pending();
            drop(dropped);
        } else {
            let mut dropped = Probe::new(dropped);
            for _ in 0..polls {
                dropped.assert_pending();
            }
            behind.assert_pending();
            drop(dropped);
        }
        notify.notify_one();
        assert_eq!(behind.wakes(), 1, "after {polls} polls of the dropped one");
        behind.expect_ready();
    }
}

#[test]
fn enable_joins_the_queue_before_the_first_poll() {
    let notify = Notify::new();
    let mut enabled = pin!(notify.notified());
    assert!(!enabled.as_mut().enable());
    assert!(!enabled.as_mut().enable(), "enabling twice changes nothing");
    let mut polled_later = waiting(&notify);
    notify.notify_one();
    assert!(enabled.as_mut().enable(), "chosen: it is notified");
    polled_later.assert_pending();
    assert_eq!(polled_later.wakes(), 0);
    Probe::new(enabled).expect_ready();
    drop(polled_later);
}

#[test]
fn enable_takes_a_stored_permit() {
    let notify = Notify::new();
    notify.notify_one();
    let mut enabled = pin!(notify.notified());
    assert!(enabled.as_mut().enable());
    Probe::new(notify.notified()).assert_pending();
    Probe::new(enabled).expect_ready();
}

#[test]
fn an_enabled_future_dropped_after_being_chosen_passes_it_on() {
    let notify = Notify::new();
    let mut behind = Probe::new(notify.notified());
    {
        let mut enabled = pin!(notify.notified());
        assert!(!enabled.as_mut().enable());
        behind.assert_pending();
        notify.notify_one();
        assert!(enabled.as_mut().enable());
    }
    assert_eq!(behind.wakes(), 1);
    behind.expect_ready();
}

#[test]
fn an_enabled_future_is_woken_by_notify_waiters() {
    let notify = Notify::new();
    let mut enabled = pin!(notify.notified());
    assert!(!enabled.as_mut().enable());
    notify.notify_waiters();
    assert!(enabled.as_mut().enable());
    Probe::new(enabled).expect_ready();
}

#[test]
fn a_ready_notification_spends_budget_so_other_tasks_run() {
    let runtime = Runtime::builder().io_budget(4).build().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    runtime.block_on(async {
        let notify = Rc::new(Notify::new());
        let waiter_log = log.clone();
        let waiter = evloop::spawn(async move {
            for i in 0..8 {
                notify.notify_one();
                notify.notified().await;
                waiter_log.borrow_mut().push(i);
            }
        });
        let other_log = log.clone();
        let other = evloop::spawn(async move { other_log.borrow_mut().push(100) });
        waiter.await.unwrap();
        other.await.unwrap();
    });
    assert_eq!(*log.borrow(), [0, 1, 2, 3, 100, 4, 5, 6, 7]);
}

#[test]
fn a_chosen_waiter_out_of_budget_keeps_its_notification_for_the_next_poll() {
    let runtime = Runtime::builder().io_budget(1).build().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    runtime.block_on(async {
        let notify = Rc::new(Notify::new());
        let waiter_log = log.clone();
        let waiter_notify = notify.clone();
        let waiter = evloop::spawn(async move {
            let mut woken = pin!(waiter_notify.notified());
            woken.as_mut().enable();
            waiter_notify.notify_one();
            evloop::task::consume_budget().await;
            waiter_log.borrow_mut().push("chosen, budget spent");
            woken.await;
            waiter_log.borrow_mut().push("woken");
        });
        let other_log = log.clone();
        let other = evloop::spawn(async move { other_log.borrow_mut().push("other") });
        waiter.await.unwrap();
        other.await.unwrap();
        let mut later = pin!(notify.notified());
        assert!(!later.as_mut().enable(), "the notification was used once");
    });
    assert_eq!(*log.borrow(), ["chosen, budget spent", "other", "woken"]);
}

#[test]
fn a_shutdown_signal_fans_out_to_a_hundred_tasks() {
    const TASKS: usize = 100;
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let shutdown = Rc::new(Notify::new());
            let waiting = Rc::new(Cell::new(0));
            let workers: Vec<_> = (0..TASKS)
                .map(|id| {
                    let (shutdown, waiting) = (shutdown.clone(), waiting.clone());
                    evloop::spawn(async move {
                        let signal = shutdown.notified();
                        waiting.set(waiting.get() + 1);
                        signal.await;
                        id
                    })
                })
                .collect();
            yield_until(100, "every worker waits", || waiting.get() == TASKS).await;
            shutdown.notify_waiters();
            for (id, worker) in workers.into_iter().enumerate() {
                assert_eq!(worker.await.unwrap(), id);
            }
            // The signal left no permit behind.
            let mut later = pin!(shutdown.notified());
            assert!(!later.as_mut().enable());
        });
    });
}

#[test]
fn notify_one_hands_work_to_tasks_one_at_a_time_in_order() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let notify = Rc::new(Notify::new());
            let order = Rc::new(RefCell::new(Vec::new()));
            let waiting = Rc::new(Cell::new(0));
            let workers: Vec<_> = (0..5)
                .map(|id| {
                    let (notify, order, waiting) = (notify.clone(), order.clone(), waiting.clone());
                    evloop::spawn(async move {
                        let mut woken = pin!(notify.notified());
                        woken.as_mut().enable();
                        waiting.set(waiting.get() + 1);
                        woken.await;
                        order.borrow_mut().push(id);
                    })
                })
                .collect();
            yield_until(100, "every worker waits", || waiting.get() == 5).await;
            for woken in 1..=5 {
                notify.notify_one();
                yield_until(100, "the chosen worker ran", || {
                    order.borrow().len() == woken
                })
                .await;
            }
            for worker in workers {
                worker.await.unwrap();
            }
            assert_eq!(*order.borrow(), [0, 1, 2, 3, 4]);
        });
    });
}

#[test]
fn a_notify_can_be_a_thread_local_static() {
    thread_local! {
        static WAKE_UP: Notify = const { Notify::new() };
    }
    WAKE_UP.with(|notify| {
        notify.notify_one();
        Probe::new(notify.notified()).expect_ready();
        assert!(format!("{notify:?}").contains("Notify"));
    });
}
