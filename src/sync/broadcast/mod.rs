//! A broadcast channel: every receiver gets a copy of every value, from a bounded ring.
//!
//! Senders write into a ring of `capacity` slots; each receiver keeps its own position
//! in it. A value stays in its slot until every receiver that existed when it was
//! sent has read it, or until the ring comes round and a newer value takes the slot.
//! A receiver that falls that far behind has missed values: its next `recv` returns
//! [`RecvError::Lagged`] with how many, and the one after
//! returns the oldest value still held. So a slow receiver costs memory only up to
//! the ring's size, and never slows the senders.
//!
//! Same names and semantics as tokio's `sync::broadcast` (which rounds the capacity up
//! to a power of two; here it is exactly what you ask), except that the halves are
//! `!Send`: the ring is a `RefCell`.
//!
//! # Examples
//!
//! ```
//! use evloop::sync::broadcast::{self, error::RecvError};
//!
//! evloop::block_on(async {
//!     let (tx, mut fast) = broadcast::channel(2);
//!     let mut slow = tx.subscribe();
//!     for n in 1..=3 {
//!         tx.send(n).unwrap();
//!         assert_eq!(fast.recv().await, Ok(n));
//!     }
//!     // `slow` read nothing: value 1 was pushed out of the ring by value 3.
//!     assert_eq!(slow.recv().await, Err(RecvError::Lagged(1)));
//!     assert_eq!(slow.recv().await, Ok(2));
//!     assert_eq!(slow.recv().await, Ok(3));
//!     drop(tx);
//!     assert_eq!(slow.recv().await, Err(RecvError::Closed));
//! });
//! ```

#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::fmt;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::wait_list::{Place, WaitList, wake_all};
use crate::runtime::coop;

/// Creates a broadcast channel whose ring holds `capacity` values.
///
/// # Panics
///
/// If `capacity` is 0, or more than `usize::MAX / 2`.
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "evloop: broadcast channel capacity cannot be zero"
    );
    assert!(
        capacity <= usize::MAX / 2,
        "evloop: broadcast channel capacity exceeds usize::MAX / 2"
    );
    let shared = Rc::new(Shared {
        ring: RefCell::new(Ring::new(capacity)),
        senders: Cell::new(1),
        receivers: Cell::new(1),
        waiting: RefCell::new(WaitList::new()),
    });
    let receiver = Receiver {
        shared: shared.clone(),
        next: 0,
        place: Place::default(),
    };
    (Sender { shared }, receiver)
}

/// Sends values to every receiver; clone it for more senders. `!Send`.
pub struct Sender<T> {
    shared: Rc<Shared<T>>,
}

/// Receives every value sent after it was created. `!Send`.
pub struct Receiver<T> {
    shared: Rc<Shared<T>>,
    /// The position of the next value this receiver reads.
    next: u64,
    /// Its place among the receivers waiting for a value.
    place: Place,
}

struct Shared<T> {
    ring: RefCell<Ring<T>>,
    senders: Cell<usize>,
    receivers: Cell<usize>,
    /// Receivers that read everything and wait for the next value.
    waiting: RefCell<WaitList<()>>,
}

pub mod error;
mod ring;

use error::{RecvError, SendError, TryRecvError};
use ring::{Read, Ring};

impl<T> Sender<T> {
    /// Sends `value` to every receiver; returns how many there are. Fails, handing
    /// the value back, if there is none. Never waits: a full ring drops its oldest
    /// value, and receivers that had not read it will see `Lagged`.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let receivers = self.shared.receivers.get();
        if receivers == 0 {
            return Err(SendError(value));
        }
        let evicted = self.shared.ring.borrow_mut().push(value, receivers);
        // Dropped with the ring released: a destructor may use the channel.
        drop(evicted);
        wake_all((), || self.shared.waiting.borrow_mut());
        Ok(receivers)
    }

    /// A new receiver, which gets the values sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver::at_end(self.shared.clone())
    }

    /// How many receivers there are.
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.get()
    }

    /// How many values the ring holds (not yet read by every receiver).
    pub fn len(&self) -> usize {
        self.shared.ring.borrow().held()
    }

    /// Whether the ring holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Receiver<T> {
    fn at_end(shared: Rc<Shared<T>>) -> Receiver<T> {
        shared.receivers.set(shared.receivers.get() + 1);
        let next = shared.ring.borrow().end();
        Receiver {
            shared,
            next,
            place: Place::default(),
        }
    }

    /// A new receiver of the same channel, starting at the values sent from now on
    /// (not at this one's position).
    pub fn resubscribe(&self) -> Receiver<T> {
        Receiver::at_end(self.shared.clone())
    }

    /// How many values were sent that this receiver has not read (including any it
    /// will learn it missed).
    pub fn len(&self) -> usize {
        (self.shared.ring.borrow().end() - self.next) as usize
    }

    /// Whether this receiver has read everything sent.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every sender is gone (values not yet read can still be received).
    pub fn is_closed(&self) -> bool {
        self.shared.senders.get() == 0
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared)
    }

    fn leave(&mut self) {
        if self.place.is_queued() {
            self.place.leave(&mut self.shared.waiting.borrow_mut());
        }
    }
}

impl<T: Clone> Receiver<T> {
    /// The next value, waiting for one. `Lagged(n)` if this receiver missed `n`
    /// values (the next call returns the oldest still held); `Closed` once every
    /// sender is gone and everything was read.
    ///
    /// Cancel-safe: dropping the future loses no value.
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        let wait = Recv { receiver: self };
        std::future::poll_fn(|cx| wait.receiver.poll_recv(cx)).await
    }

    /// The next value now, if one was sent.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let read = self.shared.ring.borrow_mut().read(&mut self.next);
        match read {
            Read::Value(value) => Ok(value),
            Read::Lagged(missed) => Err(TryRecvError::Lagged(missed)),
            Read::Empty if self.is_closed() => Err(TryRecvError::Closed),
            Read::Empty => Err(TryRecvError::Empty),
        }
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, RecvError>> {
        let has_news = self.next != self.shared.ring.borrow().end();
        if has_news {
            if !coop::proceed(cx.waker()) {
                return Poll::Pending;
            }
            self.leave();
            let read = self.shared.ring.borrow_mut().read(&mut self.next);
            return Poll::Ready(match read {
                Read::Value(value) => Ok(value),
                Read::Lagged(missed) => Err(RecvError::Lagged(missed)),
                Read::Empty => unreachable!("checked: something new"),
            });
        }
        if self.is_closed() {
            self.leave();
            return Poll::Ready(Err(RecvError::Closed));
        }
        self.place
            .wait(&mut self.shared.waiting.borrow_mut(), cx.waker());
        Poll::Pending
    }
}

/// The state of [`Receiver::recv`]: leaves the wait list when dropped.
struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        self.receiver.leave();
    }
}

/// Every value, as [`recv`](Receiver::recv) returns them: `Err` is only ever
/// [`RecvError::Lagged`]; where `recv` would say `Closed`, the stream ends.
impl<T: Clone> futures_core::Stream for Receiver<T> {
    type Item = Result<T, RecvError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.get_mut().poll_recv(cx) {
            Poll::Ready(Err(RecvError::Closed)) => Poll::Ready(None),
            Poll::Ready(result) => Poll::Ready(Some(result)),
            Poll::Pending => Poll::Pending,
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
            wake_all((), || self.shared.waiting.borrow_mut());
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.leave();
        self.shared.receivers.set(self.shared.receivers.get() - 1);
        // Pass every value not read yet, so the last reader's copy is freed now.
        let unread = self.shared.ring.borrow_mut().pass_all_from(self.next);
        drop(unread);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("receivers", &self.shared.receivers.get())
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("unread", &self.len())
            .finish_non_exhaustive()
    }
}
