//! `sync::remote`: channels whose senders are on other threads (std threads, other
//! runtimes) and whose receiver is a task on a parked loop.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use common::probe::{Probe, poll_then_drop};
use evloop::sync::mpsc::error::{SendError, TryRecvError, TrySendError};
use evloop::sync::remote::{mpsc, oneshot};

const LIMIT: Duration = Duration::from_secs(30);
const THREADS: u64 = 4;
const PER_THREAD: u64 = 100_000;

/// Checks that each thread's messages arrived once each and in the order sent.
struct PerThreadOrder {
    next: Vec<u64>,
}

impl PerThreadOrder {
    fn new() -> PerThreadOrder {
        PerThreadOrder {
            next: vec![0; THREADS as usize],
        }
    }

    #[track_caller]
    fn record(&mut self, (thread, seq): (u64, u64)) {
        let next = &mut self.next[thread as usize];
        assert_eq!(seq, *next, "thread {thread}'s messages in order, each once");
        *next += 1;
    }

    fn assert_complete(&self) {
        assert!(
            self.next.iter().all(|&n| n == PER_THREAD),
            "{:?}",
            self.next
        );
    }
}

#[test]
fn four_threads_feed_one_receiver_on_a_parked_loop() {
    common::within(LIMIT, || {
        let runtime = evloop::Runtime::new().unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let loop_thread = common::thread_id();
        let senders: Vec<_> = (0..THREADS)
            .map(|thread| {
                let tx = tx.clone();
                thread::spawn(move || {
                    // Start only once the loop sleeps in epoll_wait, so the first
                    // message has to wake it.
                    common::wait_until_parked(loop_thread);
                    for seq in 0..PER_THREAD {
                        tx.send((thread, seq)).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let receiver = runtime.spawn(async move {
            let mut order = PerThreadOrder::new();
            while let Some(message) = rx.recv().await {
                order.record(message);
            }
            order
        });
        let order = runtime.block_on(receiver).unwrap();
        order.assert_complete();
        senders.into_iter().for_each(|s| s.join().unwrap());
        let metrics = runtime.metrics();
        assert!(metrics.parks > 0, "{metrics:?}");
        assert!(
            metrics.cross_thread_wakes > 0,
            "woken through the injection queue: {metrics:?}"
        );
    });
}

#[test]
fn blocking_senders_on_a_small_bounded_channel_lose_nothing() {
    common::within(LIMIT, || {
        let (tx, mut rx) = mpsc::channel(16);
        let senders: Vec<_> = (0..THREADS)
            .map(|thread| {
                let tx = tx.clone();
                thread::spawn(move || {
                    for seq in 0..PER_THREAD {
                        tx.blocking_send((thread, seq)).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let order = evloop::block_on(async move {
            let mut order = PerThreadOrder::new();
            let mut batch = Vec::new();
            while rx.recv_many(&mut batch, 64).await > 0 {
                batch.drain(..).for_each(|message| order.record(message));
                assert!(rx.len() <= 16, "never more than the capacity queued");
            }
            order
        });
        order.assert_complete();
        senders.into_iter().for_each(|s| s.join().unwrap());
    });
}

#[test]
fn a_sender_in_another_runtime_waits_for_room_and_keeps_its_order() {
    common::within(LIMIT, || {
        let (tx, mut rx) = mpsc::channel(1);
        let sending_runtime = thread::spawn(move || {
            evloop::block_on(async move {
                for n in 0..10_000u32 {
                    tx.send(n).await.unwrap();
                }
            })
        });
        let received = evloop::block_on(async move {
            let mut expected = 0;
            while let Some(n) = rx.recv().await {
                assert_eq!(n, expected);
                expected += 1;
            }
            expected
        });
        assert_eq!(received, 10_000);
        sending_runtime.join().unwrap();
    });
}

#[test]
fn a_sender_dropped_on_another_thread_ends_the_channel() {
    common::within(LIMIT, || {
        let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
        let dropper = thread::spawn(move || drop(tx));
        let end = evloop::block_on(rx.recv());
        assert_eq!(end, None);
        dropper.join().unwrap();
    });
}

#[test]
fn a_receiver_whose_runtime_is_dropped_fails_every_send() {
    common::within(LIMIT, || {
        let runtime = evloop::Runtime::new().unwrap();
        let (unbounded, mut unbounded_rx) = mpsc::unbounded_channel::<String>();
        let (bounded, mut bounded_rx) = mpsc::channel::<String>(1);
        let (once, once_rx) = oneshot::channel::<String>();
        runtime.spawn(async move {
            let _ = unbounded_rx.recv().await;
        });
        runtime.spawn(async move {
            let _ = bounded_rx.recv().await;
        });
        runtime.spawn(async move {
            let _ = once_rx.await;
        });
        runtime.block_on(evloop::task::yield_now());
        bounded.try_send("fills the channel".into()).unwrap();
        // A thread blocked on the full channel learns of the drop, too.
        let blocked = {
            let bounded = bounded.clone();
            thread::spawn(move || bounded.blocking_send("waits".into()))
        };
        drop(runtime);
        let send = unbounded.send("a".into());
        assert_eq!(send, Err(SendError("a".to_string())));
        assert_eq!(
            bounded.try_send("b".into()),
            Err(TrySendError::Closed("b".into()))
        );
        assert_eq!(blocked.join().unwrap(), Err(SendError("waits".to_string())));
        assert_eq!(once.send("c".into()), Err("c".to_string()));
    });
}

#[test]
#[should_panic(expected = "Use `send(..).await` instead")]
fn blocking_send_refuses_to_park_a_runtime_thread() {
    let (tx, _rx) = mpsc::channel(1);
    evloop::block_on(async move {
        let _ = tx.blocking_send(1);
    });
}

#[test]
fn remote_senders_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<mpsc::Sender<Vec<u8>>>();
    assert_send_sync::<mpsc::UnboundedSender<Vec<u8>>>();
    assert_send_sync::<oneshot::Sender<Vec<u8>>>();
}

#[test]
fn try_recv_and_len_see_messages_from_other_threads() {
    common::within(LIMIT, || {
        let (tx, mut rx) = mpsc::unbounded_channel();
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        thread::spawn(move || {
            tx.send(1).unwrap();
            tx.send(2).unwrap();
        })
        .join()
        .unwrap();
        assert_eq!(rx.len(), 2);
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.len(), 1);
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        assert!(rx.is_closed());
    });
}

#[test]
fn a_remote_send_cancelled_at_any_point_loses_no_slot() {
    for polls in 0..3 {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(1).unwrap();
        assert!(poll_then_drop(polls, tx.send(2)).is_none());
        let mut behind = Probe::new(tx.send(3));
        behind.assert_pending();
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(behind.wakes(), 1, "after {polls} polls");
        behind.expect_ready().unwrap();
        assert_eq!(rx.try_recv(), Ok(3));
        assert_eq!(tx.capacity(), 1);
    }
}

#[test]
fn closing_the_remote_receiver_wakes_senders_on_other_threads() {
    common::within(LIMIT, || {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        let watching = Arc::new(AtomicBool::new(false));
        let watcher = {
            let (tx, watching) = (tx.clone(), watching.clone());
            thread::spawn(move || {
                evloop::block_on(async move {
                    let closed = tx.closed();
                    watching.store(true, Ordering::SeqCst);
                    closed.await;
                })
            })
        };
        common::wait_until(LIMIT, "the watcher started", || {
            watching.load(Ordering::SeqCst)
        });
        rx.close();
        watcher.join().unwrap();
        assert!(tx.is_closed());
        assert!(Probe::new(tx.send(1)).expect_ready().is_err());
    });
}

#[test]
fn a_oneshot_answer_comes_back_from_a_thread() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (tx, rx) = oneshot::channel();
            let worker = thread::spawn(move || tx.send(21 * 2).unwrap());
            assert_eq!(rx.await, Ok(42));
            worker.join().unwrap();

            let (tx, rx) = oneshot::channel::<u8>();
            thread::spawn(move || drop(tx)).join().unwrap();
            assert!(rx.await.is_err(), "dropped unsent on another thread");
        })
    });
}

#[test]
fn a_remote_oneshot_sender_sees_the_receiver_close() {
    let (mut tx, mut rx) = oneshot::channel::<u8>();
    let mut closed = Probe::new(async move {
        tx.closed().await;
        tx.send(1)
    });
    closed.assert_pending();
    rx.close();
    assert_eq!(closed.wakes(), 1);
    assert_eq!(closed.expect_ready(), Err(1));
    assert_eq!(
        rx.try_recv(),
        Err(evloop::sync::oneshot::error::TryRecvError::Closed)
    );
}

#[test]
fn a_closed_remote_oneshot_receiver_with_nothing_sent_is_over_at_once() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    rx.close();
    assert_eq!(
        rx.try_recv(),
        Err(evloop::sync::oneshot::error::TryRecvError::Closed)
    );
    assert!(
        Probe::new(rx).expect_ready().is_err(),
        "not waiting for a value that cannot come"
    );
    drop(tx);
}

#[test]
fn a_closed_remote_channel_ends_when_a_sender_handed_a_slot_gives_up() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut waiting = Probe::new(tx.send(2));
    waiting.assert_pending();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(waiting.wakes(), 1, "the freed slot is handed to it");
    rx.close();
    let mut recv = Probe::new(rx.recv());
    recv.assert_pending();
    drop(waiting);
    assert_eq!(recv.wakes(), 1);
    assert_eq!(recv.expect_ready(), None);
}
