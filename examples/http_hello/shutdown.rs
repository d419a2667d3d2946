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
    /// Every open connection, by id, with its task's waker once the task has run:
    /// `begin` wakes them all, so that a connection waiting for its next request sees
    /// `stopping`. (A task that has not run yet sees it when it first reads.)
    connections: RefCell<HashMap<u64, Option<Waker>>>,
    next_id: Cell<u64>,
    /// The main task, waiting in `all_closed` for the last connection to close.
    drained: RefCell<Option<Waker>>,
}

impl Shutdown {
    /// Counts a new connection as open until the returned guard drops. Called by the
    /// accept loop, so that the count is right at once, before the connection's task
    /// has run.
    pub fn track(self: &Rc<Self>) -> Tracked {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.connections.borrow_mut().insert(id, None);
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
        let wakers: Vec<Waker> = self
            .connections
            .borrow()
            .values()
            .flatten()
            .cloned()
            .collect();
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

impl Tracked {
    /// Stores the connection task's waker, for `begin` to wake. A task's waker stays
    /// the same for the task's whole life, so this is done once, not on every poll.
    pub async fn register_task(&self) {
        let waker = poll_fn(|cx| Poll::Ready(cx.waker().clone())).await;
        let mut connections = self.shutdown.connections.borrow_mut();
        if let Some(slot) = connections.get_mut(&self.id) {
            *slot = Some(waker);
        }
    }
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
