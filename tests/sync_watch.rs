//! `sync::watch`: the latest value, and a wake-up when it changes. The futures are
//! stepped by hand with a [`Probe`] (the channel needs no runtime); real tasks and the
//! budget run on a runtime, bounded by [`within`].

use std::cell::RefCell;
use std::future::poll_fn;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use evloop::Runtime;
use evloop::sync::watch;
use futures_core::Stream;

mod common;

use common::probe::{Probe, poll_then_drop};
use common::within;

/// The next item of a watch receiver's `Stream`.
async fn next<T: Clone>(rx: &mut watch::Receiver<T>) -> Option<T> {
    poll_fn(|cx| Pin::new(&mut *rx).poll_next(cx)).await
}

#[test]
fn the_initial_value_is_there_and_counts_as_seen() {
    let (_tx, mut rx) = watch::channel("initial");
    assert_eq!(*rx.borrow(), "initial");
    assert!(!rx.borrow().has_changed());
    assert_eq!(rx.has_changed(), Ok(false));
    Probe::new(rx.changed()).assert_pending();
}

#[test]
fn changed_completes_after_a_send_and_marks_it_seen() {
    let (tx, mut rx) = watch::channel(0);
    let mut changed = Probe::new(rx.changed());
    changed.assert_pending();
    tx.send(1).unwrap();
    assert_eq!(changed.wakes(), 1);
    assert_eq!(changed.expect_ready(), Ok(()));
    assert_eq!(*rx.borrow(), 1);
    assert_eq!(rx.has_changed(), Ok(false));
    Probe::new(rx.changed()).assert_pending();
}

#[test]
fn several_sends_between_looks_are_one_change_to_the_latest_value() {
    let (tx, mut rx) = watch::channel(0);
    for n in 1..=3 {
        tx.send(n).unwrap();
    }
    assert_eq!(Probe::new(rx.changed()).expect_ready(), Ok(()));
    assert_eq!(*rx.borrow(), 3);
    Probe::new(rx.changed()).assert_pending();
}

#[test]
fn borrow_leaves_the_value_unseen_and_borrow_and_update_marks_it_seen() {
    let (tx, mut rx) = watch::channel(String::from("a"));
    tx.send(String::from("b")).unwrap();
    {
        let value = rx.borrow();
        assert_eq!(*value, "b");
        assert!(value.has_changed());
    }
    assert_eq!(rx.has_changed(), Ok(true), "borrow does not mark it seen");
    {
        let value = rx.borrow_and_update();
        assert_eq!(*value, "b");
        assert!(value.has_changed(), "unseen when borrowed");
    }
    assert_eq!(rx.has_changed(), Ok(false));
    assert!(!rx.borrow().has_changed());
    assert!(!rx.borrow_and_update().has_changed());
    Probe::new(rx.changed()).assert_pending();
}

#[test]
fn mark_changed_and_mark_unchanged() {
    let (tx, mut rx) = watch::channel(1);
    rx.mark_changed();
    assert_eq!(rx.has_changed(), Ok(true));
    assert_eq!(Probe::new(rx.changed()).expect_ready(), Ok(()));
    assert_eq!(rx.has_changed(), Ok(false));

    tx.send(2).unwrap();
    rx.mark_unchanged();
    assert_eq!(rx.has_changed(), Ok(false));
    Probe::new(rx.changed()).assert_pending();
    assert_eq!(*rx.borrow(), 2, "the value is the new one all the same");
}

#[test]
fn send_without_receivers_fails_and_leaves_the_value() {
    let (tx, rx) = watch::channel(10);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.receiver_count(), 0);
    let error = tx.send(11).unwrap_err();
    assert_eq!(error.0, 11, "the value comes back");
    assert_eq!(*tx.borrow(), 10, "and the channel's is unchanged");

    // send_replace and send_modify change it all the same.
    assert_eq!(tx.send_replace(12), 10);
    assert_eq!(*tx.borrow(), 12);
    tx.send_modify(|value| *value += 1);
    assert_eq!(*tx.borrow(), 13);

    // A receiver subscribed now starts with that value, seen.
    let mut late = tx.subscribe();
    assert_eq!(*late.borrow(), 13);
    assert_eq!(late.has_changed(), Ok(false));
    tx.send(14).unwrap();
    assert_eq!(Probe::new(late.changed()).expect_ready(), Ok(()));
    assert_eq!(*late.borrow(), 14);
}

#[test]
fn send_if_modified_false_wakes_nobody() {
    let (tx, mut rx) = watch::channel(vec![1]);
    let mut changed = Probe::new(rx.changed());
    changed.assert_pending();
    assert!(!tx.send_if_modified(|_| false));
    assert_eq!(changed.wakes(), 0);
    changed.assert_pending();
    assert!(tx.send_if_modified(|value| {
        value.push(2);
        true
    }));
    assert_eq!(changed.wakes(), 1);
    assert_eq!(changed.expect_ready(), Ok(()));
    assert_eq!(*rx.borrow(), [1, 2]);
}

#[test]
fn send_if_modified_false_still_keeps_what_the_closure_wrote() {
    // As in tokio: returning false only says "do not notify".
    let (tx, rx) = watch::channel(0);
    assert!(!tx.send_if_modified(|value| {
        *value = 5;
        false
    }));
    assert_eq!(*rx.borrow(), 5);
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn subscribe_counts_the_current_value_as_seen_and_clone_copies_what_was_seen() {
    let (tx, rx) = watch::channel('a');
    tx.send('b').unwrap();
    let subscribed = tx.subscribe();
    assert_eq!(subscribed.has_changed(), Ok(false));
    let cloned = rx.clone();
    assert_eq!(rx.has_changed(), Ok(true));
    assert_eq!(
        cloned.has_changed(),
        Ok(true),
        "a clone has seen what rx saw"
    );
    assert_eq!(tx.receiver_count(), 3);
    assert!(rx.same_channel(&subscribed));
}

#[test]
fn one_send_wakes_every_waiting_receiver_once() {
    let (tx, rx) = watch::channel(0u32);
    let mut receivers: Vec<_> = (0..10).map(|_| rx.clone()).collect();
    let mut waiting: Vec<_> = receivers
        .iter_mut()
        .map(|rx| Probe::new(rx.changed()))
        .collect();
    for probe in &mut waiting {
        probe.assert_pending();
    }
    tx.send(1).unwrap();
    for probe in waiting {
        assert_eq!(probe.wakes(), 1);
        assert_eq!(probe.expect_ready(), Ok(()));
    }
    for rx in &receivers {
        assert_eq!(*rx.borrow(), 1);
    }
}

#[test]
fn after_the_sender_goes_an_unseen_change_is_reported_first() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    drop(tx);
    assert!(
        rx.has_changed().is_err(),
        "has_changed says closed, as tokio"
    );
    assert_eq!(Probe::new(rx.changed()).expect_ready(), Ok(()));
    assert_eq!(*rx.borrow(), 1);
    assert!(Probe::new(rx.changed()).expect_ready().is_err());
}

#[test]
fn the_last_sender_dropped_wakes_the_waiting_receivers_with_an_error() {
    let (tx, mut rx) = watch::channel(0);
    let second = tx.clone();
    assert_eq!(tx.sender_count(), 2);
    let mut changed = Probe::new(rx.changed());
    changed.assert_pending();
    drop(tx);
    assert_eq!(changed.wakes(), 0, "one sender is left");
    changed.assert_pending();
    drop(second);
    assert_eq!(changed.wakes(), 1);
    assert!(changed.expect_ready().is_err());
}

#[test]
fn closed_completes_when_the_last_receiver_goes() {
    let (tx, rx) = watch::channel(());
    let other = tx.subscribe();
    let mut closed = Probe::new(tx.closed());
    closed.assert_pending();
    drop(rx);
    assert_eq!(closed.wakes(), 0, "one receiver is left");
    closed.assert_pending();
    drop(other);
    assert_eq!(closed.wakes(), 1);
    closed.expect_ready();
    Probe::new(tx.closed()).expect_ready();
}

#[test]
fn closed_dropped_after_0_1_2_polls_leaves_the_others_waiting() {
    for polls in 0..3 {
        let (tx, rx) = watch::channel(());
        assert!(poll_then_drop(polls, tx.closed()).is_none());
        let mut closed = Probe::new(tx.closed());
        closed.assert_pending();
        drop(rx);
        assert_eq!(closed.wakes(), 1, "after {polls} polls of the dropped one");
        closed.expect_ready();
    }
}

#[test]
fn wait_for_checks_the_current_value_then_each_change() {
    let (tx, mut rx) = watch::channel(3);
    assert_eq!(
        *Probe::new(rx.wait_for(|v| *v == 3)).expect_ready().unwrap(),
        3
    );

    let mut waiting = Probe::new(rx.wait_for(|v| *v >= 10));
    waiting.assert_pending();
    tx.send(5).unwrap();
    assert_eq!(waiting.wakes(), 1);
    waiting.assert_pending();
    tx.send(12).unwrap();
    assert_eq!(*waiting.expect_ready().unwrap(), 12);
    assert_eq!(rx.has_changed(), Ok(false), "what it looked at is seen");
}

#[test]
fn wait_for_fails_once_the_sender_is_gone_unless_the_last_value_satisfies_it() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(7).unwrap();
    drop(tx);
    assert_eq!(
        *Probe::new(rx.wait_for(|v| *v == 7)).expect_ready().unwrap(),
        7
    );
    assert!(Probe::new(rx.wait_for(|v| *v == 8)).expect_ready().is_err());

    let (tx, mut rx) = watch::channel(0);
    let mut waiting = Probe::new(rx.wait_for(|v| *v == 1));
    waiting.assert_pending();
    drop(tx);
    assert!(waiting.expect_ready().is_err());
}

#[test]
fn changed_dropped_after_0_1_2_polls_misses_no_change() {
    for polls in 0..3 {
        let (tx, mut rx) = watch::channel(0);
        assert!(poll_then_drop(polls, rx.changed()).is_none());
        tx.send(polls).unwrap();
        assert_eq!(Probe::new(rx.changed()).expect_ready(), Ok(()));
        assert_eq!(*rx.borrow(), polls);
    }
    // Dropped after the send woke it, before it saw the change.
    for polls in 1..3 {
        let (tx, mut rx) = watch::channel(0);
        let mut changed = Probe::new(rx.changed());
        for _ in 0..polls {
            changed.assert_pending();
        }
        tx.send(1).unwrap();
        assert_eq!(changed.wakes(), 1);
        drop(changed);
        assert_eq!(Probe::new(rx.changed()).expect_ready(), Ok(()));
        // Its place in the list is gone: the next wait is woken like any other.
        let mut changed = Probe::new(rx.changed());
        changed.assert_pending();
        tx.send(2).unwrap();
        assert_eq!(changed.wakes(), 1);
        assert_eq!(changed.expect_ready(), Ok(()));
    }
}

#[test]
#[should_panic(expected = "a watch value was sent while a watch::Ref to it was still alive")]
fn sending_while_a_ref_is_alive_panics_with_a_message() {
    let (tx, rx) = watch::channel(0);
    let held = rx.borrow();
    let _ = tx.send(1);
    drop(held);
}

#[test]
fn the_stream_yields_unseen_values_and_ends_when_the_senders_are_gone() {
    let (tx, mut rx) = watch::channel(0);
    {
        let mut item = Probe::new(next(&mut rx));
        item.assert_pending();
        tx.send(1).unwrap();
        assert_eq!(item.wakes(), 1);
        assert_eq!(item.expect_ready(), Some(1));
    }
    tx.send(2).unwrap();
    tx.send(3).unwrap();
    assert_eq!(Probe::new(next(&mut rx)).expect_ready(), Some(3));
    Probe::new(next(&mut rx)).assert_pending();

    let second = tx.clone();
    drop(tx);
    Probe::new(next(&mut rx)).assert_pending();
    second.send(4).unwrap();
    drop(second);
    assert_eq!(Probe::new(next(&mut rx)).expect_ready(), Some(4));
    assert_eq!(Probe::new(next(&mut rx)).expect_ready(), None);
}

#[test]
fn a_ready_change_spends_budget_so_other_tasks_run() {
    let runtime = Runtime::builder().io_budget(4).build().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    runtime.block_on(async {
        let (tx, mut rx) = watch::channel(0);
        let watcher_log = log.clone();
        let watcher = evloop::spawn(async move {
            for i in 1..=8 {
                tx.send(i).unwrap();
                rx.changed().await.unwrap();
                watcher_log.borrow_mut().push(*rx.borrow());
            }
        });
        let other_log = log.clone();
        let other = evloop::spawn(async move { other_log.borrow_mut().push(100) });
        watcher.await.unwrap();
        other.await.unwrap();
    });
    // Four units per poll: the other task runs after the fourth change.
    assert_eq!(*log.borrow(), [1, 2, 3, 4, 100, 5, 6, 7, 8]);
}

#[test]
fn tasks_watching_a_state_see_the_latest_and_learn_when_it_is_over() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let (tx, rx) = watch::channel(0u32);
            let watchers: Vec<_> = (0..10)
                .map(|_| {
                    let mut rx = rx.clone();
                    evloop::spawn(async move {
                        let mut seen = Vec::new();
                        while rx.changed().await.is_ok() {
                            seen.push(*rx.borrow_and_update());
                        }
                        seen
                    })
                })
                .collect();
            drop(rx);
            for value in 1..=5 {
                // Let every watcher see this value before the next replaces it.
                evloop::task::yield_now().await;
                tx.send(value).unwrap();
            }
            drop(tx);
            for watcher in watchers {
                assert_eq!(watcher.await.unwrap(), [1, 2, 3, 4, 5]);
            }
        });
    });
}

#[test]
fn a_task_waits_in_closed_until_every_receiver_task_is_done() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let (tx, rx) = watch::channel(0);
            let readers: Vec<_> = (0..3)
                .map(|_| {
                    let mut rx = rx.clone();
                    evloop::spawn(async move { *rx.wait_for(|v| *v == 1).await.unwrap() })
                })
                .collect();
            drop(rx);
            let tx = Rc::new(tx);
            let closer = {
                let tx = tx.clone();
                evloop::spawn(async move { tx.closed().await })
            };
            evloop::task::yield_now().await;
            assert!(!closer.is_finished());
            tx.send(1).unwrap();
            for reader in readers {
                assert_eq!(reader.await.unwrap(), 1);
            }
            closer.await.unwrap();
            assert!(tx.is_closed());
        });
    });
}

#[test]
fn errors_and_debug_describe_themselves() {
    let (tx, rx) = watch::channel(1);
    drop(rx);
    let error = tx.send(2).unwrap_err();
    assert_eq!(error.to_string(), "channel closed");
    assert!(format!("{error:?}").contains("SendError"));
    let (tx, rx) = watch::channel(1);
    drop(tx);
    assert_eq!(rx.has_changed().unwrap_err().to_string(), "channel closed");
    assert!(format!("{rx:?}").contains("Receiver"));
    assert_eq!(format!("{:?}", rx.borrow()), "1");
}
