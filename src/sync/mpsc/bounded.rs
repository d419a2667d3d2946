//! The bounded channel's halves: a sender waits for a free slot before it sends.

#![deny(unsafe_code)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use super::chan::{Chan, SlotWait};
use super::error::{SendError, TrySendError};
use crate::sync::TryAcquireError;
use crate::sync::halves::{receiver_methods, sender_methods};

/// Sends messages into a bounded [`channel`](super::channel); clone it for more
/// senders. `!Send`: for a sender on another thread, see
/// [`remote::mpsc`](crate::sync::remote::mpsc).
pub struct Sender<T> {
    pub(super) chan: Rc<Chan<T>>,
}

/// Receives the messages of a bounded [`channel`](super::channel). `!Send`.
pub struct Receiver<T> {
    pub(super) chan: Rc<Chan<T>>,
}

/// A slot reserved in a bounded channel: [`send`](Permit::send) cannot fail or wait.
/// Dropping it unused gives the slot back.
#[must_use = "the slot goes back as soon as the permit is dropped"]
pub struct Permit<'a, T> {
    chan: Option<&'a Chan<T>>,
}

/// A [`Permit`] that owns its sender, from [`Sender::reserve_owned`]; move it into
/// another task.
#[must_use = "the slot goes back as soon as the permit is dropped"]
pub struct OwnedPermit<T> {
    sender: Option<Sender<T>>,
}

sender_methods!(Sender);
receiver_methods!(Receiver);

impl<T> Sender<T> {
    /// Sends `message`, first waiting for a free slot (senders are served in the
    /// order they started waiting). Fails, handing the message back, if the receiver
    /// is gone or closed the channel.
    ///
    /// Dropping the future while it waits sends nothing, loses no slot, and keeps
    /// the order of the senders behind it.
    pub fn send(&self, message: T) -> impl Future<Output = Result<(), SendError<T>>> + '_ {
        Sending {
            chan: &self.chan,
            slot: self.chan.wait_for_slot(),
            message: Some(message),
        }
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
        self.chan
            .wait_for_slot()
            .await
            .map_err(|_closed| SendError(()))?;
        Ok(Permit {
            chan: Some(&self.chan),
        })
    }

    /// Reserves a free slot now, if one is free and no other sender waits for one.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        self.try_take_slot()?;
        Ok(Permit {
            chan: Some(&self.chan),
        })
    }

    /// Waits for a free slot and reserves it with a permit that owns this sender.
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<()>> {
        self.chan
            .wait_for_slot()
            .await
            .map_err(|_closed| SendError(()))?;
        Ok(OwnedPermit { sender: Some(self) })
    }

    /// Reserves a free slot now, with a permit that owns this sender.
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        match self.try_take_slot() {
            Ok(()) => Ok(OwnedPermit { sender: Some(self) }),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(self)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(self)),
        }
    }

    /// How many slots are free now.
    pub fn capacity(&self) -> usize {
        self.chan.slots().free.available_permits()
    }

    /// The channel's capacity, as created.
    pub fn max_capacity(&self) -> usize {
        self.chan.slots().capacity
    }

    fn try_take_slot(&self) -> Result<(), TrySendError<()>> {
        self.chan
            .slots()
            .free
            .take_now(1)
            .map_err(|refused| match refused {
                TryAcquireError::Closed => TrySendError::Closed(()),
                TryAcquireError::NoPermits => TrySendError::Full(()),
            })
    }
}

/// The future of [`Sender::send`]: a wait for a free slot, then the push.
struct Sending<'a, T> {
    chan: &'a Chan<T>,
    slot: SlotWait<'a, T>,
    /// Until it is sent, or handed back in the error.
    message: Option<T>,
}

// The message is moved, never pinned.
impl<T> Unpin for Sending<'_, T> {}

impl<T> Future for Sending<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let slot = ready!(Pin::new(&mut this.slot).poll(cx));
        let message = this.message.take().expect("polled after it completed");
        Poll::Ready(match slot {
            Ok(()) => {
                this.chan.push(message);
                Ok(())
            }
            Err(_closed) => Err(SendError(message)),
        })
    }
}

impl<T> Receiver<T> {
    /// How many slots are free now.
    pub fn capacity(&self) -> usize {
        self.chan.slots().free.available_permits()
    }

    /// The channel's capacity, as created.
    pub fn max_capacity(&self) -> usize {
        self.chan.slots().capacity
    }
}

impl<T> Permit<'_, T> {
    /// Sends `message` in the reserved slot (dropped at once if the receiver is gone).
    pub fn send(mut self, message: T) {
        if let Some(chan) = self.chan.take() {
            chan.push(message);
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

impl<T> OwnedPermit<T> {
    /// Sends `message` in the reserved slot and gives the sender back.
    pub fn send(mut self, message: T) -> Sender<T> {
        let sender = self.sender.take().expect("an unused permit has its sender");
        sender.chan.push(message);
        sender
    }

    /// Gives the slot back unused, and the sender with it.
    pub fn release(mut self) -> Sender<T> {
        let sender = self.sender.take().expect("an unused permit has its sender");
        sender.chan.unused_slot_returned();
        sender
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.take() {
            sender.chan.unused_slot_returned();
        }
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}
