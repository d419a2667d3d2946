//! `sync::oneshot`: one value from one task to another. Most tests step the futures by
//! hand with a [`Probe`]; the channel needs no runtime. Those that involve the budget
//! or real tasks run a runtime, bounded by [`within`].

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use evloop::Runtime;
use evloop::sync::oneshot::{self, error::RecvError, error::TryRecvError};

mod common;

use common::probe::{Probe, poll_then_drop};
use common::within;

#[test]
fn a_value_sent_before_the_receiver_is_awaited_is_ready_at_once() {
    let (tx, rx) = oneshot::channel();
    assert_eq!(tx.send(7), Ok(()));
    assert_eq!(Probe::new(rx).expect_ready(), Ok(7));
}

#[test]
fn a_waiting_receiver_is_woken_exactly_once_by_send() {
    let (tx, rx) = oneshot::channel();
    let mut receiving = Probe::new(rx);
    receiving.assert_pending();
    receiving.assert_pending();
    assert_eq!(receiving.wakes(), 0);
    tx.send("answer").unwrap();
    assert_eq!(
        receiving.wakes(),
        1,
        "send wakes the receiver, its drop does not"
    );
    assert_eq!(receiving.expect_ready(), Ok("answer"));
}

#[test]
fn a_sender_dropped_unsent_ends_the_receiver_with_recv_error() {
    let (tx, rx) = oneshot::channel::<u32>();
    let mut receiving = Probe::new(rx);
    receiving.assert_pending();
    drop(tx);
    assert_eq!(receiving.wakes(), 1);
    assert!(matches!(receiving.expect_ready(), Err(RecvError { .. })));
}

/// The `RecvError` a dropped sender gives (its field is private).
fn error_of_dropped() -> RecvError {
    let (tx, rx) = oneshot::channel::<()>();
    drop(tx);
    Probe::new(rx).expect_ready().unwrap_err()
}

#[test]
fn try_recv_is_empty_then_the_value_then_closed() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(3).unwrap();
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed), "taken already");
}

#[test]
fn try_recv_is_closed_once_the_sender_is_dropped_unsent() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn close_makes_send_fail_with_the_value_and_wakes_closed() {
    let (mut tx, mut rx) = oneshot::channel();
    assert!(!tx.is_closed());
    {
        let mut closed = Probe::new(tx.closed());
        closed.assert_pending();
        rx.close();
        assert_eq!(closed.wakes(), 1);
        closed.expect_ready();
    }
    assert!(tx.is_closed());
    assert_eq!(tx.send(String::from("late")), Err(String::from("late")));
}

#[test]
fn a_closed_receiver_with_nothing_sent_is_over_at_once() {
    // As in tokio: after `close`, nothing can arrive, so the receiver does not wait
    // for the sender to be dropped as well.
    let (tx, mut rx) = oneshot::channel::<u8>();
    rx.close();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    assert!(Probe::new(rx).expect_ready().is_err());
    assert_eq!(tx.send(1), Err(1));
}

#[test]
fn a_waiting_receiver_that_closes_is_over() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    let mut receiving = Probe::new(&mut rx);
    receiving.assert_pending();
    drop(receiving);
    rx.close();
    let receiving = Probe::new(&mut rx);
    assert!(
        receiving.expect_ready().is_err(),
        "closed, the sender still alive"
    );
    assert!(tx.is_closed());
}

#[test]
fn a_value_sent_before_close_can_still_be_taken() {
    let (tx, mut rx) = oneshot::channel();
    tx.send("sent first").unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok("sent first"));
}

#[test]
fn dropping_the_receiver_makes_send_fail_and_wakes_closed() {
    let (mut tx, rx) = oneshot::channel();
    {
        let mut closed = Probe::new(tx.closed());
        closed.assert_pending();
        drop(rx);
        assert_eq!(closed.wakes(), 1);
        closed.expect_ready();
    }
    assert!(tx.is_closed());
    assert_eq!(tx.send(vec![1, 2]), Err(vec![1, 2]));
}

#[test]
fn closed_is_ready_at_once_when_the_receiver_is_already_gone() {
    let (mut tx, rx) = oneshot::channel::<()>();
    drop(rx);
    Probe::new(tx.closed()).expect_ready();
}

#[test]
fn the_receiver_dropped_after_0_1_2_polls_makes_a_later_send_fail() {
    for polls in 0..3 {
        let (tx, rx) = oneshot::channel();
        assert!(poll_then_drop(polls, rx).is_none());
        assert!(tx.is_closed(), "after {polls} polls");
        assert_eq!(tx.send(polls), Err(polls), "after {polls} polls");
    }
}

#[test]
fn the_receiver_dropped_after_being_woken_frees_the_value_unread() {
    let value = Rc::new("payload");
    let (tx, rx) = oneshot::channel();
    let mut receiving = Probe::new(rx);
    receiving.assert_pending();
    tx.send(value.clone()).unwrap();
    assert_eq!(receiving.wakes(), 1);
    assert_eq!(Rc::strong_count(&value), 2, "held by the channel");
    drop(receiving);
    assert_eq!(Rc::strong_count(&value), 1, "freed with the receiver");
}

#[test]
fn closed_dropped_after_0_1_2_polls_leaves_the_sender_working() {
    for polls in 0..3 {
        let (mut tx, rx) = oneshot::channel();
        assert!(poll_then_drop(polls, tx.closed()).is_none());
        assert!(!tx.is_closed(), "after {polls} polls");
        // A later wait on closed() is still woken, and a send still arrives.
        let mut closed = Probe::new(tx.closed());
        closed.assert_pending();
        drop(closed);
        tx.send(polls).unwrap();
        assert_eq!(Probe::new(rx).expect_ready(), Ok(polls));
    }
    for polls in 0..3 {
        let (mut tx, rx) = oneshot::channel::<()>();
        assert!(poll_then_drop(polls, tx.closed()).is_none());
        let mut closed = Probe::new(tx.closed());
        closed.assert_pending();
        drop(rx);
        assert_eq!(closed.wakes(), 1, "after {polls} polls of the dropped one");
        closed.expect_ready();
    }
}

#[test]
fn a_value_ready_spends_budget_so_other_tasks_run() {
    let runtime = Runtime::builder().io_budget(4).build().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    runtime.block_on(async {
        let receiver_log = log.clone();
        let receiver = evloop::spawn(async move {
            for i in 0..8 {
                let (tx, rx) = oneshot::channel();
                tx.send(i).unwrap();
                let value = rx.await.unwrap();
                receiver_log.borrow_mut().push(value);
            }
        });
        let other_log = log.clone();
        let other = evloop::spawn(async move { other_log.borrow_mut().push(100) });
        receiver.await.unwrap();
        other.await.unwrap();
    });
    // Four units per poll: the other task runs after the fourth value.
    assert_eq!(*log.borrow(), [0, 1, 2, 3, 100, 4, 5, 6, 7]);
}

#[test]
fn a_receiver_out_of_budget_keeps_the_value_for_its_next_poll() {
    let runtime = Runtime::builder().io_budget(1).build().unwrap();
    let got = runtime.block_on(async {
        evloop::task::consume_budget().await;
        // The budget is spent: this await yields once, then takes the value.
        let (tx, rx) = oneshot::channel();
        tx.send("kept").unwrap();
        rx.await
    });
    assert_eq!(got, Ok("kept"));
}

#[test]
fn request_and_answer_between_tasks() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let (requests, mut incoming) = evloop::sync::mpsc::unbounded_channel();
            let server = evloop::spawn(async move {
                let mut served = 0;
                while let Some((n, answer)) = incoming.recv().await {
                    let answer: oneshot::Sender<u64> = answer;
                    answer.send(n * 2).unwrap();
                    served += 1;
                }
                served
            });
            for n in 0..100u64 {
                let (answer, reply) = oneshot::channel();
                requests.send((n, answer)).unwrap();
                assert_eq!(reply.await, Ok(n * 2));
            }
            drop(requests);
            assert_eq!(server.await.unwrap(), 100);
        });
    });
}

#[test]
fn a_worker_stops_when_the_task_waiting_for_its_answer_goes_away() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let (mut tx, rx) = oneshot::channel::<u32>();
            let worker = evloop::spawn(async move {
                tx.closed().await;
                tx.send(1).unwrap_err()
            });
            let asker = evloop::spawn(rx);
            evloop::task::yield_now().await;
            asker.abort();
            assert!(asker.await.unwrap_err().is_cancelled());
            assert_eq!(worker.await.unwrap(), 1);
        });
    });
}

#[test]
fn a_task_waiting_on_a_sender_dropped_by_another_task_gets_recv_error() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let (tx, rx) = oneshot::channel::<u32>();
            let waiter = evloop::spawn(rx);
            evloop::task::yield_now().await;
            evloop::spawn(async move { drop(tx) }).await.unwrap();
            assert!(waiter.await.unwrap().is_err());
        });
    });
}

#[test]
fn errors_describe_themselves() {
    assert_eq!(error_of_dropped().to_string(), "channel closed");
    assert_eq!(TryRecvError::Empty.to_string(), "channel empty");
    assert_eq!(TryRecvError::Closed.to_string(), "channel closed");
    let (tx, rx) = oneshot::channel::<u8>();
    assert!(format!("{tx:?}").contains("Sender"));
    assert!(format!("{rx:?}").contains("Receiver"));
}
