//! Multi-producer, single-consumer channels for tasks on one thread: a queue of
//! messages that any number of senders fill and one receiver empties, in order.
//!
//! - [`channel`] is bounded: it holds at most `capacity` messages, and a sender
//!   waits (`send().await`) while it is full. That is back-pressure: a fast producer
//!   is slowed to the consumer's pace instead of filling memory.
//! - [`unbounded_channel`] never makes a sender wait; use it when the producer is
//!   bounded some other way (a request and its one reply, say).
//!
//! Both follow tokio's `sync::mpsc` names and semantics, except that the halves are
//! `!Send`: all the tasks involved run on one thread, so the state is a `RefCell` and
//! a few `Cell`s, with no atomics and no locks. To send from another thread, use
//! [`remote::mpsc`](crate::sync::remote::mpsc).
//!
//! # Examples
//!
//! ```
//! use evloop::sync::mpsc;
//!
//! evloop::block_on(async {
//!     let (tx, mut rx) = mpsc::channel(8);
//!     for id in 0..3 {
//!         let tx = tx.clone();
//!         evloop::spawn(async move {
//!             tx.send(id).await.unwrap();
//!         });
//!     }
//!     drop(tx); // the receiver ends once the last sender is gone
//!     let mut got = Vec::new();
//!     while let Some(id) = rx.recv().await {
//!         got.push(id);
//!     }
//!     got.sort();
//!     assert_eq!(got, [0, 1, 2]);
//! });
//! ```

#![deny(unsafe_code)]

mod bounded;
mod chan;
pub mod error;
mod unbounded;

use std::rc::Rc;

pub use bounded::{OwnedPermit, Permit, Receiver, Sender};
pub use unbounded::{UnboundedReceiver, UnboundedSender};

use chan::Chan;

/// A bounded channel that holds at most `capacity` messages.
///
/// # Panics
///
/// If `capacity` is 0 (as tokio's): a channel that can hold nothing could never
/// deliver a message. For a hand-off of one value at a time, use a capacity of 1.
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "evloop: mpsc bounded channel requires capacity > 0"
    );
    assert!(
        capacity <= crate::sync::Semaphore::MAX_PERMITS,
        "evloop: mpsc bounded channel capacity must be at most Semaphore::MAX_PERMITS"
    );
    let chan = Rc::new(Chan::new(Some(capacity)));
    (Sender { chan: chan.clone() }, Receiver { chan })
}

/// A channel whose senders never wait: it grows as needed.
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Rc::new(Chan::new(None));
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver { chan },
    )
}
