//! `Timers`: one runtime's clock and armed timers, and what the loop does with them
//! each tick.
//!
//! The loop calls [`Timers::fire_expired`] once per tick, after running tasks and
//! before turning the reactor: it reads the clock once, wakes every timer whose
//! deadline is at or before that reading, and returns how long the reactor may sleep
//! before the next deadline.
//!
//! That reading is kept as `fired_until`, with this invariant: every timer whose
//! deadline is at or before `fired_until` has fired. It is never ahead of the clock,
//! so "due by it" implies "due": nothing completes early. It lets a `Sleep` answer two
//! questions without reading the clock or looking up its timer (a cache miss when
//! thousands are armed): on its first poll, "am I due already?" (then it completes
//! without arming); after a wake-up, "has my timer fired?".

#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::task::Waker;
use std::time::{Duration, Instant as StdInstant};

use super::Instant;
use super::clock::{Clock, ClockError};
use super::heap::{TimerHeap, TimerKey};
use crate::runtime::Counters;
use crate::runtime::context;

/// The most wakers' room kept between firings: a burst of 100,000 timers firing at
/// once should not pin 1.6 MB for the rest of the runtime's life.
const KEEP_DUE_CAPACITY: usize = 1024;

/// A runtime's timers. The `Core` holds it in an `Rc`, and so does every armed
/// `Sleep`, so that dropping a `Sleep` after its runtime is gone is still harmless.
pub(crate) struct Timers {
    /// Armed timers and the waker each wakes.
    ///
    /// Rule: no borrow of it is live while a waker is woken, cloned or dropped (any of
    /// these may run code that arms or cancels a timer). Wakers taken out are dropped
    /// or woken after the borrow ends.
    heap: RefCell<TimerHeap<Waker>>,
    /// The wakers of the timers one firing found due, kept for its capacity (up to
    /// [`KEEP_DUE_CAPACITY`]).
    due: Cell<Vec<Waker>>,
    clock: Clock,
    /// The time that deadline 0 stands for: the clock's reading when the runtime was
    /// built. Deadlines are kept as nanoseconds since then.
    origin: StdInstant,
    /// The clock as the last firing read it, in nanoseconds since `origin`: every
    /// timer due by then has fired. Only [`fire_expired`](Self::fire_expired) moves it.
    fired_until: Cell<u64>,
    /// The runtime's counters, shared with its `Core`: timers armed and fired.
    counters: Rc<Counters>,
}

impl Timers {
    pub(crate) fn new(start_paused: bool, counters: Rc<Counters>) -> Timers {
        let clock = Clock::new(start_paused);
        let origin = clock.now();
        Timers {
            heap: RefCell::default(),
            due: Cell::default(),
            clock,
            origin,
            fired_until: Cell::new(0),
            counters,
        }
    }

    /// The timers of the runtime running on this thread.
    ///
    /// # Panics
    ///
    /// Outside a runtime, with the runtime's usual message.
    #[track_caller]
    pub(crate) fn current() -> Rc<Timers> {
        context::expect_current(|core| core.timers.clone())
    }

    /// Whether these are the timers of the runtime running on this thread; `None`
    /// outside any runtime.
    pub(crate) fn belongs_to_current(&self) -> Option<bool> {
        context::with_current(|core| std::ptr::eq(Rc::as_ptr(&core.timers), self))
    }

    /// Reads the clock.
    pub(crate) fn now(&self) -> StdInstant {
        self.clock.now()
    }

    /// Whether `deadline` is at or before the last firing: it is due, and a timer armed
    /// for it has fired.
    pub(crate) fn is_due(&self, deadline: Instant) -> bool {
        self.ticks(deadline) <= self.fired_until.get()
    }

    /// Arms a timer that wakes `waker` at `deadline`, which must not be due yet (see
    /// [`is_due`](Self::is_due)). No system call.
    pub(crate) fn arm(&self, deadline: Instant, waker: &Waker) -> TimerKey {
        debug_assert!(!self.is_due(deadline), "a due timer would never fire");
        let waker = waker.clone();
        self.counters.timers_armed.increment();
        self.heap.borrow_mut().insert(self.ticks(deadline), waker)
    }

    /// Disarms a timer, if it has not fired. No system call.
    pub(crate) fn cancel(&self, key: TimerKey) {
        let waker = self.heap.borrow_mut().remove(key);
        drop(waker);
    }

    /// Makes an armed timer wake `waker`, cloning it only if the stored one would not
    /// wake the same task. `false` if the timer has fired.
    pub(crate) fn set_waker(&self, key: TimerKey, waker: &Waker) -> bool {
        let mut heap = self.heap.borrow_mut();
        let Some(stored) = heap.get_mut(key) else {
            return false;
        };
        if stored.will_wake(waker) {
            return true;
        }
        drop(heap);
        // Another task polls the timer: maybe one of another runtime (the same task
        // cannot be, so the fast path above needs no check).
        if self.belongs_to_current() != Some(true) {
            polled_in_another_runtime();
        }
        let new = waker.clone();
        let old = self
            .heap
            .borrow_mut()
            .get_mut(key)
            .map(|stored| std::mem::replace(stored, new));
        drop(old);
        true
    }

    /// Moves an armed timer to `deadline`, which must not be due yet. `false` if it
    /// has fired.
    pub(crate) fn reschedule(&self, key: TimerKey, deadline: Instant) -> bool {
        debug_assert!(!self.is_due(deadline), "a due timer would never fire");
        self.heap.borrow_mut().reschedule(key, self.ticks(deadline))
    }

    /// Whether the timer is still armed (it has not fired).
    pub(crate) fn is_armed(&self, key: TimerKey) -> bool {
        self.heap.borrow().contains(key)
    }

    /// How many timers are armed.
    pub(crate) fn len(&self) -> usize {
        self.heap.borrow().len()
    }

    /// Step 3 of the tick: reads the clock (only if a timer is armed), wakes every
    /// timer that is due, and returns the time until the next deadline (`None`: no
    /// timer is armed).
    pub(crate) fn fire_expired(&self) -> Option<Duration> {
        if self.len() == 0 {
            return None;
        }
        let now = self.ticks(Instant::from_std(self.clock.now()));
        // All due wakers are taken out of the heap first and woken after. A wake
        // touches its task, a cache miss when thousands are armed; in a loop that does
        // nothing else the processor overlaps those misses, where a heap pop between
        // two wakes would keep them apart.
        let mut due = self.due.take();
        {
            let mut heap = self.heap.borrow_mut();
            due.extend(std::iter::from_fn(|| heap.pop_expired(now)));
        }
        self.counters.timers_fired.add(due.len() as u64);
        for waker in due.drain(..) {
            waker.wake();
        }
        if due.capacity() <= KEEP_DUE_CAPACITY {
            self.due.set(due);
        }
        self.fired_until.set(now);
        let next = self.heap.borrow().next_deadline()?;
        Some(Duration::from_nanos(next.saturating_sub(now)))
    }

    /// How long after the next timer the third one is due, if three are armed.
    pub(crate) fn span_of_next_three(&self) -> Option<Duration> {
        let heap = self.heap.borrow();
        let span = heap.third_deadline()? - heap.next_deadline()?;
        Some(Duration::from_nanos(span))
    }

    /// How long ago the last firing read the clock.
    pub(crate) fn since_last_firing(&self) -> Duration {
        let last = self.origin + Duration::from_nanos(self.fired_until.get());
        self.clock.now().saturating_duration_since(last)
    }

    /// Whether the clock is paused (so the loop jumps instead of waiting).
    pub(crate) fn is_paused(&self) -> bool {
        self.clock.is_paused()
    }

    /// With a paused clock and nothing left to run: moves the clock to the next
    /// deadline, which the next tick fires. Does nothing when no timer is armed or
    /// the clock runs.
    pub(crate) fn jump_to_next_deadline(&self) {
        let Some(next) = self.heap.borrow().next_deadline() else {
            return;
        };
        if let Some(instant) = self.origin.checked_add(Duration::from_nanos(next)) {
            self.clock.jump_to(instant);
        }
    }

    pub(crate) fn pause(&self) -> Result<(), ClockError> {
        self.clock.pause()
    }

    pub(crate) fn resume(&self) -> Result<(), ClockError> {
        self.clock.resume()
    }

    /// Moves a paused clock forward by `duration` and fires what is then due.
    pub(crate) fn advance(&self, duration: Duration) -> Result<(), ClockError> {
        self.clock.advance(duration)?;
        self.fire_expired();
        Ok(())
    }

    /// Disarms every timer and drops its waker, at shutdown: a waker may hold the last
    /// reference to a finished task. A `Sleep` that outlives the runtime then counts
    /// as elapsed.
    pub(crate) fn clear(&self) {
        loop {
            let waker = self.heap.borrow_mut().pop_expired(u64::MAX);
            match waker {
                Some(waker) => drop(waker),
                None => break,
            }
        }
    }

    /// `instant` as nanoseconds since `origin`: 0 for anything before it (already
    /// due), `u64::MAX` for anything more than 584 years after it.
    fn ticks(&self, instant: Instant) -> u64 {
        let since = instant.into_std().saturating_duration_since(self.origin);
        u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
    }
}

/// The message for a timer polled in a runtime other than the one it is armed in.
pub(crate) const OTHER_RUNTIME: &str = "evloop: a `Sleep` (or a `Timeout` or \
    `Interval`, which hold one) was polled in a runtime other than the one that first \
    polled it, or outside any runtime. Its timer is armed in that first runtime and \
    can only fire there, so it would never complete here. Create it inside the \
    runtime that awaits it (for the same deadline: `sleep_until(old.deadline())`).";

/// Panics with [`OTHER_RUNTIME`].
#[cold]
#[track_caller]
pub(crate) fn polled_in_another_runtime() -> ! {
    panic!("{OTHER_RUNTIME}")
}

impl fmt::Debug for Timers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timers")
            .field("armed", &self.len())
            .field("paused", &self.is_paused())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Arms `count` timers due in one second on a paused clock, then fires them.
    fn fire_a_burst(timers: &Timers, count: usize) {
        let deadline = Instant::from_std(timers.now()) + Duration::from_secs(1);
        for _ in 0..count {
            timers.arm(deadline, Waker::noop());
        }
        timers.advance(Duration::from_secs(1)).unwrap();
        assert_eq!(timers.len(), 0);
    }

    #[test]
    fn a_big_burst_of_due_wakers_does_not_keep_its_room() {
        let timers = Timers::new(true, Rc::default());
        fire_a_burst(&timers, 2 * KEEP_DUE_CAPACITY);
        assert_eq!(
            timers.counters.timers_fired.get(),
            2 * KEEP_DUE_CAPACITY as u64
        );
        assert_eq!(timers.due.take().capacity(), 0);
    }

    #[test]
    fn a_small_burst_keeps_its_room_for_the_next() {
        let timers = Timers::new(true, Rc::default());
        fire_a_burst(&timers, 10);
        assert!(timers.due.take().capacity() >= 10);
    }
}
