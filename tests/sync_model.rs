//! The bounded channel against a model: a `VecDeque` of messages, a queue of waiting
//! senders, and the slots handed to senders that have not been polled since. Random
//! sequences of operations (proptest) must leave the channel and the model agreeing
//! on every observable: what each receive returns, which sends complete, the queue's
//! length and the free slots.

mod common;

use std::collections::VecDeque;

use common::probe::Probe;
use evloop::sync::mpsc::{
    self,
    error::{SendError, TryRecvError, TrySendError},
};
use proptest::prelude::*;

const CAPACITY: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    TrySend(u32),
    /// Starts a `send` and polls it once.
    StartSend(u32),
    /// Polls the waiting send at this index (modulo the number waiting).
    PollSend(usize),
    /// Drops the waiting send at this index.
    DropSend(usize),
    TryRecv,
    RecvMany(usize),
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u32>().prop_map(Op::TrySend),
        3 => any::<u32>().prop_map(Op::StartSend),
        2 => any::<usize>().prop_map(Op::PollSend),
        1 => any::<usize>().prop_map(Op::DropSend),
        4 => Just(Op::TryRecv),
        1 => (0..5usize).prop_map(Op::RecvMany),
        1 => Just(Op::Close),
    ]
}

/// What the channel should do.
#[derive(Default)]
struct Model {
    queue: VecDeque<u32>,
    /// Senders waiting for a slot, first in line first: (id, message).
    waiting: VecDeque<(u64, u32)>,
    /// Senders handed a slot, not yet polled.
    granted: Vec<(u64, u32)>,
    closed: bool,
}

impl Model {
    fn free(&self) -> usize {
        CAPACITY - self.queue.len() - self.granted.len()
    }

    fn hand_out_slots(&mut self) {
        while !self.closed && self.free() > 0 {
            match self.waiting.pop_front() {
                Some(sender) => self.granted.push(sender),
                None => break,
            }
        }
    }

    fn try_send(&mut self, message: u32) -> Result<(), TrySendError<u32>> {
        if self.closed {
            Err(TrySendError::Closed(message))
        } else if !self.waiting.is_empty() || self.free() == 0 {
            Err(TrySendError::Full(message))
        } else {
            self.queue.push_back(message);
            Ok(())
        }
    }

    fn take(&mut self, limit: usize) -> Vec<u32> {
        let taken = self.queue.drain(..limit.min(self.queue.len())).collect();
        self.hand_out_slots();
        taken
    }
}

/// A real `send` future and the model's name for it.
struct Sending<'a> {
    id: u64,
    message: u32,
    probe: Probe<'a, Result<(), SendError<u32>>>,
}

fn run(ops: Vec<Op>) {
    let (tx, mut rx) = mpsc::channel::<u32>(CAPACITY);
    let mut model = Model::default();
    let mut sending: Vec<Sending<'_>> = Vec::new();
    let mut next_id = 0;
    for op in ops {
        match op {
            Op::TrySend(message) => assert_eq!(tx.try_send(message), model.try_send(message)),
            Op::StartSend(message) => {
                let mut probe = Probe::new(tx.send(message));
                let id = next_id;
                next_id += 1;
                let ready = probe.poll();
                match model.try_send(message) {
                    Ok(()) => assert!(ready, "a free slot and nobody waiting"),
                    Err(TrySendError::Closed(_)) => assert!(ready, "refused at once"),
                    Err(TrySendError::Full(_)) => {
                        assert!(!ready, "no slot for it");
                        model.waiting.push_back((id, message));
                        sending.push(Sending { id, message, probe });
                    }
                }
            }
            Op::PollSend(index) if !sending.is_empty() => {
                let index = index % sending.len();
                let ready = sending[index].probe.poll();
                let (id, message) = (sending[index].id, sending[index].message);
                if let Some(at) = model.granted.iter().position(|&(g, _)| g == id) {
                    assert!(ready, "it was handed a slot");
                    model.granted.remove(at);
                    model.queue.push_back(message);
                    sending.remove(index);
                } else if model.closed {
                    assert!(ready, "refused after the close");
                    model.waiting.retain(|&(w, _)| w != id);
                    sending.remove(index);
                } else {
                    assert!(!ready, "still waiting for a slot");
                }
            }
            Op::DropSend(index) if !sending.is_empty() => {
                let dropped = sending.remove(index % sending.len());
                drop(dropped.probe);
                model.waiting.retain(|&(w, _)| w != dropped.id);
                model.granted.retain(|&(g, _)| g != dropped.id);
                model.hand_out_slots();
            }
            Op::PollSend(_) | Op::DropSend(_) => {}
            Op::TryRecv => {
                let expected = match model.take(1).pop() {
                    Some(message) => Ok(message),
                    None if model.closed && model.granted.is_empty() => {
                        Err(TryRecvError::Disconnected)
                    }
                    None => Err(TryRecvError::Empty),
                };
                assert_eq!(rx.try_recv(), expected);
            }
            Op::RecvMany(limit) => {
                if model.queue.is_empty() {
                    continue; // it would wait (or end); `TryRecv` covers those.
                }
                let mut buffer = Vec::new();
                let taken = Probe::new(rx.recv_many(&mut buffer, limit)).expect_ready();
                assert_eq!(taken, buffer.len());
                assert_eq!(buffer, model.take(limit));
            }
            Op::Close => {
                rx.close();
                model.closed = true;
            }
        }
        assert_eq!(rx.len(), model.queue.len());
        assert_eq!(tx.capacity(), model.free());
        assert_eq!(rx.is_closed(), model.closed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_bounded_channel_behaves_like_its_model(ops in proptest::collection::vec(op(), 1..80)) {
        run(ops);
    }
}
