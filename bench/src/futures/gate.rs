//! One event that many tasks wait for: each waiter registers its waker once, and all
//! are woken when the gate opens. The parked-memory workload parks a million tasks on
//! one of these.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// The shared event; cloning gives another handle to the same gate.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    inner: Rc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    open: Cell<bool>,
    waiters: RefCell<Vec<Waker>>,
}

impl Gate {
    /// A closed gate whose waiter list already holds room for `waiters` wakers, in
    /// memory that has been touched: registering that many allocates and faults in
    /// nothing, so a resident-memory delta measures the runtime alone.
    pub fn with_capacity(waiters: usize) -> Gate {
        let mut list = vec![Waker::noop().clone(); waiters];
        list.clear();
        Gate {
            inner: Rc::new(Inner {
                open: Cell::new(false),
                waiters: RefCell::new(list),
            }),
        }
    }

    /// How many tasks have registered so far.
    pub fn waiting(&self) -> usize {
        self.inner.waiters.borrow().len()
    }

    /// Opens the gate and wakes every waiter.
    pub fn open(&self) {
        self.inner.open.set(true);
        let waiters = mem::take(&mut *self.inner.waiters.borrow_mut());
        for waker in waiters {
            waker.wake();
        }
    }

    /// Waits until the gate is open.
    pub fn wait(&self) -> Wait {
        Wait {
            gate: self.clone(),
            registered: false,
        }
    }
}

/// The future returned by [`Gate::wait`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Wait {
    gate: Gate,
    registered: bool,
}

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.gate.inner.open.get() {
            return Poll::Ready(());
        }
        if !self.registered {
            self.registered = true;
            self.gate
                .inner
                .waiters
                .borrow_mut()
                .push(cx.waker().clone());
        }
        Poll::Pending
    }
}
