//! One registered file descriptor: what the reactor knows about its readiness, and
//! who waits for it.
//!
//! Each direction (read, write) has a `ready` flag and a list of waiting wakers:
//!
//! - an epoll event sets `ready` and wakes the waiters: an evloop task's waker at once
//!   (that only queues the task), any other waker once the reactor has let go of its
//!   borrows (it may run any code, such as registering another fd);
//! - an operation that gets `EAGAIN` clears `ready` and the caller registers its waker.
//!
//! The whole runtime is one thread, so the reactor never runs in the middle of a poll:
//! between "the syscall said `EAGAIN`" and "clear `ready`" no event can slip in. That is
//! the race tokio guards against with readiness ticks; here it cannot happen.
//!
//! The flags start out `ready`: I/O is optimistic, the first read simply tries.

#![deny(unsafe_code)]

use std::cell::Cell;
use std::io;
use std::os::fd::RawFd;
use std::rc::Weak;
use std::task::{Context, Poll, Waker};

use super::Reactor;
use crate::runtime::coop;
use crate::runtime::task::is_task_waker;

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
pub(crate) struct Source {
    /// The registered fd; owned by the I/O object, which outlives its registration.
    pub(crate) fd: RawFd,
    /// Per direction, `READY` and `CLOSED` (see [`flag`]):
    /// - `READY`: the last operation did not see `EAGAIN`, or an event came since;
    /// - `CLOSED`: the peer closed this direction or the socket failed. No further
    ///   edge would set readiness again, so a short transfer must not clear it (reads
    ///   see end of stream or the error). Only an `EAGAIN` ends it: a datagram
    ///   socket's error is transient.
    flags: Cell<u8>,
    pub(crate) key: SourceKey,
    /// The reactor this fd is registered with; weak, so an fd that outlives its
    /// runtime does not keep the reactor alive (there is nothing left to deregister).
    pub(crate) reactor: Weak<Reactor>,
    /// The task waiting for each direction: almost always one at most, so kept inline.
    first: [Cell<Option<Waker>>; 2],
    /// Further waiters (e.g. `readable()` awaited by two tasks). Rare, so boxed: it
    /// costs one pointer per connection until used.
    more: Cell<Option<Box<MoreWaiters>>>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("fd", &self.fd)
            .field("key", &self.key)
            .field("readable", &self.is_ready(Direction::Read))
            .field("writable", &self.is_ready(Direction::Write))
            .finish()
    }
}

/// Waiters beyond the first of each direction, with the direction each waits for.
type MoreWaiters = Vec<(Direction, Waker)>;

/// Readiness flag of a direction (see `Source::flags`).
const READY: u8 = 1;
/// Closed flag of a direction (see `Source::flags`).
const CLOSED: u8 = 2;

/// The bit of `Source::flags` holding `which` (READY or CLOSED) for `direction`.
fn flag(direction: Direction, which: u8) -> u8 {
    which << (2 * direction as u8)
}

/// Wakes an evloop task's waker now: that only puts the task on a run queue, so it is
/// safe while the reactor holds its borrows, and skips a round trip through
/// `deferred`. Any other waker may run arbitrary code (register an fd, say), so it
/// goes to `deferred`, for the reactor to wake once its borrows are released.
fn wake_or_defer(waker: Waker, deferred: &mut Vec<Waker>) {
    if is_task_waker(&waker) {
        waker.wake();
    } else {
        deferred.push(waker);
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
            flags: Cell::new(flag(Direction::Read, READY) | flag(Direction::Write, READY)),
            key,
            reactor,
            first: [Cell::new(None), Cell::new(None)],
            more: Cell::new(None),
        }
    }

    fn has(&self, direction: Direction, which: u8) -> bool {
        self.flags.get() & flag(direction, which) != 0
    }

    fn set(&self, direction: Direction, which: u8, on: bool) {
        let bit = flag(direction, which);
        let flags = self.flags.get();
        self.flags.set(if on { flags | bit } else { flags & !bit });
    }

    /// Wakes the waiters of `direction`, or defers them (see [`wake_or_defer`]).
    ///
    /// Runs for both directions of every event, so the usual case (one waiter or
    /// none, nothing in `more`) stays small enough to inline; the rest is out of line.
    fn wake_waiters(&self, direction: Direction, deferred: &mut Vec<Waker>) {
        if let Some(waker) = self.first[direction as usize].take() {
            wake_or_defer(waker, deferred);
        }
        if let Some(more) = self.more.take() {
            self.wake_more_waiters(direction, more, deferred);
        }
    }

    /// The part of [`wake_waiters`](Self::wake_waiters) for the waiters beyond the
    /// first; puts back those waiting for the other direction.
    #[cold]
    #[inline(never)]
    fn wake_more_waiters(
        &self,
        direction: Direction,
        mut more: Box<MoreWaiters>,
        deferred: &mut Vec<Waker>,
    ) {
        more.extract_if(.., |(waiting_for, _)| *waiting_for == direction)
            .for_each(|(_, waker)| wake_or_defer(waker, deferred));
        if !more.is_empty() {
            self.more.set(Some(more));
        }
    }

    /// How many tasks wait for `direction`.
    fn waiter_count(&self, direction: Direction) -> usize {
        let first = self.first[direction as usize].take();
        let more = self.more.take();
        let count = usize::from(first.is_some())
            + more.as_ref().map_or(0, |more| {
                more.iter()
                    .filter(|(waiting_for, _)| *waiting_for == direction)
                    .count()
            });
        self.first[direction as usize].set(first);
        self.more.set(more);
        count
    }

    /// Applies an epoll event: marks directions ready and wakes their waiters, leaving
    /// in `deferred` those for the reactor to wake after it has released its borrows.
    pub(crate) fn on_event(&self, bits: u32, deferred: &mut Vec<Waker>) {
        for (direction, ready_bits, closed_bits) in [
            (Direction::Read, READ_READY, READ_CLOSED),
            (Direction::Write, WRITE_READY, WRITE_CLOSED),
        ] {
            if bits & ready_bits != 0 {
                self.set(direction, READY, true);
                if bits & closed_bits != 0 {
                    self.set(direction, CLOSED, true);
                }
                self.wake_waiters(direction, deferred);
            }
        }
    }

    /// How many wakers [`on_event`](Self::on_event) would wake for an event with
    /// `bits` (for the loop trace, which looks before the event is applied).
    pub(crate) fn waiters_for(&self, bits: u32) -> usize {
        [
            (Direction::Read, READ_READY),
            (Direction::Write, WRITE_READY),
        ]
        .into_iter()
        .filter(|&(_, ready_bits)| bits & ready_bits != 0)
        .map(|(direction, _)| self.waiter_count(direction))
        .sum()
    }

    /// Marks a direction ready and wakes its waiters (used when the reactor learns
    /// of readiness without an event, e.g. an fd was freed for a waiting listener).
    pub(crate) fn force_ready(&self, direction: Direction, deferred: &mut Vec<Waker>) {
        self.set(direction, READY, true);
        self.wake_waiters(direction, deferred);
    }

    /// Whether an operation in `direction` may succeed without waiting.
    pub(crate) fn is_ready(&self, direction: Direction) -> bool {
        self.has(direction, READY)
    }

    /// The operation saw `EAGAIN` (or a short transfer proved the buffer drained or
    /// full): wait for the next edge. A closed direction stays ready.
    pub(crate) fn clear_ready(&self, direction: Direction) {
        if !self.has(direction, CLOSED) {
            self.set(direction, READY, false);
        }
    }

    /// The kernel answered `EAGAIN`: the direction is not ready, whatever an earlier
    /// event said. That also ends `closed`: on a datagram socket an error event (an
    /// ICMP "port unreachable" on connected UDP) is consumed by the one call that
    /// reports it, and the socket then waits for edges as before. A direction that
    /// is closed for good never answers `EAGAIN` (reads give end of stream or the
    /// error, writes the error), so no readiness is lost.
    fn saw_would_block(&self, direction: Direction) {
        self.set(direction, READY, false);
        self.set(direction, CLOSED, false);
    }

    /// Stores `waker` to be woken when `direction` becomes ready.
    ///
    /// Every read that finds no data comes here, almost always with no waiter stored
    /// (the last event took it), so that case stays small and the rest is out of line.
    pub(crate) fn register(&self, direction: Direction, waker: &Waker) {
        let first = &self.first[direction as usize];
        match first.take() {
            None => first.set(Some(waker.clone())),
            Some(current) => {
                let same = current.will_wake(waker);
                first.set(Some(current));
                if !same {
                    self.register_more(direction, waker);
                }
            }
        }
    }

    /// A second task waits for `direction`: keeps its waker in `more`, once.
    #[cold]
    #[inline(never)]
    fn register_more(&self, direction: Direction, waker: &Waker) {
        let mut more = self.more.take().unwrap_or_default();
        let known = more
            .iter()
            .any(|(waiting_for, w)| *waiting_for == direction && w.will_wake(waker));
        if !known {
            more.push((direction, waker.clone()));
        }
        self.more.set(Some(more));
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

    /// The one readiness loop every I/O operation goes through: wait until ready,
    /// spend one unit of the task's budget, try the operation, and on `EAGAIN` clear
    /// readiness and wait again. `EINTR` is retried. Other results go to the caller.
    ///
    /// Readiness is checked before the budget: an operation that only registers its
    /// waker does no I/O, so it spends nothing (and skips the thread-local).
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut operation: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        if !self.is_ready(direction) {
            self.register(direction, cx.waker());
            return Poll::Pending;
        }
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        loop {
            match operation() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.saw_would_block(direction);
                    self.register(direction, cx.waker());
                    return Poll::Pending;
                }
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
    use waker_fn::waker_fn;

    /// A waker that counts its wakes, and the count.
    fn counting_waker() -> (Waker, Arc<AtomicUsize>) {
        let wakes = Arc::new(AtomicUsize::new(0));
        let count = wakes.clone();
        let waker = waker_fn(move || {
            count.fetch_add(1, Ordering::Relaxed);
        });
        (waker, wakes)
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

    /// Every connection has one: 64 bytes keep its `Rc` allocation at 96 bytes.
    #[test]
    fn a_source_is_small() {
        assert!(size_of::<Source>() <= 64, "{}", size_of::<Source>());
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
        let counters: Vec<_> = (0..3).map(|_| counting_waker()).collect();
        for (waker, _) in &counters {
            source.register(Direction::Read, waker);
        }
        let mut wakers = Vec::new();
        source.on_event(libc::EPOLLOUT as u32, &mut wakers);
        assert!(wakers.is_empty(), "a write event wakes no reader");
        source.on_event(libc::EPOLLIN as u32, &mut wakers);
        assert_eq!(wakers.len(), 3);
        wakers.drain(..).for_each(Waker::wake);
        assert!(
            counters
                .iter()
                .all(|(_, wakes)| wakes.load(Ordering::Relaxed) == 1)
        );
        assert!(source.is_ready(Direction::Read));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri gives each use of a vtable its own address, so will_wake may say no"
    )]
    fn registering_the_same_waker_again_keeps_one_entry() {
        let source = source();
        let (waker, _) = counting_waker();
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
    fn waiting_for_readiness_spends_no_budget() {
        let source = source();
        source.clear_ready(Direction::Read);
        let mut cx = Context::from_waker(Waker::noop());
        coop::with_budget(1, || {
            let poll = source.poll_io(Direction::Read, &mut cx, || -> io::Result<()> {
                unreachable!("no attempt before an edge")
            });
            assert!(poll.is_pending());
            assert!(coop::poll_proceed(&mut cx).is_ready(), "the unit is left");
            assert!(coop::poll_proceed(&mut cx).is_pending());
        });
    }

    #[test]
    fn would_block_clears_readiness_and_registers() {
        let source = source();
        let (waker, _) = counting_waker();
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
