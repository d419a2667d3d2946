//! `sync::broadcast`: every receiver gets every value, from a bounded ring, or learns
//! how many it missed. The futures are stepped by hand with a [`Probe`] (the channel
//! needs no runtime); real tasks and the budget run on a runtime, bounded by
//! [`within`].

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use evloop::Runtime;
use evloop::sync::broadcast::{
    self,
    error::{RecvError, TryRecvError},
};
use futures_core::Stream;

mod common;

use common::probe::{Probe, poll_then_drop};
use common::within;

/// Everything `rx` can take now, by `try_recv`, up to the first error (returned too).
fn drain<T: Clone>(rx: &mut broadcast::Receiver<T>) -> (Vec<T>, TryRecvError) {
    let mut values = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(value) => values.push(value),
            Err(error) => return (values, error),
        }
    }
}

/// The next item of a broadcast receiver's `Stream`.
async fn next<T: Clone>(rx: &mut broadcast::Receiver<T>) -> Option<Result<T, RecvError>> {
    poll_fn(|cx| Pin::new(&mut *rx).poll_next(cx)).await
}

#[test]
fn every_receiver_gets_every_value_in_order() {
    let (tx, mut first) = broadcast::channel(8);
    let mut second = tx.subscribe();
    let mut third = first.resubscribe();
    for n in 0..5 {
        assert_eq!(tx.send(n).unwrap(), 3, "sent to three receivers");
    }
    for rx in [&mut first, &mut second, &mut third] {
        assert_eq!(drain(rx), (vec![0, 1, 2, 3, 4], TryRecvError::Empty));
    }
}

#[test]
fn recv_takes_the_values_in_order_too() {
    let (tx, mut rx) = broadcast::channel(4);
    tx.send("a").unwrap();
    tx.send("b").unwrap();
    assert_eq!(Probe::new(rx.recv()).expect_ready(), Ok("a"));
    assert_eq!(Probe::new(rx.recv()).expect_ready(), Ok("b"));
    Probe::new(rx.recv()).assert_pending();
}

#[test]
#[should_panic(expected = "broadcast channel capacity cannot be zero")]
fn capacity_zero_panics() {
    let _ = broadcast::channel::<u8>(0);
}

#[test]
fn send_without_receivers_fails_with_the_value() {
    let (tx, rx) = broadcast::channel(2);
    drop(rx);
    assert_eq!(tx.receiver_count(), 0);
    let error = tx.send(String::from("nobody")).unwrap_err();
    assert_eq!(error.0, "nobody");
    assert_eq!(tx.len(), 0, "nothing was queued");
    // A receiver subscribed afterwards starts from an empty ring.
    let mut late = tx.subscribe();
    assert_eq!(late.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn a_slow_receiver_gets_lagged_with_the_exact_count_then_the_oldest_held() {
    let (tx, mut fast) = broadcast::channel(4);
    let mut slow = tx.subscribe();
    for n in 0..10 {
        tx.send(n).unwrap();
        assert_eq!(fast.try_recv(), Ok(n));
    }
    assert_eq!(slow.len(), 10, "len counts the missed values too");
    assert_eq!(
        Probe::new(slow.recv()).expect_ready(),
        Err(RecvError::Lagged(6))
    );
    assert_eq!(slow.len(), 4);
    for n in 6..10 {
        assert_eq!(Probe::new(slow.recv()).expect_ready(), Ok(n));
    }
    Probe::new(slow.recv()).assert_pending();

    // Falling behind again counts from where it stands now.
    for n in 10..17 {
        tx.send(n).unwrap();
    }
    assert_eq!(slow.try_recv(), Err(TryRecvError::Lagged(3)));
    assert_eq!(
        drain(&mut slow),
        (vec![13, 14, 15, 16], TryRecvError::Empty)
    );
}

#[test]
fn the_capacity_is_exactly_what_was_asked() {
    // tokio rounds it up to a power of two; here 3 means 3.
    let (tx, mut rx) = broadcast::channel(3);
    for n in 0..4 {
        tx.send(n).unwrap();
    }
    assert_eq!(tx.len(), 3);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
    assert_eq!(drain(&mut rx), (vec![1, 2, 3], TryRecvError::Empty));
}

#[test]
fn closed_comes_after_every_sender_is_gone_and_everything_is_read() {
    let (tx, mut rx) = broadcast::channel(4);
    let second = tx.clone();
    tx.send(1).unwrap();
    second.send(2).unwrap();
    drop(tx);
    assert!(!rx.is_closed(), "one sender is left");
    drop(second);
    assert!(rx.is_closed());
    assert_eq!(Probe::new(rx.recv()).expect_ready(), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(Probe::new(rx.recv()).expect_ready(), Err(RecvError::Closed));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(Probe::new(rx.recv()).expect_ready(), Err(RecvError::Closed));
}

#[test]
fn a_lagging_receiver_of_a_closed_channel_still_gets_lagged_then_the_rest() {
    let (tx, mut rx) = broadcast::channel(2);
    for n in 0..5 {
        tx.send(n).unwrap();
    }
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(3)));
    assert_eq!(drain(&mut rx), (vec![3, 4], TryRecvError::Closed));
}

#[test]
fn the_last_sender_dropped_wakes_the_waiting_receivers_with_closed() {
    let (tx, mut rx) = broadcast::channel::<u8>(1);
    let second = tx.clone();
    let mut receiving = Probe::new(rx.recv());
    receiving.assert_pending();
    drop(tx);
    assert_eq!(receiving.wakes(), 0, "one sender is left");
    receiving.assert_pending();
    drop(second);
    assert_eq!(receiving.wakes(), 1);
    assert_eq!(receiving.expect_ready(), Err(RecvError::Closed));
}

#[test]
fn resubscribe_and_subscribe_start_at_the_end() {
    let (tx, mut rx) = broadcast::channel(4);
    tx.send(1).unwrap();
    let mut resubscribed = rx.resubscribe();
    let mut subscribed = tx.subscribe();
    assert!(resubscribed.is_empty());
    assert!(resubscribed.same_channel(&rx));
    tx.send(2).unwrap();
    assert_eq!(drain(&mut rx), (vec![1, 2], TryRecvError::Empty));
    assert_eq!(drain(&mut resubscribed), (vec![2], TryRecvError::Empty));
    assert_eq!(drain(&mut subscribed), (vec![2], TryRecvError::Empty));
}

#[test]
fn a_value_is_freed_once_every_receiver_has_read_it() {
    let value = Rc::new("shared");
    let (tx, mut first) = broadcast::channel(4);
    let mut second = tx.subscribe();
    for _ in 0..3 {
        tx.send(value.clone()).unwrap();
    }
    assert_eq!(Rc::strong_count(&value), 4, "one copy per slot");
    assert_eq!(drain(&mut first).0.len(), 3);
    assert_eq!(Rc::strong_count(&value), 4, "second has not read them");
    assert_eq!(tx.len(), 3);
    assert_eq!(second.try_recv().map(|v| *v), Ok("shared"));
    assert_eq!(Rc::strong_count(&value), 3, "read by both: gone");
    assert_eq!(tx.len(), 2);
    drop(second);
    assert_eq!(
        Rc::strong_count(&value),
        1,
        "a dropped receiver frees what it left unread"
    );
    assert_eq!(tx.len(), 0);
}

#[test]
fn an_evicted_value_is_freed_and_a_receiver_subscribed_later_does_not_hold_older_ones() {
    let value = Rc::new(0);
    let (tx, mut rx) = broadcast::channel(2);
    for _ in 0..5 {
        tx.send(value.clone()).unwrap();
    }
    assert_eq!(Rc::strong_count(&value), 3, "the ring holds two");
    let mut late = tx.subscribe();
    assert!(matches!(rx.try_recv(), Err(TryRecvError::Lagged(3))));
    assert_eq!(drain(&mut rx).0.len(), 2);
    assert_eq!(
        Rc::strong_count(&value),
        1,
        "late did not count for the values sent before it"
    );
    tx.send(value.clone()).unwrap();
    assert_eq!(drain(&mut late).0.len(), 1);
    assert_eq!(Rc::strong_count(&value), 2, "rx has not read the last one");
    drop(rx);
    assert_eq!(Rc::strong_count(&value), 1);
}

#[test]
fn a_dropped_lagging_receiver_frees_only_what_is_still_held() {
    let value = Rc::new(());
    let (tx, slow) = broadcast::channel(3);
    let mut fast = tx.subscribe();
    for _ in 0..10 {
        tx.send(value.clone()).unwrap();
        assert!(fast.try_recv().is_ok());
    }
    assert_eq!(Rc::strong_count(&value), 4);
    drop(slow);
    assert_eq!(Rc::strong_count(&value), 1);
    assert_eq!(tx.len(), 0);
}

#[test]
fn try_recv_says_empty_lagged_and_closed() {
    let (tx, mut rx) = broadcast::channel(1);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn recv_dropped_after_0_1_2_polls_loses_no_value() {
    for polls in 0..3 {
        let (tx, mut rx) = broadcast::channel(2);
        assert!(poll_then_drop(polls, rx.recv()).is_none());
        tx.send(polls).unwrap();
        assert_eq!(Probe::new(rx.recv()).expect_ready(), Ok(polls));
    }
    // Dropped after the send woke it, before it took the value.
    for polls in 1..3 {
        let (tx, mut rx) = broadcast::channel(2);
        let mut receiving = Probe::new(rx.recv());
        for _ in 0..polls {
            receiving.assert_pending();
        }
        tx.send(7).unwrap();
        assert_eq!(receiving.wakes(), 1);
        drop(receiving);
        assert_eq!(Probe::new(rx.recv()).expect_ready(), Ok(7));
        // It left the waiting list: the next wait is woken like any other.
        let mut receiving = Probe::new(rx.recv());
        receiving.assert_pending();
        tx.send(8).unwrap();
        assert_eq!(receiving.wakes(), 1);
        assert_eq!(receiving.expect_ready(), Ok(8));
    }
}

#[test]
fn one_send_wakes_every_waiting_receiver_once() {
    let (tx, rx) = broadcast::channel(1);
    let mut receivers: Vec<_> = (0..50).map(|_| rx.resubscribe()).collect();
    let mut waiting: Vec<_> = receivers
        .iter_mut()
        .map(|rx| Probe::new(rx.recv()))
        .collect();
    for probe in &mut waiting {
        probe.assert_pending();
    }
    assert_eq!(tx.send(9).unwrap(), 51);
    for probe in waiting {
        assert_eq!(probe.wakes(), 1);
        assert_eq!(probe.expect_ready(), Ok(9));
    }
}

#[test]
fn the_stream_yields_values_and_lagged_and_ends_instead_of_closed() {
    let (tx, mut rx) = broadcast::channel(2);
    {
        let mut item = Probe::new(next(&mut rx));
        item.assert_pending();
        tx.send(1).unwrap();
        assert_eq!(item.wakes(), 1);
        assert_eq!(item.expect_ready(), Some(Ok(1)));
    }
    for n in 2..6 {
        tx.send(n).unwrap();
    }
    drop(tx);
    let mut items = Vec::new();
    for _ in 0..10 {
        match Probe::new(next(&mut rx)).expect_ready() {
            Some(item) => items.push(item),
            None => break,
        }
    }
    assert_eq!(items, [Err(RecvError::Lagged(2)), Ok(4), Ok(5)]);
    assert_eq!(
        Probe::new(next(&mut rx)).expect_ready(),
        None,
        "and stays ended"
    );
}

#[test]
fn sender_len_counts_values_not_read_by_all_and_receiver_len_its_own() {
    let (tx, mut a) = broadcast::channel(8);
    let mut b = tx.subscribe();
    assert!(tx.is_empty());
    for n in 0..3 {
        tx.send(n).unwrap();
    }
    assert_eq!((tx.len(), a.len(), b.len()), (3, 3, 3));
    a.try_recv().unwrap();
    a.try_recv().unwrap();
    assert_eq!((tx.len(), a.len(), b.len()), (3, 1, 3));
    b.try_recv().unwrap();
    assert_eq!((tx.len(), a.len(), b.len()), (2, 1, 2));
    drain(&mut a);
    drain(&mut b);
    assert_eq!((tx.len(), a.len(), b.len()), (0, 0, 0));
    assert!(tx.is_empty() && a.is_empty() && b.is_empty());
}

#[test]
fn a_receiver_draining_ten_thousand_queued_values_lets_another_task_run() {
    const VALUES: u32 = 10_000;
    const BUDGET: u32 = 128;
    within(Duration::from_secs(60), || {
        let runtime = Runtime::builder().io_budget(BUDGET).build().unwrap();
        runtime.block_on(async {
            let (tx, mut rx) = broadcast::channel(VALUES as usize);
            for n in 0..VALUES {
                tx.send(n).unwrap();
            }
            let other_ran = Rc::new(Cell::new(false));
            let drainer = {
                let other_ran = other_ran.clone();
                evloop::spawn(async move {
                    let mut first_seen_at = None;
                    for expected in 0..VALUES {
                        assert_eq!(rx.recv().await, Ok(expected));
                        if other_ran.get() && first_seen_at.is_none() {
                            first_seen_at = Some(expected);
                        }
                    }
                    first_seen_at
                })
            };
            let other = evloop::spawn(async move { other_ran.set(true) });
            // The drainer never waits for a value, yet the other task runs once its
            // first poll's budget is spent.
            assert_eq!(drainer.await.unwrap(), Some(BUDGET));
            other.await.unwrap();
            drop(tx);
        });
    });
}

#[test]
fn a_ready_value_spends_budget_so_other_tasks_run() {
    let runtime = Runtime::builder().io_budget(4).build().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    runtime.block_on(async {
        let (tx, mut rx) = broadcast::channel(16);
        for n in 0..8 {
            tx.send(n).unwrap();
        }
        let receiver_log = log.clone();
        let receiver = evloop::spawn(async move {
            for _ in 0..8 {
                let value = rx.recv().await.unwrap();
                receiver_log.borrow_mut().push(value);
            }
        });
        let other_log = log.clone();
        let other = evloop::spawn(async move { other_log.borrow_mut().push(100) });
        receiver.await.unwrap();
        other.await.unwrap();
    });
    assert_eq!(*log.borrow(), [0, 1, 2, 3, 100, 4, 5, 6, 7]);
}

#[test]
fn tasks_subscribed_to_a_chat_each_get_every_line() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let (tx, rx) = broadcast::channel(16);
            let listeners: Vec<_> = (0..10)
                .map(|_| {
                    let mut rx = rx.resubscribe();
                    evloop::spawn(async move {
                        let mut lines = Vec::new();
                        loop {
                            match rx.recv().await {
                                Ok(line) => lines.push(line),
                                Err(RecvError::Closed) => return lines,
                                Err(RecvError::Lagged(n)) => panic!("lagged by {n}"),
                            }
                        }
                    })
                })
                .collect();
            drop(rx);
            let speakers: Vec<_> = (0..3)
                .map(|speaker| {
                    let tx = tx.clone();
                    evloop::spawn(async move {
                        for line in 0..10 {
                            tx.send((speaker, line)).unwrap();
                            evloop::task::yield_now().await;
                        }
                    })
                })
                .collect();
            drop(tx);
            for speaker in speakers {
                speaker.await.unwrap();
            }
            let mut expected = None;
            for listener in listeners {
                let lines = listener.await.unwrap();
                assert_eq!(lines.len(), 30);
                for speaker in 0..3 {
                    let own: Vec<_> = lines.iter().filter(|(s, _)| *s == speaker).collect();
                    assert_eq!(own.len(), 10, "each speaker's lines, in order");
                    assert!(own.windows(2).all(|pair| pair[0].1 < pair[1].1));
                }
                // Every listener saw the same interleaving.
                match &expected {
                    None => expected = Some(lines),
                    Some(first) => assert_eq!(&lines, first),
                }
            }
        });
    });
}

#[test]
fn errors_and_debug_describe_themselves() {
    assert_eq!(RecvError::Closed.to_string(), "channel closed");
    assert_eq!(RecvError::Lagged(3).to_string(), "channel lagged by 3");
    assert_eq!(TryRecvError::Empty.to_string(), "channel empty");
    assert_eq!(TryRecvError::Lagged(2).to_string(), "channel lagged by 2");
    let (tx, rx) = broadcast::channel::<u8>(1);
    assert!(format!("{tx:?}").contains("Sender"));
    assert!(format!("{rx:?}").contains("Receiver"));
    drop(rx);
    let error = tx.send(1).unwrap_err();
    assert_eq!(error.to_string(), "channel closed");
    assert!(format!("{error:?}").contains("SendError"));
}
