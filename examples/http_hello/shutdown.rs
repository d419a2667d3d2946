//! Graceful shutdown, by hand: the accept loop and every connection share one
//! [`Shutdown`]. When it begins, idle connections close at once, busy ones after the
//! request they are answering, and the main task waits for the count to reach zero.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

/// The server's shutdown state, shared (`Rc`) by the main task and the connections.
#[derive(Default)]
pub struct Shutdown {
    /// Set once a signal came: answer the request in progress, then close.
    stopping: Cell<bool>,
    /// The task waker of every open connection, by connection id: `begin` wakes them
    /// all, so that a connection waiting for its next request sees `stopping`.
    connections: RefCell<HashMap<u64, Waker>>,
    next_id: Cell<u64>,
    /// The main task, waiting in `all_closed` for the last connection to close.
    drained: RefCell<Option<Waker>>,
}

impl Shutdown {
    /// Counts the calling task as an open connection until the returned guard drops.
    ///
    /// A task's waker stays the same for the task's whole life, so it is stored once
    /// here, not on every poll.
    pub async fn track(self: &Rc<Self>) -> Tracked {
        let waker = poll_fn(|cx| Poll::Ready(cx.waker().clone())).await;
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.connections.borrow_mut().insert(id, waker);
        Tracked {
            shutdown: self.clone(),
            id,
        }
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.get()
    }

    /// Starts the shutdown and wakes every connection. For a busy one the wake-up is
    /// spurious (it finds its socket still pending and waits again); an idle one sees
    /// `stopping` and closes.
    pub fn begin(&self) {
        self.stopping.set(true);
        // Clone the wakers out first: no borrow may be live while tasks are woken.
        let wakers: Vec<Waker> = self.connections.borrow().values().cloned().collect();
        wakers.into_iter().for_each(Waker::wake);
    }

    /// How many connections are open.
    pub fn open(&self) -> usize {
        self.connections.borrow().len()
    }

    /// Waits until no connection is open.
    pub async fn all_closed(&self) {
        poll_fn(|cx| {
            if self.open() == 0 {
                return Poll::Ready(());
            }
            *self.drained.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

/// One open connection, counted by its [`Shutdown`] until dropped.
pub struct Tracked {
    shutdown: Rc<Shutdown>,
    id: u64,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let shutdown = &self.shutdown;
        shutdown.connections.borrow_mut().remove(&self.id);
        if shutdown.open() == 0 {
            let drained = shutdown.drained.borrow_mut().take();
            if let Some(waker) = drained {
                waker.wake();
            }
        }
    }
}
