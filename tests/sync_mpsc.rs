//! `sync::mpsc`: bounded and unbounded channels between tasks on one thread.
//!
//! Most tests step futures by hand ([`Probe`]): the channels need no runtime, so
//! every wake and every cancellation point can be checked exactly. The rest run
//! real tasks on a runtime.

mod common;

use std::cell::Cell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use common::probe::{Probe, poll_then_drop};
use evloop::sync::mpsc::{
    self,
    error::{SendError, TryRecvError, TrySendError},
};
use futures_core::Stream;

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn messages_arrive_in_order_and_the_channel_ends_with_its_senders() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (tx, mut rx) = mpsc::channel(4);
            let producer = evloop::spawn(async move {
                for n in 0..100 {
                    tx.send(n).await.unwrap();
                }
            });
            let mut got = Vec::new();
            while let Some(n) = rx.recv().await {
                got.push(n);
            }
            producer.await.unwrap();
            assert_eq!(got, (0..100).collect::<Vec<_>>());
        })
    });
}

#[test]
#[should_panic(expected = "mpsc bounded channel requires capacity > 0")]
fn a_channel_of_capacity_zero_is_refused() {
    let _ = mpsc::channel::<u8>(0);
}

#[test]
fn try_send_and_try_recv_tell_full_empty_and_closed_apart() {
    let (tx, mut rx) = mpsc::channel(1);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.try_send(1).unwrap();
    assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    assert_eq!(tx.capacity(), 0);
    assert_eq!(tx.max_capacity(), 1);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(tx.capacity(), 1);
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));

    let (tx, mut rx) = mpsc::channel(1);
    rx.close();
    assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    assert!(tx.is_closed());
}

#[test]
fn senders_waiting_on_a_full_channel_are_served_first_come_first_served() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut waiting: VecDeque<_> = (1..=5).map(|n| Probe::new(tx.send(n))).collect();
    for probe in &mut waiting {
        probe.assert_pending();
    }
    // A newcomer does not jump the queue, even with try_send.
    assert_eq!(tx.try_send(99), Err(TrySendError::Full(99)));
    let mut got = Vec::new();
    while let Some(longest_waiting) = waiting.pop_front() {
        got.push(rx.try_recv().unwrap());
        assert_eq!(longest_waiting.wakes(), 1, "the freed slot went to it");
        assert!(waiting.iter().all(|later| later.wakes() == 0));
        longest_waiting.expect_ready().unwrap();
    }
    got.push(rx.try_recv().unwrap());
    assert_eq!(got, [0, 1, 2, 3, 4, 5]);
}

#[test]
fn a_send_cancelled_at_any_point_loses_no_slot_and_no_message() {
    for polls in 0..3 {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(1).unwrap();
        let mut behind = Probe::new(tx.send(3));
        // Polled `polls` times, then dropped: before it waits, while it waits.
        assert!(poll_then_drop(polls, tx.send(2)).is_none());
        behind.assert_pending();
        assert_eq!(rx.try_recv(), Ok(1));
        behind.expect_ready().unwrap();
        assert_eq!(rx.try_recv(), Ok(3), "after {polls} polls");
        assert_eq!(tx.capacity(), 1, "after {polls} polls: no slot leaked");
    }
}

#[test]
fn a_send_handed_a_slot_and_then_dropped_passes_the_slot_on() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut first = Probe::new(tx.send(2));
    let mut second = Probe::new(tx.send(3));
    first.assert_pending();
    second.assert_pending();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(first.wakes(), 1, "the slot went to the first sender");
    let wakes = second.wakes();
    drop(first);
    assert!(second.woken_since(wakes), "its slot went on to the second");
    second.expect_ready().unwrap();
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn a_recv_cancelled_at_any_point_loses_no_message() {
    for polls in 0..3 {
        let (tx, mut rx) = mpsc::channel(2);
        assert!(poll_then_drop(polls, rx.recv()).is_none());
        tx.try_send(7).unwrap();
        assert_eq!(rx.try_recv(), Ok(7), "after {polls} polls");
    }
}

#[test]
fn a_waiting_receiver_is_woken_by_a_send_and_by_the_last_sender_leaving() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let tx2 = tx.clone();
    {
        let mut recv = Probe::new(rx.recv());
        recv.assert_pending();
        tx.send(5).unwrap();
        assert_eq!(recv.wakes(), 1);
        assert_eq!(recv.expect_ready(), Some(5));
    }
    let mut recv = Probe::new(rx.recv());
    recv.assert_pending();
    drop(tx);
    assert_eq!(recv.wakes(), 0, "a sender is left");
    drop(tx2);
    assert_eq!(recv.wakes(), 1);
    assert_eq!(recv.expect_ready(), None);
}

#[test]
fn closing_the_receiver_hands_waiting_senders_their_message_back() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut waiting = Probe::new(tx.send(2));
    waiting.assert_pending();
    let mut closed = Probe::new(tx.closed());
    closed.assert_pending();
    rx.close();
    assert_eq!(waiting.wakes(), 1);
    assert_eq!(waiting.expect_ready(), Err(SendError(2)));
    closed.expect_ready();
    assert!(rx.is_closed());
    // What was queued before the close is still delivered, then the end.
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn dropping_the_receiver_fails_every_sender_and_drops_the_queued_messages() {
    let (tx, rx) = mpsc::channel(2);
    let message = Rc::new(());
    tx.try_send(message.clone()).unwrap();
    tx.try_send(message.clone()).unwrap();
    let mut waiting = Probe::new(tx.send(message.clone()));
    waiting.assert_pending();
    drop(rx);
    assert_eq!(
        Rc::strong_count(&message),
        2,
        "queued messages dropped at once; the waiting one is still the sender's"
    );
    assert!(matches!(waiting.expect_ready(), Err(SendError(_))));
    assert_eq!(Rc::strong_count(&message), 1);
    assert!(tx.is_closed());
    assert!(matches!(tx.try_send(message), Err(TrySendError::Closed(_))));
}

#[test]
fn a_closed_channel_waits_for_reserved_slots_before_it_ends() {
    let (tx, mut rx) = mpsc::channel(2);
    let permit = Probe::new(tx.reserve()).expect_ready().unwrap();
    let unused = Probe::new(tx.reserve()).expect_ready().unwrap();
    rx.close();
    assert!(Probe::new(tx.reserve()).expect_ready().is_err());
    let mut recv = Probe::new(rx.recv());
    recv.assert_pending();
    permit.send(10);
    assert_eq!(recv.wakes(), 1);
    assert_eq!(recv.expect_ready(), Some(10));
    let mut recv = Probe::new(rx.recv());
    recv.assert_pending();
    drop(unused);
    assert_eq!(recv.wakes(), 1, "the last reserved slot came back");
    assert_eq!(recv.expect_ready(), None);
}

#[test]
fn owned_permits_carry_their_sender() {
    let (tx, mut rx) = mpsc::channel(1);
    let permit = Probe::new(tx.reserve_owned()).expect_ready().unwrap();
    let tx = permit.send(1);
    let permit = match tx.try_reserve_owned() {
        Err(TrySendError::Full(tx)) => {
            assert_eq!(rx.try_recv(), Ok(1));
            tx.try_reserve_owned().unwrap()
        }
        other => panic!("expected a full channel, got {:?}", other.map(|_| ())),
    };
    let tx = permit.release();
    assert_eq!(tx.capacity(), 1);
}

#[test]
fn recv_many_takes_up_to_the_limit_and_frees_their_slots() {
    let (tx, mut rx) = mpsc::channel(8);
    for n in 0..5 {
        tx.try_send(n).unwrap();
    }
    let mut buffer = Vec::new();
    assert_eq!(Probe::new(rx.recv_many(&mut buffer, 0)).expect_ready(), 0);
    assert_eq!(Probe::new(rx.recv_many(&mut buffer, 3)).expect_ready(), 3);
    assert_eq!(tx.capacity(), 6);
    assert_eq!(Probe::new(rx.recv_many(&mut buffer, 10)).expect_ready(), 2);
    assert_eq!(buffer, [0, 1, 2, 3, 4]);
    drop(tx);
    assert_eq!(Probe::new(rx.recv_many(&mut buffer, 10)).expect_ready(), 0);
}

#[test]
fn an_unbounded_sender_never_waits() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for n in 0..10_000 {
        tx.send(n).unwrap();
    }
    assert_eq!(rx.len(), 10_000);
    assert_eq!(rx.try_recv(), Ok(0));
    let mut closed = Probe::new(tx.closed());
    closed.assert_pending();
    drop(rx);
    assert_eq!(closed.wakes(), 1);
    closed.expect_ready();
    assert_eq!(tx.send(1), Err(SendError(1)));
}

#[test]
fn closed_cancelled_at_any_point_leaves_nothing_behind() {
    for polls in 0..3 {
        let (tx, rx) = mpsc::channel::<u8>(1);
        assert!(poll_then_drop(polls, tx.closed()).is_none());
        let mut closed = Probe::new(tx.closed());
        closed.assert_pending();
        drop(rx);
        assert_eq!(closed.wakes(), 1, "after {polls} polls");
        closed.expect_ready();
    }
}

#[test]
fn the_receiver_is_a_stream() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    tx.send('a').unwrap();
    tx.send('b').unwrap();
    drop(tx);
    assert_eq!(rx.size_hint(), (2, None));
    let mut next = || Probe::new(poll_fn(|cx| Pin::new(&mut rx).poll_next(cx))).expect_ready();
    assert_eq!((next(), next(), next()), (Some('a'), Some('b'), None));
}

#[test]
fn a_receiver_that_always_finds_a_message_lets_other_tasks_run() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (tx, mut rx) = mpsc::unbounded_channel();
            for n in 0..10_000u32 {
                tx.send(n).unwrap();
            }
            let other_ran = Rc::new(Cell::new(false));
            let other = {
                let other_ran = other_ran.clone();
                evloop::spawn(async move { other_ran.set(true) })
            };
            let mut received_before_other = None;
            for _ in 0..10_000 {
                rx.recv().await.unwrap();
                if other_ran.get() && received_before_other.is_none() {
                    received_before_other = Some(rx.len());
                }
            }
            other.await.unwrap();
            let left = received_before_other.expect("the other task ran");
            assert!(
                left > 0,
                "it ran before the receiver was done ({left} left)"
            );
        })
    });
}

#[test]
fn a_thousand_senders_into_one_small_channel_lose_nothing() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (tx, mut rx) = mpsc::channel(3);
            for id in 0..1_000u64 {
                let tx = tx.clone();
                evloop::spawn(async move {
                    for n in 0..10 {
                        tx.send(id * 10 + n).await.unwrap();
                    }
                });
            }
            drop(tx);
            let (mut count, mut sum) = (0u64, 0u64);
            while let Some(n) = rx.recv().await {
                count += 1;
                sum += n;
            }
            assert_eq!(count, 10_000);
            assert_eq!(sum, (0..10_000).sum::<u64>());
        })
    });
}

#[test]
fn a_closed_channel_ends_when_a_sender_handed_a_slot_gives_up() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut waiting = Probe::new(tx.send(2));
    waiting.assert_pending();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(waiting.wakes(), 1, "the freed slot is handed to it");
    rx.close();
    let mut recv = Probe::new(rx.recv());
    recv.assert_pending(); // the handed-over slot may still bring a message
    drop(waiting);
    assert_eq!(recv.wakes(), 1, "its slot came back: nothing more can come");
    assert_eq!(recv.expect_ready(), None);
}
