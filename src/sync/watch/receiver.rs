//! The receiving half of a [`watch`](super) channel: the version it saw last, and its
//! place among the receivers waiting for a change.

#![deny(unsafe_code)]

use std::fmt;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::error::RecvError;
use super::{Receiver, Ref, Shared};
use crate::runtime::coop;
use crate::sync::wait_list::{Place, wake_all};

impl<T> Receiver<T> {
    pub(super) fn new(shared: Rc<Shared<T>>) -> Receiver<T> {
        let seen = shared.version.get();
        Receiver {
            shared,
            seen,
            place: Place::default(),
        }
    }

    /// The current value, leaving it unseen.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            value: self.shared.value.borrow(),
            has_changed: self.seen != self.shared.version.get(),
        }
    }

    /// The current value, marking it seen.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let version = self.shared.version.get();
        let has_changed = std::mem::replace(&mut self.seen, version) != version;
        Ref {
            value: self.shared.value.borrow(),
            has_changed,
        }
    }

    /// Whether the value changed since this receiver last marked it seen. An error
    /// once every sender is gone (as in tokio, even if a change is unseen).
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        if self.shared.senders.get() == 0 {
            return Err(RecvError(()));
        }
        Ok(self.seen != self.shared.version.get())
    }

    /// Marks the current value unseen: the next [`changed`](Self::changed) completes
    /// at once.
    pub fn mark_changed(&mut self) {
        self.seen = self.shared.version.get().wrapping_sub(1);
    }

    /// Marks the current value seen.
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.version.get();
    }

    /// Waits for a value this receiver has not seen, and marks it seen. An error once
    /// every sender is gone and no change is left unseen.
    ///
    /// Cancel-safe: dropping the future misses no change.
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        let wait = Changed { receiver: self };
        std::future::poll_fn(|cx| wait.receiver.poll_changed(cx)).await
    }

    /// Waits until `condition` holds for the value (checking the current value
    /// first), marking each value it looks at seen. An error if every sender is gone
    /// and the last value does not satisfy it.
    pub async fn wait_for(
        &mut self,
        mut condition: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        loop {
            if condition(&self.borrow_and_update()) {
                break;
            }
            self.changed().await?;
        }
        Ok(self.borrow())
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared)
    }

    fn poll_changed(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), RecvError>> {
        let version = self.shared.version.get();
        if version != self.seen {
            if !coop::proceed(cx.waker()) {
                return Poll::Pending;
            }
            self.seen = version;
            self.leave();
            return Poll::Ready(Ok(()));
        }
        if self.shared.senders.get() == 0 {
            self.leave();
            return Poll::Ready(Err(RecvError(())));
        }
        self.place
            .wait(&mut self.shared.changed.borrow_mut(), cx.waker());
        Poll::Pending
    }

    fn leave(&mut self) {
        if self.place.is_queued() {
            self.place.leave(&mut self.shared.changed.borrow_mut());
        }
    }
}

/// The state of [`Receiver::changed`]: leaves the wait list when dropped.
struct Changed<'a, T> {
    receiver: &'a mut Receiver<T>,
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        self.receiver.leave();
    }
}

/// Every value this receiver has not seen, as it changes (the value at creation
/// counts as seen); ends once every sender is gone.
impl<T: Clone> futures_core::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        match this.poll_changed(cx) {
            Poll::Ready(Ok(())) => Poll::Ready(Some(this.shared.value.borrow().clone())),
            Poll::Ready(Err(RecvError(()))) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Receiver<T> {
        self.shared.receivers.set(self.shared.receivers.get() + 1);
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
            place: Place::default(),
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.leave();
        let left = self.shared.receivers.get() - 1;
        self.shared.receivers.set(left);
        if left == 0 {
            wake_all((), || self.shared.receivers_gone.borrow_mut());
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("value", &self.shared.value.try_borrow().ok())
            .field("has_changed", &(self.seen != self.shared.version.get()))
            .finish()
    }
}
