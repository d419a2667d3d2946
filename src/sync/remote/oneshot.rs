//! A one-shot channel whose sender works from any thread (`Send + Sync` for
//! `T: Send`): the way for a std thread or another runtime to hand one answer back
//! to a task.
//!
//! The API is [`sync::oneshot`](crate::sync::oneshot)'s (and tokio's), with the same
//! error types; the state is behind a `Mutex` instead of in `Cell`s.
//!
//! # Examples
//!
//! ```
//! use evloop::sync::remote::oneshot;
//!
//! evloop::block_on(async {
//!     let (tx, rx) = oneshot::channel();
//!     let worker = std::thread::spawn(move || tx.send("from a thread").unwrap());
//!     assert_eq!(rx.await, Ok("from a thread"));
//!     worker.join().unwrap();
//! });
//! ```

#![deny(unsafe_code)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

pub use crate::sync::oneshot::error;

use crate::runtime::coop;
use error::{RecvError, TryRecvError};

/// Creates a one-shot channel whose sender may move to another thread.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Mutex::new(State {
        value: None,
        receiver: None,
        sender: None,
        sender_gone: false,
        receiver_closed: false,
    }));
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// Sends the one value, from any thread.
pub struct Sender<T> {
    shared: Arc<Mutex<State<T>>>,
}

/// Receives the one value by being awaited in a task.
#[must_use = "futures do nothing unless polled"]
pub struct Receiver<T> {
    shared: Arc<Mutex<State<T>>>,
}

struct State<T> {
    value: Option<T>,
    /// The receiver, waiting for the value.
    receiver: Option<Waker>,
    /// The sender, waiting in `closed()`.
    sender: Option<Waker>,
    sender_gone: bool,
    receiver_closed: bool,
}

/// Locks the state, ignoring poisoning: no user code runs under the lock (wakers are
/// woken after it is released, values dropped by their owner).
fn lock<T>(shared: &Mutex<State<T>>) -> MutexGuard<'_, State<T>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Stores `waker` in `slot` unless the one there wakes the same task.
fn store(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(current) if current.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

impl<T> Sender<T> {
    /// Sends `value`, waking the receiver. Fails, handing it back, if the receiver
    /// is gone or closed the channel.
    pub fn send(self, value: T) -> Result<(), T> {
        let receiver = {
            let mut state = lock(&self.shared);
            if state.receiver_closed {
                return Err(value);
            }
            state.value = Some(value);
            state.receiver.take()
        };
        if let Some(receiver) = receiver {
            receiver.wake();
        }
        Ok(())
    }

    /// Waits until the receiver is dropped or closes the channel.
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// The poll behind [`closed`](Self::closed).
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.shared);
        if state.receiver_closed {
            return Poll::Ready(());
        }
        store(&mut state.sender, cx.waker());
        Poll::Pending
    }

    /// Whether the receiver is dropped or closed the channel.
    pub fn is_closed(&self) -> bool {
        lock(&self.shared).receiver_closed
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let receiver = {
            let mut state = lock(&self.shared);
            state.sender_gone = true;
            // Woken by `send` already if it sent; else it must learn nothing comes.
            if state.value.is_some() {
                None
            } else {
                state.receiver.take()
            }
        };
        if let Some(receiver) = receiver {
            receiver.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// The value now, if it was sent.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = lock(&self.shared);
        match state.value.take() {
            Some(value) => Ok(value),
            // Closed with nothing sent: nothing can arrive any more.
            None if state.sender_gone || state.receiver_closed => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Refuses the value from now on (`send` fails), and wakes a sender waiting in
    /// [`Sender::closed`]. A value sent before can still be taken.
    pub fn close(&mut self) {
        let sender = {
            let mut state = lock(&self.shared);
            state.receiver_closed = true;
            state.sender.take()
        };
        if let Some(sender) = sender {
            sender.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = lock(&self.shared);
        if state.value.is_some() {
            drop(state);
            if !coop::proceed(cx.waker()) {
                return Poll::Pending;
            }
            let value = lock(&self.shared).value.take();
            return Poll::Ready(Ok(value.expect("only the receiver takes the value")));
        }
        if state.sender_gone || state.receiver_closed {
            return Poll::Ready(Err(RecvError(())));
        }
        store(&mut state.receiver, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
