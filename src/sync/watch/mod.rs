//! A watch channel: one value that senders replace and receivers watch for changes.
//!
//! Receivers see the *latest* value, not every value: a receiver that looks after two
//! sends sees only the second. That suits configuration, state ("connected",
//! "draining") and shutdown signals, where only the present matters.
//!
//! Same names and semantics as tokio's `sync::watch`, except that the halves are
//! `!Send`: the value is a `RefCell` and the version a `Cell`.
//!
//! # Examples
//!
//! ```
//! use evloop::sync::watch;
//!
//! evloop::block_on(async {
//!     let (tx, mut rx) = watch::channel("starting");
//!     let watcher = evloop::spawn(async move {
//!         let mut seen = Vec::new();
//!         while rx.changed().await.is_ok() {
//!             seen.push(*rx.borrow_and_update());
//!         }
//!         seen // the sender is gone
//!     });
//!     evloop::task::yield_now().await;
//!     tx.send("running").unwrap();
//!     evloop::task::yield_now().await;
//!     tx.send("stopping").unwrap();
//!     drop(tx);
//!     assert_eq!(watcher.await.unwrap(), ["running", "stopping"]);
//! });
//! ```
//!
//! # Caveats
//!
//! [`Receiver::borrow`] lends the value through a `RefCell`: while a [`Ref`] is alive,
//! sending panics. Copy what you need out of it, and never hold one across `.await`
//! (in tokio that would block the sender; here it is caught at once).

#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::wait_list::{Place, WaitList, wake_all};

/// Creates a watch channel holding `initial`, which the first receiver counts as
/// seen.
pub fn channel<T>(initial: T) -> (Sender<T>, Receiver<T>) {
    let shared = Rc::new(Shared {
        value: RefCell::new(initial),
        version: Cell::new(0),
        senders: Cell::new(1),
        receivers: Cell::new(1),
        changed: RefCell::new(WaitList::new()),
        receivers_gone: RefCell::new(WaitList::new()),
    });
    let receiver = Receiver::new(shared.clone());
    (Sender { shared }, receiver)
}

/// Replaces the value; clone it for more senders. `!Send`.
pub struct Sender<T> {
    shared: Rc<Shared<T>>,
}

/// Watches the value; clone it (or [`Sender::subscribe`]) for more receivers. `!Send`.
pub struct Receiver<T> {
    shared: Rc<Shared<T>>,
    /// The version this receiver saw last.
    seen: u64,
    /// Its place among the receivers waiting for a change.
    place: Place,
}

/// A borrow of the value, from [`Receiver::borrow`] and friends. Sending panics while
/// it is alive: drop it soon, and never hold it across `.await`.
pub struct Ref<'a, T> {
    value: std::cell::Ref<'a, T>,
    has_changed: bool,
}

struct Shared<T> {
    value: RefCell<T>,
    /// Counts the changes; a receiver compares it with the version it saw.
    version: Cell<u64>,
    senders: Cell<usize>,
    receivers: Cell<usize>,
    /// Receivers waiting in `changed()`.
    changed: RefCell<WaitList<()>>,
    /// Senders waiting in `closed()` for the last receiver to go.
    receivers_gone: RefCell<WaitList<()>>,
}

pub mod error;
mod receiver;

use error::SendError;

/// What a send would panic with while a [`Ref`] is alive.
const BORROWED: &str = "evloop: a watch value was sent while a watch::Ref to it was still \
    alive; drop the Ref first (and never hold one across .await)";

impl<T> Shared<T> {
    /// Changes the value if `modify` says it did, then wakes the watchers.
    fn modify(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let changed = modify(&mut self.value.try_borrow_mut().expect(BORROWED));
        if changed {
            self.version.set(self.version.get().wrapping_add(1));
            wake_all((), || self.changed.borrow_mut());
        }
        changed
    }
}

impl<T> Sender<T> {
    /// Replaces the value and wakes the receivers. Fails, handing the value back and
    /// changing nothing, if every receiver is gone.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.receivers.get() == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value even with no receiver; returns the old one.
    pub fn send_replace(&self, value: T) -> T {
        let mut old = None;
        self.shared.modify(|current| {
            old = Some(std::mem::replace(current, value));
            true
        });
        old.expect("modify ran the closure")
    }

    /// Changes the value in place and wakes the receivers (even with none).
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.shared.modify(|value| {
            modify(value);
            true
        });
    }

    /// Changes the value in place; the receivers are woken only if `modify` returns
    /// `true`. Returns what `modify` returned.
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        self.shared.modify(modify)
    }

    /// The current value.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            value: self.shared.value.borrow(),
            has_changed: false,
        }
    }

    /// A new receiver, which counts the current value as seen.
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.receivers.set(self.shared.receivers.get() + 1);
        Receiver::new(self.shared.clone())
    }

    /// How many receivers there are.
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.get()
    }

    /// How many senders there are.
    pub fn sender_count(&self) -> usize {
        self.shared.senders.get()
    }

    /// Whether every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.receivers.get() == 0
    }

    /// Waits until every receiver is gone.
    pub async fn closed(&self) {
        let mut wait = ReceiversGone {
            shared: &self.shared,
            place: Place::default(),
        };
        std::future::poll_fn(|cx| wait.poll(cx)).await
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared)
    }
}

/// The state of [`Sender::closed`]; leaves the wait list when dropped.
struct ReceiversGone<'a, T> {
    shared: &'a Shared<T>,
    place: Place,
}

impl<T> ReceiversGone<'_, T> {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.shared.receivers.get() == 0 {
            return Poll::Ready(());
        }
        self.place
            .wait(&mut self.shared.receivers_gone.borrow_mut(), cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for ReceiversGone<'_, T> {
    fn drop(&mut self) {
        if self.place.is_queued() {
            self.place
                .leave(&mut self.shared.receivers_gone.borrow_mut());
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        self.shared.senders.set(self.shared.senders.get() + 1);
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let left = self.shared.senders.get() - 1;
        self.shared.senders.set(left);
        if left == 0 {
            wake_all((), || self.shared.changed.borrow_mut());
        }
    }
}

impl<T> Ref<'_, T> {
    /// Whether the value was unseen by the receiver when it was borrowed.
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("value", &self.shared.value.try_borrow().ok())
            .field("receivers", &self.shared.receivers.get())
            .finish()
    }
}
