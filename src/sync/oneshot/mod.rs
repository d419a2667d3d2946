//! A one-shot channel: one value, sent once, from one task to another.
//!
//! The usual way for a task to get an answer back: send a request that carries a
//! [`Sender`], await the [`Receiver`]. The receiver is itself the future.
//!
//! Same names and semantics as tokio's `sync::oneshot`, except that the halves are
//! `!Send`: the shared state is a few `Cell`s in one `Rc`, with no atomics. For a
//! sender on another thread, use [`remote::oneshot`](crate::sync::remote::oneshot).
//!
//! # Examples
//!
//! ```
//! use evloop::sync::oneshot;
//!
//! evloop::block_on(async {
//!     let (tx, rx) = oneshot::channel();
//!     evloop::spawn(async move {
//!         let _ = tx.send(6 * 7);
//!     });
//!     assert_eq!(rx.await, Ok(42));
//!
//!     let (tx, rx) = oneshot::channel::<u32>();
//!     drop(tx); // never sent
//!     assert!(rx.await.is_err());
//! });
//! ```

#![deny(unsafe_code)]

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::waker_slot::WakerSlot;
use crate::runtime::coop;

/// Creates a one-shot channel.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Rc::new(Shared {
        value: Cell::new(None),
        state: Cell::new(State::default()),
        receiver: WakerSlot::new(),
        sender: WakerSlot::new(),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// Sends the one value; see the [module docs](self). `!Send`.
pub struct Sender<T> {
    shared: Rc<Shared<T>>,
}

/// Receives the one value by being awaited; see the [module docs](self). `!Send`.
#[must_use = "futures do nothing unless polled"]
pub struct Receiver<T> {
    shared: Rc<Shared<T>>,
}

struct Shared<T> {
    value: Cell<Option<T>>,
    state: Cell<State>,
    /// The receiver, waiting for the value.
    receiver: WakerSlot,
    /// The sender, waiting in `closed()`.
    sender: WakerSlot,
}

/// What has happened so far; each flag is set once and never cleared, except
/// `has_value`, cleared when the receiver takes the value.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    /// A value was sent and not yet taken.
    has_value: bool,
    /// The sender is gone (after sending, or without).
    sender_gone: bool,
    /// The receiver closed the channel or is gone: `send` fails.
    receiver_closed: bool,
}

pub mod error;

use error::{RecvError, TryRecvError};

impl<T> Shared<T> {
    fn update(&self, change: impl FnOnce(&mut State)) {
        let mut state = self.state.get();
        change(&mut state);
        self.state.set(state);
    }

    fn take_value(&self) -> T {
        self.update(|state| state.has_value = false);
        self.value.take().expect("has_value says it is there")
    }
}

impl<T> Sender<T> {
    /// Sends `value`, waking the receiver. Fails, handing it back, if the receiver
    /// is gone or closed the channel.
    pub fn send(self, value: T) -> Result<(), T> {
        if self.shared.state.get().receiver_closed {
            return Err(value);
        }
        self.shared.value.set(Some(value));
        self.shared.update(|state| state.has_value = true);
        self.shared.receiver.wake();
        Ok(())
    }

    /// Waits until the receiver is dropped or closes the channel (so the answer is
    /// no longer wanted: stop working on it).
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// The poll behind [`closed`](Self::closed).
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_closed() {
            return Poll::Ready(());
        }
        self.shared.sender.register(cx.waker());
        Poll::Pending
    }

    /// Whether the receiver is dropped or closed the channel.
    pub fn is_closed(&self) -> bool {
        self.shared.state.get().receiver_closed
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let state = self.shared.state.get();
        self.shared.update(|state| state.sender_gone = true);
        if !state.has_value {
            // Dropped without sending: the receiver must learn there is nothing.
            self.shared.receiver.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// The value now, if it was sent.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let state = self.shared.state.get();
        if state.has_value {
            Ok(self.shared.take_value())
        } else if state.sender_gone || state.receiver_closed {
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Refuses the value from now on (`send` fails), and wakes a sender waiting in
    /// [`Sender::closed`]. A value sent before can still be taken; with none, the
    /// receiver is over at once, as in tokio (no value can come any more).
    pub fn close(&mut self) {
        if self.shared.state.get().receiver_closed {
            return;
        }
        self.shared.update(|state| state.receiver_closed = true);
        self.shared.sender.wake();
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let shared = &*self.shared;
        let state = shared.state.get();
        if state.has_value {
            if !coop::proceed(cx.waker()) {
                return Poll::Pending;
            }
            return Poll::Ready(Ok(shared.take_value()));
        }
        if state.sender_gone || state.receiver_closed {
            return Poll::Ready(Err(RecvError(())));
        }
        shared.receiver.register(cx.waker());
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
            .field("state", &self.shared.state.get())
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("state", &self.shared.state.get())
            .finish_non_exhaustive()
    }
}
