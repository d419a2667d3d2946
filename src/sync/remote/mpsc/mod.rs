//! mpsc channels whose senders work from any thread: std threads, blocking-pool jobs,
//! other evloop runtimes. The receiver is a task on one runtime.
//!
//! The API is [`sync::mpsc`](crate::sync::mpsc)'s (and so tokio's), with the same
//! error types. The senders are `Send + Sync` (for `T: Send`) and may be cloned onto
//! as many threads as needed; a bounded [`Sender`] also has
//! [`blocking_send`](Sender::blocking_send) for threads that run no executor.
//!
//! A send from another thread wakes the receiver's task through its runtime's
//! ordinary cross-thread path: the task goes onto the injection queue, and the
//! eventfd is written only if the loop is parked (or about to park). A receiver that
//! is busy with earlier messages is not waiting, so senders wake nobody at all.
//!
//! # Examples
//!
//! ```
//! use evloop::sync::remote::mpsc;
//!
//! evloop::block_on(async {
//!     let (tx, mut rx) = mpsc::unbounded_channel();
//!     let workers: Vec<_> = (0..4)
//!         .map(|id| {
//!             let tx = tx.clone();
//!             std::thread::spawn(move || tx.send(id * 10).unwrap())
//!         })
//!         .collect();
//!     drop(tx);
//!     let mut total = 0;
//!     while let Some(n) = rx.recv().await {
//!         total += n;
//!     }
//!     assert_eq!(total, 60);
//!     workers.into_iter().for_each(|worker| worker.join().unwrap());
//! });
//! ```

#![deny(unsafe_code)]

mod receiver;
mod shared;

use std::fmt;
use std::sync::Arc;

pub use crate::sync::mpsc::error;

use self::receiver::ReceiverCore;
use self::shared::{AcquireSlot, Shared};
use super::park::block_on_thread;
use crate::sync::halves::{receiver_methods, sender_methods};
use crate::sync::permits::Refused;
use error::{SendError, TrySendError};

/// A bounded channel that holds at most `capacity` messages; its senders work from
/// any thread.
///
/// # Panics
///
/// If `capacity` is 0.
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "evloop: mpsc bounded channel requires capacity > 0"
    );
    let shared = Arc::new(Shared::new(Some(capacity)));
    let receiver = Receiver {
        chan: ReceiverCore::new(shared.clone()),
    };
    (Sender { chan: shared }, receiver)
}

/// A channel whose senders never wait and work from any thread.
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let shared = Arc::new(Shared::new(None));
    let receiver = UnboundedReceiver {
        chan: ReceiverCore::new(shared.clone()),
    };
    (UnboundedSender { chan: shared }, receiver)
}

/// Sends into a bounded remote [`channel`] from any thread; clone it for more.
pub struct Sender<T> {
    chan: Arc<Shared<T>>,
}

/// Sends into an [`unbounded_channel`] from any thread; clone it for more.
pub struct UnboundedSender<T> {
    chan: Arc<Shared<T>>,
}

/// Receives the messages of a bounded remote [`channel`], in a task.
pub struct Receiver<T> {
    chan: ReceiverCore<T>,
}

/// Receives the messages of a remote [`unbounded_channel`], in a task.
pub struct UnboundedReceiver<T> {
    chan: ReceiverCore<T>,
}

/// A slot reserved in a bounded remote channel: [`send`](Permit::send) cannot fail or
/// wait. Dropping it unused gives the slot back.
#[must_use = "the slot goes back as soon as the permit is dropped"]
pub struct Permit<'a, T> {
    chan: Option<&'a Shared<T>>,
}

sender_methods!(Sender);
sender_methods!(UnboundedSender);
receiver_methods!(Receiver);
receiver_methods!(UnboundedReceiver);

impl<T> Sender<T> {
    /// Sends `message`, first waiting for a free slot (senders, whatever their
    /// thread, are served in the order they started waiting). Fails, handing the
    /// message back, if the receiver is gone or closed the channel.
    pub async fn send(&self, message: T) -> Result<(), SendError<T>> {
        match self.reserve().await {
            Ok(permit) => {
                permit.send(message);
                Ok(())
            }
            Err(SendError(())) => Err(SendError(message)),
        }
    }

    /// [`send`](Self::send) for a thread that runs no executor: parks the thread
    /// until a slot is free.
    ///
    /// # Panics
    ///
    /// On a thread running an evloop runtime: parking it would stop every task on it
    /// (including, perhaps, the receiver). Use `send(..).await` there.
    #[track_caller]
    pub fn blocking_send(&self, message: T) -> Result<(), SendError<T>> {
        block_on_thread(self.send(message))
    }

    /// Sends `message` now if a slot is free and no other sender waits for one.
    pub fn try_send(&self, message: T) -> Result<(), TrySendError<T>> {
        match self.try_reserve() {
            Ok(permit) => {
                permit.send(message);
                Ok(())
            }
            Err(TrySendError::Full(())) => Err(TrySendError::Full(message)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(message)),
        }
    }

    /// Waits for a free slot and reserves it.
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        AcquireSlot::new(&self.chan)
            .await
            .map_err(|_closed| SendError(()))?;
        Ok(Permit {
            chan: Some(&self.chan),
        })
    }

    /// Reserves a free slot now, if one is free and no other sender waits for one.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        let taken = shared::lock(&self.chan.slots().free).try_acquire(1);
        match taken {
            Ok(()) => Ok(Permit {
                chan: Some(&self.chan),
            }),
            Err(Refused::Closed) => Err(TrySendError::Closed(())),
            Err(Refused::NoPermits) => Err(TrySendError::Full(())),
        }
    }

    /// How many slots are free now.
    pub fn capacity(&self) -> usize {
        shared::lock(&self.chan.slots().free).available()
    }

    /// The channel's capacity, as created.
    pub fn max_capacity(&self) -> usize {
        self.chan.slots().capacity
    }
}

impl<T> UnboundedSender<T> {
    /// Queues `message` at once (it never waits). Fails, handing the message back, if
    /// the receiver is gone or closed the channel.
    pub fn send(&self, message: T) -> Result<(), SendError<T>> {
        self.chan.push(message, true).map_err(SendError)
    }
}

impl<T> Permit<'_, T> {
    /// Sends `message` in the reserved slot (dropped at once if the receiver is gone).
    pub fn send(mut self, message: T) {
        if let Some(chan) = self.chan.take() {
            let delivered = chan.push(message, false);
            debug_assert!(delivered.is_ok(), "a reserved slot is always accepted");
        }
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        if let Some(chan) = self.chan.take() {
            chan.unused_slot_returned();
        }
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}
