//! The I/O driver: one epoll instance, a table of registered fds, and the code that
//! turns epoll's events into wakes.
//!
//! Every fd is registered once, edge-triggered, for reading, writing and hang-up, and
//! stays registered for its whole life: no `epoll_ctl` per read or write. The `u64`
//! epoll stores with each fd is the fd's [`SourceKey`] (table slot plus generation),
//! so an event for a slot that was freed and reused is recognised and dropped.
//!
//! The runtime's eventfd is registered under a token of its own ([`NOTIFY_TOKEN`])
//! that never reaches the table: its only job is to make `epoll_wait` return when
//! another thread wakes a task.

#![deny(unsafe_code)]

pub(crate) mod source;

use std::cell::RefCell;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::rc::{Rc, Weak};
use std::task::Waker;
use std::time::Duration;

pub(crate) use source::{Direction, Source, SourceKey};

use crate::sys::epoll::{Epoll, Events};

/// The token of the runtime's own eventfd. Source tokens never reach it: their slot
/// index stays below `u32::MAX`.
const NOTIFY_TOKEN: u64 = u64::MAX;

/// Readable, writable, peer hung up its write side, edge-triggered: the one interest
/// set every source is registered with.
const INTEREST: u32 = (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET) as u32;

/// One runtime's epoll instance, its event buffer and its table of sources.
#[derive(Debug)]
pub(crate) struct Reactor {
    epoll: Epoll,
    events: RefCell<Events>,
    sources: RefCell<SourceTable>,
    /// Wakers other than evloop tasks' met while dispatching, woken after every borrow
    /// is released (see `Source::on_event`).
    deferred: RefCell<Vec<Waker>>,
    /// Listeners whose `accept` failed for lack of file descriptors. No epoll edge
    /// will come for the connection still waiting in their queue, so they are made
    /// ready again whenever one of this runtime's fds is closed.
    waiting_for_fds: RefCell<Vec<Weak<Source>>>,
}

/// The registered sources by slot. Slots and their generations are two arrays, not
/// one of pairs: a pair would pad to 16 bytes, the two cost 12 per connection.
#[derive(Debug, Default)]
struct SourceTable {
    sources: Vec<Option<Rc<Source>>>,
    /// Bumped each time a slot is freed, so events for the old fd go stale.
    generations: Vec<u32>,
    free: Vec<u32>,
    len: usize,
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
            sources: RefCell::default(),
            deferred: RefCell::default(),
            waiting_for_fds: RefCell::default(),
        })
    }

    /// Whether any fd is registered, i.e. whether a non-blocking turn could find
    /// anything.
    pub(crate) fn has_sources(&self) -> bool {
        self.sources.borrow().len > 0
    }

    /// Registers `fd` for its whole life. The caller keeps the returned source and
    /// passes it to [`deregister`](Self::deregister) before closing the fd.
    pub(crate) fn register(self: &Rc<Self>, fd: BorrowedFd<'_>) -> io::Result<Rc<Source>> {
        let mut table = self.sources.borrow_mut();
        let index = match table.free.pop() {
            Some(index) => index,
            None => {
                let index = u32::try_from(table.sources.len())
                    .ok()
                    .filter(|&i| i < u32::MAX)
                    .ok_or_else(|| io::Error::other("too many registered file descriptors"))?;
                table.sources.push(None);
                table.generations.push(0);
                index
            }
        };
        let key = SourceKey {
            index,
            generation: table.generations[index as usize],
        };
        if let Err(error) = self.epoll.add(fd, key.to_token(), INTEREST) {
            table.free.push(index);
            return Err(explain_registration_error(error));
        }
        let source = Rc::new(Source::new(fd.as_raw_fd(), key, Rc::downgrade(self)));
        table.sources[index as usize] = Some(source.clone());
        table.len += 1;
        Ok(source)
    }

    /// Removes the source's fd from epoll and frees its slot. Called by the fd's owner
    /// before it closes the fd; errors are ignored (the fd is going away regardless).
    pub(crate) fn deregister(&self, source: &Source, fd: BorrowedFd<'_>) {
        let _ = self.epoll.delete(fd);
        let mut table = self.sources.borrow_mut();
        let key = source.key;
        let index = key.index as usize;
        if table.generations.get(index) == Some(&key.generation)
            && table.sources[index].take().is_some()
        {
            table.generations[index] = key.generation.wrapping_add(1);
            table.free.push(key.index);
            table.len -= 1;
        }
    }

    /// An fd of this runtime is about to close: listeners starved of fds may retry.
    pub(crate) fn fd_released(&self) {
        let waiting = std::mem::take(&mut *self.waiting_for_fds.borrow_mut());
        if waiting.is_empty() {
            return;
        }
        let mut deferred = Vec::new();
        for listener in waiting.iter().filter_map(Weak::upgrade) {
            listener.force_ready(Direction::Read, &mut deferred);
        }
        deferred.into_iter().for_each(Waker::wake);
    }

    /// Parks `listener` until an fd is released (see `waiting_for_fds`).
    pub(crate) fn wait_for_fd(&self, listener: &Rc<Source>) {
        listener.clear_ready(Direction::Read);
        self.waiting_for_fds
            .borrow_mut()
            .push(Rc::downgrade(listener));
    }

    /// Waits up to `timeout` (`None`: forever) for events, into the reused buffer.
    /// Returns how many epoll reported; [`dispatch`](Self::dispatch) then wakes
    /// whoever waits for them, before the next `wait` overwrites them.
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> io::Result<usize> {
        let mut events = self.events.borrow_mut();
        self.epoll.wait(&mut events, timeout)?;
        Ok(events.len())
    }

    /// Applies the events of the last [`wait`](Self::wait): marks their sources ready
    /// and wakes the wakers stored for them.
    pub(crate) fn dispatch(&self) {
        let mut deferred = self.deferred.borrow_mut();
        {
            let events = self.events.borrow();
            let table = self.sources.borrow();
            for event in events.iter() {
                if let Target::Source(source) = table.target(event.token) {
                    source.on_event(event.bits, &mut deferred);
                }
            }
        }
        if deferred.is_empty() {
            return;
        }
        // Wake with no borrow of the table or the buffer live: a waker may run code
        // that registers or deregisters fds.
        let mut wakers = std::mem::take(&mut *deferred);
        drop(deferred);
        wakers.drain(..).for_each(Waker::wake);
        *self.deferred.borrow_mut() = wakers;
    }

    /// Describes each event of the last [`wait`](Self::wait) to `f`, for the loop
    /// trace. Called before [`dispatch`](Self::dispatch), while the waiters it would
    /// wake are still stored.
    pub(crate) fn describe_events(&self, mut f: impl FnMut(EventInfo)) {
        let events = self.events.borrow();
        let table = self.sources.borrow();
        for event in events.iter() {
            f(match table.target(event.token) {
                Target::Notifier => EventInfo::Notifier,
                Target::Stale => EventInfo::Stale,
                Target::Source(source) => EventInfo::Fd {
                    fd: source.fd,
                    bits: event.bits,
                    waiters: source.waiters_for(event.bits),
                },
            });
        }
    }
}

/// One event, as the loop trace shows it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum EventInfo {
    /// The runtime's eventfd: another thread woke a task or the `block_on` future.
    Notifier,
    /// For a source deregistered after epoll queued the event; ignored.
    Stale,
    /// For a registered fd: the event bits epoll reported, and how many wakers wait
    /// for the directions those bits make ready.
    Fd {
        fd: RawFd,
        bits: u32,
        waiters: usize,
    },
}

/// What an event's token refers to.
enum Target<'a> {
    Notifier,
    Source(&'a Rc<Source>),
    /// The fd was deregistered after epoll queued this event.
    Stale,
}

impl SourceTable {
    fn target(&self, token: u64) -> Target<'_> {
        if token == NOTIFY_TOKEN {
            return Target::Notifier;
        }
        let key = SourceKey::from_token(token);
        let index = key.index as usize;
        match self.sources.get(index) {
            Some(Some(source)) if self.generations[index] == key.generation => {
                Target::Source(source)
            }
            _ => Target::Stale,
        }
    }
}

/// epoll refuses regular files and directories with `EPERM`: they are always "ready"
/// and reading them blocks on the disk. Say what to do instead.
fn explain_registration_error(error: io::Error) -> io::Error {
    if error.raw_os_error() == Some(libc::EPERM) {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "this file descriptor cannot be watched by epoll (regular files and \
             directories are never \"not ready\"); use evloop::fs, or run the blocking \
             calls with evloop::task::spawn_blocking",
        )
    } else {
        error
    }
}
