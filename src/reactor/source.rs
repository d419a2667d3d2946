//! One registered file descriptor: what the reactor knows about its readiness, and
//! who waits for it.
//!
//! Each direction (read, write) has a `ready` flag and a list of waiting wakers:
//!
//! - an epoll event sets `ready` and takes the wakers (to wake them once the reactor
//!   has let go of its borrows);
//! - an operation that gets `EAGAIN` clears `ready` and the caller registers its waker.
//!
//! The whole runtime is one thread, so the reactor never runs in the middle of a poll:
//! between "the syscall said `EAGAIN`" and "clear `ready`" no event can slip in. That is
//! the race tokio guards against with readiness ticks; here it cannot happen.
//!
//! The flags start out `ready`: I/O is optimistic, the first read simply tries.

#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::RawFd;
use std::rc::Weak;
use std::task::{Context, Poll, Waker};

use super::Reactor;
use crate::runtime::coop;

/// Which way data flows; indexes the per-direction state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Readable: data, a connection to accept, or the peer's end of stream.
    Read = 0,
    /// Writable: room in the send buffer, or a finished `connect`.
    Write = 1,
}

/// A slot in the reactor's table plus the generation of that slot; packed into the
/// `u64` epoll hands back with each event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SourceKey {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl SourceKey {
    pub(crate) fn to_token(self) -> u64 {
        (u64::from(self.generation) << 32) | u64::from(self.index)
    }

    pub(crate) fn from_token(token: u64) -> SourceKey {
        SourceKey {
            index: token as u32,
            generation: (token >> 32) as u32,
        }
    }
}

/// The state of one registered fd, shared (`Rc`) by the reactor's table and the I/O
/// object that owns the fd.
#[derive(Debug)]
pub(crate) struct Source {
    /// The registered fd; owned by the I/O object, which outlives its registration.
    pub(crate) fd: RawFd,
    pub(crate) key: SourceKey,
    /// The reactor this fd is registered with; weak, so an fd that outlives its
    /// runtime does not keep the reactor alive (there is nothing left to deregister).
    pub(crate) reactor: Weak<Reactor>,
    directions: [DirectionState; 2],
}

#[derive(Debug)]
struct DirectionState {
    /// The last operation did not see `EAGAIN`, or an event came since.
    ready: Cell<bool>,
    /// The peer closed this direction or the socket failed: no further edge would
    /// set readiness again, so a short transfer must not clear it (reads see EOF or
    /// the error). Only an `EAGAIN` ends it: a datagram socket's error is transient.
    closed: Cell<bool>,
    waiters: RefCell<Waiters>,
}

/// The tasks waiting for one direction. Almost always exactly one, so it is kept
/// inline; more (e.g. `readable()` awaited by two tasks) spill into a `Vec`.
#[derive(Debug, Default)]
struct Waiters {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl Waiters {
    fn register(&mut self, waker: &Waker) {
        match &self.first {
            None => self.first = Some(waker.clone()),
            Some(first) if first.will_wake(waker) => {}
            Some(_) => {
                if !self.rest.iter().any(|w| w.will_wake(waker)) {
                    self.rest.push(waker.clone());
                }
            }
        }
    }

    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    fn take_into(&mut self, wakers: &mut Vec<Waker>) {
        wakers.extend(self.first.take());
        wakers.append(&mut self.rest);
    }
}

impl DirectionState {
    fn new() -> DirectionState {
        DirectionState {
            ready: Cell::new(true),
            closed: Cell::new(false),
            waiters: RefCell::default(),
        }
    }
}

// Event bits, by what they mean for each direction.
const READ_READY: u32 =
    (libc::EPOLLIN | libc::EPOLLPRI | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;
const WRITE_READY: u32 = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;
const READ_CLOSED: u32 = (libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;
const WRITE_CLOSED: u32 = (libc::EPOLLHUP | libc::EPOLLERR) as u32;

impl Source {
    pub(crate) fn new(fd: RawFd, key: SourceKey, reactor: Weak<Reactor>) -> Source {
        Source {
            fd,
            key,
            reactor,
            directions: [DirectionState::new(), DirectionState::new()],
        }
    }

    fn state(&self, direction: Direction) -> &DirectionState {
        &self.directions[direction as usize]
    }

    /// Applies an epoll event: marks directions ready and moves their waiters into
    /// `wakers`, for the reactor to wake after it has released its borrows.
    pub(crate) fn on_event(&self, bits: u32, wakers: &mut Vec<Waker>) {
        for (direction, ready_bits, closed_bits) in [
            (Direction::Read, READ_READY, READ_CLOSED),
            (Direction::Write, WRITE_READY, WRITE_CLOSED),
        ] {
            if bits & ready_bits != 0 {
                let state = self.state(direction);
                state.ready.set(true);
                if bits & closed_bits != 0 {
                    state.closed.set(true);
                }
                state.waiters.borrow_mut().take_into(wakers);
            }
        }
    }

    /// How many wakers [`on_event`](Self::on_event) would take for an event with
    /// `bits` (for the loop trace, which looks before the event is applied).
    pub(crate) fn waiters_for(&self, bits: u32) -> usize {
        [
            (Direction::Read, READ_READY),
            (Direction::Write, WRITE_READY),
        ]
        .into_iter()
        .filter(|&(_, ready_bits)| bits & ready_bits != 0)
        .map(|(direction, _)| self.state(direction).waiters.borrow().len())
        .sum()
    }

    /// Marks a direction ready and returns its waiters (used when the reactor learns
    /// of readiness without an event, e.g. an fd was freed for a waiting listener).
    pub(crate) fn force_ready(&self, direction: Direction, wakers: &mut Vec<Waker>) {
        let state = self.state(direction);
        state.ready.set(true);
        state.waiters.borrow_mut().take_into(wakers);
    }

    /// Whether an operation in `direction` may succeed without waiting.
    pub(crate) fn is_ready(&self, direction: Direction) -> bool {
        self.state(direction).ready.get()
    }

    /// The operation saw `EAGAIN` (or a short transfer proved the buffer drained or
    /// full): wait for the next edge. A closed direction stays ready.
    pub(crate) fn clear_ready(&self, direction: Direction) {
        let state = self.state(direction);
        if !state.closed.get() {
            state.ready.set(false);
        }
    }

    /// The kernel answered `EAGAIN`: the direction is not ready, whatever an earlier
    /// event said. That also ends `closed`: on a datagram socket an error event (an
    /// ICMP "port unreachable" on connected UDP) is consumed by the one call that
    /// reports it, and the socket then waits for edges as before. A direction that
    /// is closed for good never answers `EAGAIN` (reads give end of stream or the
    /// error, writes the error), so no readiness is lost.
    fn saw_would_block(&self, direction: Direction) {
        let state = self.state(direction);
        state.ready.set(false);
        state.closed.set(false);
    }

    /// Stores `waker` to be woken when `direction` becomes ready.
    pub(crate) fn register(&self, direction: Direction, waker: &Waker) {
        self.state(direction).waiters.borrow_mut().register(waker);
    }

    /// `Ready` once `direction` is ready; otherwise registers the waker.
    pub(crate) fn poll_ready(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        if self.is_ready(direction) {
            return Poll::Ready(Ok(()));
        }
        self.register(direction, cx.waker());
        Poll::Pending
    }

    /// The one readiness loop every I/O operation goes through: spend one unit of the
    /// task's budget, wait until ready, try the operation, and on `EAGAIN` clear
    /// readiness and wait again. `EINTR` is retried. Other results go to the caller.
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut operation: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        loop {
            if !self.is_ready(direction) {
                self.register(direction, cx.waker());
                return Poll::Pending;
            }
            match operation() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.saw_would_block(direction),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return Poll::Ready(result),
            }
        }
    }

    /// Tries the operation once, without waiting: `WouldBlock` (and cleared readiness)
    /// if it is not ready.
    pub(crate) fn try_io<R>(
        &self,
        direction: Direction,
        mut operation: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        if !self.is_ready(direction) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        loop {
            match operation() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.saw_would_block(direction);
                    return Err(e);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn source() -> Source {
        Source::new(
            -1,
            SourceKey {
                index: 0,
                generation: 0,
            },
            Weak::new(),
        )
    }

    #[test]
    fn tokens_round_trip() {
        let key = SourceKey {
            index: 7,
            generation: 0xdead_beef,
        };
        assert_eq!(SourceKey::from_token(key.to_token()), key);
    }

    #[test]
    fn every_waiter_of_a_direction_is_woken_once() {
        let source = source();
        source.clear_ready(Direction::Read);
        let counters: Vec<_> = (0..3)
            .map(|_| Arc::new(CountingWaker(AtomicUsize::new(0))))
            .collect();
        for counter in &counters {
            source.register(Direction::Read, &Waker::from(counter.clone()));
        }
        let mut wakers = Vec::new();
        source.on_event(libc::EPOLLOUT as u32, &mut wakers);
        assert!(wakers.is_empty(), "a write event wakes no reader");
        source.on_event(libc::EPOLLIN as u32, &mut wakers);
        assert_eq!(wakers.len(), 3);
        wakers.drain(..).for_each(Waker::wake);
        assert!(counters.iter().all(|c| c.0.load(Ordering::Relaxed) == 1));
        assert!(source.is_ready(Direction::Read));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri gives each use of a vtable its own address, so will_wake may say no"
    )]
    fn registering_the_same_waker_again_keeps_one_entry() {
        let source = source();
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter);
        for _ in 0..3 {
            source.register(Direction::Write, &waker);
        }
        let mut wakers = Vec::new();
        source.on_event(libc::EPOLLOUT as u32, &mut wakers);
        assert_eq!(wakers.len(), 1);
    }

    #[test]
    fn closed_direction_stays_ready() {
        let source = source();
        source.on_event((libc::EPOLLIN | libc::EPOLLRDHUP) as u32, &mut Vec::new());
        source.clear_ready(Direction::Read);
        assert!(source.is_ready(Direction::Read));
        source.clear_ready(Direction::Write);
        assert!(!source.is_ready(Direction::Write));
    }

    #[test]
    fn would_block_after_an_error_event_clears_readiness() {
        let source = source();
        source.on_event(libc::EPOLLERR as u32, &mut Vec::new());
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut results: Vec<io::Result<()>> = vec![
            Err(io::ErrorKind::WouldBlock.into()),
            Err(io::ErrorKind::ConnectionRefused.into()),
        ];
        let poll = source.poll_io(Direction::Read, &mut cx, || results.pop().unwrap());
        assert!(
            matches!(poll, Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused)
        );
        // The error was the datagram socket's only news: the next call waits.
        let poll = source.poll_io(Direction::Read, &mut cx, || results.pop().unwrap());
        assert!(poll.is_pending());
        assert!(results.is_empty(), "one attempt, not a spin");
    }

    #[test]
    fn would_block_clears_readiness_and_registers() {
        let source = source();
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        let mut attempts = 0;
        let poll = source.poll_io(Direction::Read, &mut cx, || -> io::Result<()> {
            attempts += 1;
            Err(io::ErrorKind::WouldBlock.into())
        });
        assert!(poll.is_pending());
        assert_eq!(attempts, 1);
        assert!(!source.is_ready(Direction::Read));
        let mut wakers = Vec::new();
        source.on_event(libc::EPOLLIN as u32, &mut wakers);
        assert_eq!(wakers.len(), 1);
    }
}
