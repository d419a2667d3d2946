//! The unbounded channel's halves: sending never waits.

#![deny(unsafe_code)]

use std::rc::Rc;

use super::chan::Chan;
use super::error::SendError;
use crate::sync::halves::{receiver_methods, sender_methods};

/// Sends messages into an [`unbounded_channel`](super::unbounded_channel); clone it
/// for more senders. `!Send`: for a sender on another thread, see
/// [`remote::mpsc`](crate::sync::remote::mpsc).
pub struct UnboundedSender<T> {
    pub(super) chan: Rc<Chan<T>>,
}

/// Receives the messages of an [`unbounded_channel`](super::unbounded_channel).
/// `!Send`.
pub struct UnboundedReceiver<T> {
    pub(super) chan: Rc<Chan<T>>,
}

sender_methods!(UnboundedSender);
receiver_methods!(UnboundedReceiver);

impl<T> UnboundedSender<T> {
    /// Queues `message` at once (it never waits: the queue grows as needed). Fails,
    /// handing the message back, if the receiver is gone or closed the channel.
    pub fn send(&self, message: T) -> Result<(), SendError<T>> {
        if self.chan.is_closed() {
            return Err(SendError(message));
        }
        self.chan.push(message);
        Ok(())
    }
}
