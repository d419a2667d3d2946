//! The I/O driver: one epoll instance, and the code that turns its events into wakes.
//!
//! The loop parks here. The runtime's eventfd is registered under a token of its own
//! ([`NOTIFY_TOKEN`]) that never reaches the table of sources: its only job is to make
//! `epoll_wait` return when another thread wakes a task.

#![deny(unsafe_code)]

use std::cell::RefCell;
use std::io;
use std::os::fd::AsFd;
use std::time::Duration;

use crate::sys::epoll::{Epoll, Events};

/// The token of the runtime's own eventfd.
const NOTIFY_TOKEN: u64 = u64::MAX;

/// One runtime's epoll instance and its event buffer.
#[derive(Debug)]
pub(crate) struct Reactor {
    epoll: Epoll,
    events: RefCell<Events>,
}

impl Reactor {
    /// Creates the epoll instance and registers the runtime's eventfd with it.
    pub(crate) fn new(notifier: &impl AsFd, event_capacity: usize) -> io::Result<Reactor> {
        let epoll = Epoll::new()?;
        epoll.add(
            notifier.as_fd(),
            NOTIFY_TOKEN,
            (libc::EPOLLIN | libc::EPOLLET) as u32,
        )?;
        Ok(Reactor {
            epoll,
            events: RefCell::new(Events::with_capacity(event_capacity)),
        })
    }

    /// Whether any source is registered, i.e. whether a non-blocking turn could find
    /// anything.
    pub(crate) fn has_sources(&self) -> bool {
        false
    }

    /// Waits up to `timeout` (`None`: forever) for events and dispatches them.
    pub(crate) fn turn(&self, timeout: Option<Duration>) -> io::Result<()> {
        let mut events = self.events.borrow_mut();
        self.epoll.wait(&mut events, timeout)?;
        for event in events.iter() {
            if event.token == NOTIFY_TOKEN {
                continue;
            }
        }
        Ok(())
    }
}
