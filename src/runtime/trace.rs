//! The loop trace: each tick of the loop, printed on stderr as it happens.
//!
//! Turn it on with [`Builder::trace`] or by setting `EVLOOP_TRACE=1`, and watch the
//! loop of the [module docs](super) turn. Here is the `trace` example, a server that
//! answers each line a client sends after a 50 ms timer, while a client connects,
//! sends `hello`, then `bye`, then hangs up:
//!
//! ```text
//! evloop: tick 1: polled tasks none (root woken: yes)
//! evloop: tick 1: park: epoll_wait(forever: nothing runnable, no timer)
//! evloop: tick 1: epoll: fd 5 readable (1 waker) -> woke the root future
//! evloop: tick 2: spawned tasks 1
//! evloop: tick 2: polled tasks 1 (root woken: yes)
//! evloop: tick 2: park: epoll_wait(50.0ms: next timer)
//! evloop: tick 2: epoll: fd 6 writable (0 wakers)
//! evloop: tick 3: park: epoll_wait(50.0ms: next timer)
//! evloop: tick 3: epoll: no events
//! evloop: tick 4: timers fired 1 -> queued tasks 1
//! evloop: tick 4: epoll_wait(0: tasks runnable)
//! evloop: tick 4: epoll: no events
//! evloop: tick 5: polled tasks 1 (root woken: no)
//! evloop: tick 5: park: epoll_wait(forever: nothing runnable, no timer)
//! evloop: tick 5: epoll: fd 6 readable writable (1 waker) -> queued tasks 1
//! evloop: tick 6: polled tasks 1 (root woken: no)
//! evloop: tick 6: park: epoll_wait(49.9ms: next timer)
//! evloop: tick 6: epoll: no events
//! evloop: tick 7: timers fired 1 -> queued tasks 1
//! evloop: tick 7: epoll_wait(0: tasks runnable)
//! evloop: tick 7: epoll: no events
//! evloop: tick 8: polled tasks 1 (root woken: no)
//! evloop: tick 8: park: epoll_wait(forever: nothing runnable, no timer)
//! evloop: tick 8: epoll: fd 6 readable writable peer-closed (1 waker) -> queued tasks 1
//! evloop: tick 9: polled tasks 1 (root woken: no)
//! evloop: tick 9: park: epoll_wait(forever: nothing runnable, no timer)
//! ```
//!
//! Tick 1: the `block_on` future (the accept loop) finds no connection and waits;
//! nothing else can run, so the thread sleeps in `epoll_wait`. The client connects:
//! fd 5, the listener, turns readable and its waker wakes the accept loop. Tick 2: it
//! accepts fd 6 and spawns task 1, which reads `hello` (already there, so no wait),
//! starts its 50 ms timer and waits; the loop sleeps until the timer, woken early once
//! by fd 6's first "writable" edge that nobody waits for. Tick 4 fires the timer; tick
//! 5 polls task 1, which answers, waits for the next line and parks the loop again.
//! The client's `bye` goes the same way, except that by now the loop has learned how
//! late its parks return and parks that much short of the deadline (49.9 ms); had it
//! woken before the deadline, a few `epoll_wait(0: next timer due within the spin
//! margin)` ticks would follow until the timer fired. When the client hangs up
//! (`peer-closed`), task 1 reads the end of the stream and finishes.
//!
//! Every line starts with `evloop: tick N:`, the number of the loop's turn, and the
//! lines of one tick come in the order the loop does things:
//!
//! - `injected tasks 9 12`: tasks woken on other threads (a `spawn_blocking` job
//!   finished, say), moved from the injection queue to the run queue. Only when
//!   there were some.
//! - `spawned tasks 5 6`: tasks spawned since the last tick (during its polls, or
//!   before `block_on`). A spawned task is queued at once.
//! - `polled tasks 3 4 7 (root woken: no)`: the tasks polled this tick, by
//!   [id](crate::task::Id), in order, and whether the `block_on` future was polled
//!   first (it is polled only when woken). `; 5 still queued` means the tick's limit
//!   of polls ([`Builder::tasks_per_tick`]) was reached. Left out when nothing was
//!   polled. When the `block_on` future finishes, the tick ends with `polled the root
//!   future: ready, block_on returns` instead.
//! - `timers fired 2 -> queued tasks 5 6`: timers whose deadline passed, and the
//!   tasks their wakers put on the run queue (`woke the root future` for the
//!   `block_on` future). Only when some fired.
//! - how the loop asks epoll for events, and why:
//!   - `epoll_wait(0: tasks runnable)`: tasks are queued, so it only looks;
//!   - `epoll_wait(0: woken while about to park)`: a wake arrived just before the
//!     loop would have parked;
//!   - `epoll_wait(0: clock paused)`: nothing to run and the clock is paused (tests);
//!   - `park: epoll_wait(4.2ms: next timer)`: nothing to run; the thread sleeps until
//!     an event or the next timer's deadline, less how late parks tend to return;
//!   - `epoll_wait(0: next timer due within the spin margin)`: the loop parked short
//!     of the next timer (or it is due in under 5 µs), and goes round until it fires;
//!   - `park: epoll_wait(1.1ms: next timers, batched)`: the next three timers are due
//!     within 50 µs, so the thread sleeps until just past the first, to fire them in
//!     one tick (`runtime/timer_wait.rs` has the rules);
//!   - `park: epoll_wait(forever: nothing runnable, no timer)`: sleeps until an event;
//!   - `epoll_wait skipped (0: tasks runnable, no fd registered)`: there is nothing
//!     epoll could report.
//!
//!   The `park:` lines are the loop going to sleep, and are printed before it does:
//!   the last line of an idle program says what it waits for.
//! - `epoll: fd 7 readable (1 waker), eventfd (a wake from another thread) -> queued
//!   tasks 3`: the events epoll returned. For each fd, what it became (`readable`
//!   EPOLLIN, `writable` EPOLLOUT, `peer-closed` EPOLLRDHUP: the peer shut down its
//!   writing side, `hang-up` EPOLLHUP, `error` EPOLLERR, `urgent` EPOLLPRI) and how many
//!   wakers waited for it; then the tasks those wakers queued. `eventfd` is the
//!   runtime's own wake-up fd, written by another thread; the tasks it woke show up as
//!   `injected` on the next tick. `stale` is an event for an fd closed meanwhile,
//!   ignored. `epoll: no events` when it timed out.
//! - `clock paused: jumps 5.0s to the next timer`: with a paused clock and nothing
//!   left to do, time skips ahead; the next tick fires the timer.
//!
//! A list stops after 32 entries, with `and 12 more`.
//!
//! # Cost
//!
//! Off (the default), the loop checks once per tick whether a tracer exists; the tick
//! it then runs is compiled with [`NoTrace`], whose methods are empty, so nothing else
//! is left of the trace. On, each poll and event adds an entry to a bounded list, and
//! each tick's lines are formatted into one reused `String` and written to stderr in
//! one call (two when the loop parks: the `park:` line goes out before the sleep).
//!
//! [`Builder::trace`]: super::Builder::trace
//! [`Builder::tasks_per_tick`]: super::Builder::tasks_per_tick

#![deny(unsafe_code)]

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::time::Duration;

use super::Wait;
use super::core::Core;
use super::task::Id;
use crate::reactor::EventInfo;

/// The environment variable that turns the trace on: `1` on, `0` off.
pub(crate) const ENV_VAR: &str = "EVLOOP_TRACE";

/// The most entries (task ids, events) a line lists; the rest are counted. Keeps the
/// cost of a traced tick bounded however much the tick did.
const MAX_LISTED: usize = 32;

/// What the loop tells the trace during a tick, in this order: `tick_started`,
/// `injected` and `polled` for each task, `timers_fired`, `epoll_wait` (or
/// `epoll_skipped`), `epoll_events`, `clock_jumped`, `tick_finished`. Most are
/// optional: a tick whose root future finishes goes straight to `tick_finished`.
///
/// The methods do nothing unless overridden: [`NoTrace`] is the trace that is off.
pub(crate) trait Trace {
    /// Tick number `tick` begins; `root_woken`: the `block_on` future is polled first.
    fn tick_started(&self, _tick: u64, _root_woken: bool) {}

    /// The task `id`, woken on another thread, was moved to the run queue.
    fn injected(&self, _id: Id) {}

    /// The task `id` is about to be polled.
    fn polled(&self, _id: Id) {}

    /// Runs `fire`, which fires the due timers.
    fn timers_fired<R>(&self, _core: &Core, fire: impl FnOnce() -> R) -> R {
        fire()
    }

    /// The loop asks epoll for events, waiting as `wait` says.
    fn epoll_wait(&self, _wait: Wait) {}

    /// The loop would ask epoll without blocking, but no fd is registered.
    fn epoll_skipped(&self, _wait: Wait) {}

    /// Runs `dispatch`, which applies the events epoll just returned.
    fn epoll_events(&self, _core: &Core, dispatch: impl FnOnce()) {
        dispatch()
    }

    /// The paused clock jumps `by` to the next timer's deadline.
    fn clock_jumped(&self, _by: Duration) {}

    /// The tick ends; `root_ready`: the `block_on` future finished.
    fn tick_finished(&self, _root_ready: bool) {}
}

/// The trace when it is off: every method does nothing.
#[derive(Debug)]
pub(crate) struct NoTrace;

impl Trace for NoTrace {}

/// The trace when it is on: records the tick and writes its lines to stderr.
#[derive(Debug, Default)]
pub(crate) struct Tracer {
    /// Borrowed only inside the methods, never while a waker runs.
    log: RefCell<TickLog>,
}

/// What is known of the tick being traced.
#[derive(Debug, Default)]
struct TickLog {
    tick: u64,
    root_woken: bool,
    /// The id of the last task spawned before this tick's polls.
    last_spawned: u64,
    injected: IdList,
    polled: IdList,
    /// Tasks a step of the tick queued; reused.
    queued: IdList,
    /// Lines not yet written to stderr; reused from tick to tick.
    out: String,
}

/// A list of task ids that keeps the first [`MAX_LISTED`] and counts the rest.
#[derive(Debug, Default)]
struct IdList {
    ids: Vec<Id>,
    more: usize,
}

/// What a step of the tick may wake, as it was before the step: the run queue's
/// length (the tasks queued since are past it) and whether the root future was woken.
struct Before {
    queue_len: usize,
    root_woken: bool,
}

impl Tracer {
    pub(crate) fn new() -> Tracer {
        Tracer::default()
    }

    /// Writes the `injected` and `polled` lines, once tasks have run.
    fn write_polls(&self, core: &Core) {
        let log = &mut *self.log.borrow_mut();
        let out = &mut log.out;
        if !log.injected.is_empty() {
            start_line(out, log.tick).push_str("injected tasks");
            log.injected.write_to(out);
            out.push('\n');
        }
        let last_spawned = core.last_task_id();
        if last_spawned > log.last_spawned {
            start_line(out, log.tick).push_str("spawned tasks");
            write_id_range(out, log.last_spawned + 1, last_spawned);
            out.push('\n');
            log.last_spawned = last_spawned;
        }
        if log.polled.is_empty() && !log.root_woken {
            return;
        }
        start_line(out, log.tick).push_str("polled tasks");
        if log.polled.is_empty() {
            out.push_str(" none");
        }
        log.polled.write_to(out);
        let root = if log.root_woken { "yes" } else { "no" };
        let _ = write!(out, " (root woken: {root})");
        let queued = core.queue_len();
        if queued > 0 {
            let _ = write!(out, "; {queued} still queued");
        }
        out.push('\n');
    }

    fn before(&self, core: &Core) -> Before {
        Before {
            queue_len: core.queue_len(),
            root_woken: core.shared.is_root_woken(),
        }
    }

    /// Ends the current line with what a step woke since `before`.
    fn write_woken(&self, core: &Core, before: Before) {
        let log = &mut *self.log.borrow_mut();
        let queued = &mut log.queued;
        queued.clear();
        core.queued_ids(before.queue_len, |id| queued.push(id));
        let root = !before.root_woken && core.shared.is_root_woken();
        let out = &mut log.out;
        if !queued.is_empty() {
            out.push_str(" -> queued tasks");
            queued.write_to(out);
            if root {
                out.push_str(", woke the root future");
            }
        } else if root {
            out.push_str(" -> woke the root future");
        }
        out.push('\n');
    }

    /// Writes the lines so far to stderr, in one call.
    fn flush(&self) {
        let out = &mut self.log.borrow_mut().out;
        // Nobody to report a failed write to; the program's own stderr output would
        // fail the same way.
        let _ = io::stderr().lock().write_all(out.as_bytes());
        out.clear();
    }

    /// Runs `f` on a new line of the current tick.
    fn line(&self, f: impl FnOnce(&mut String)) {
        let log = &mut *self.log.borrow_mut();
        f(start_line(&mut log.out, log.tick));
    }
}

impl Trace for Tracer {
    fn tick_started(&self, tick: u64, root_woken: bool) {
        let log = &mut *self.log.borrow_mut();
        log.tick = tick;
        log.root_woken = root_woken;
        log.injected.clear();
        log.polled.clear();
    }

    fn injected(&self, id: Id) {
        self.log.borrow_mut().injected.push(id);
    }

    fn polled(&self, id: Id) {
        self.log.borrow_mut().polled.push(id);
    }

    fn timers_fired<R>(&self, core: &Core, fire: impl FnOnce() -> R) -> R {
        self.write_polls(core);
        let fired_before = core.counters.timers_fired.get();
        let before = self.before(core);
        let result = fire();
        let fired = core.counters.timers_fired.get() - fired_before;
        if fired > 0 {
            self.line(|out| {
                let _ = write!(out, "timers fired {fired}");
            });
            self.write_woken(core, before);
        }
        result
    }

    fn epoll_wait(&self, wait: Wait) {
        let why = reason(wait);
        self.line(|out| {
            let _ = match wait {
                Wait::TasksRunnable | Wait::Woken | Wait::ClockPaused | Wait::TimerImminent => {
                    writeln!(out, "epoll_wait(0: {why})")
                }
                Wait::NextTimer(timeout)
                | Wait::TimersBatched(timeout)
                | Wait::BlockingJob(timeout) => {
                    writeln!(out, "park: epoll_wait({timeout:.1?}: {why})")
                }
                Wait::Forever => writeln!(out, "park: epoll_wait(forever: {why})"),
            };
        });
        if matches!(
            wait,
            Wait::NextTimer(_) | Wait::TimersBatched(_) | Wait::BlockingJob(_) | Wait::Forever
        ) {
            self.flush();
        }
    }

    fn epoll_skipped(&self, wait: Wait) {
        let why = reason(wait);
        self.line(|out| {
            let _ = writeln!(out, "epoll_wait skipped (0: {why}, no fd registered)");
        });
    }

    fn epoll_events(&self, core: &Core, dispatch: impl FnOnce()) {
        self.line(|out| {
            out.push_str("epoll:");
            let mut listed = 0;
            core.reactor.describe_events(|event| {
                listed += 1;
                if listed <= MAX_LISTED {
                    out.push_str(if listed == 1 { " " } else { ", " });
                    write_event(out, event);
                }
            });
            if listed == 0 {
                out.push_str(" no events");
            } else if listed > MAX_LISTED {
                let _ = write!(out, ", and {} more", listed - MAX_LISTED);
            }
        });
        let before = self.before(core);
        dispatch();
        self.write_woken(core, before);
    }

    fn clock_jumped(&self, by: Duration) {
        self.line(|out| {
            let _ = writeln!(out, "clock paused: jumps {by:.1?} to the next timer");
        });
    }

    fn tick_finished(&self, root_ready: bool) {
        if root_ready {
            self.line(|out| out.push_str("polled the root future: ready, block_on returns\n"));
        }
        self.flush();
    }
}

/// Why the loop asks epoll as it does, in words.
fn reason(wait: Wait) -> &'static str {
    match wait {
        Wait::TasksRunnable => "tasks runnable",
        Wait::Woken => "woken while about to park",
        Wait::ClockPaused => "clock paused",
        Wait::TimerImminent => "next timer due within the spin margin",
        Wait::BlockingJob(_) => "clock paused, a blocking job unfinished",
        Wait::TimersBatched(_) => "next timers, batched",
        Wait::NextTimer(_) => "next timer",
        Wait::Forever => "nothing runnable, no timer",
    }
}

/// Begins a line of tick `tick`.
fn start_line(out: &mut String, tick: u64) -> &mut String {
    let _ = write!(out, "evloop: tick {tick}: ");
    out
}

impl IdList {
    fn push(&mut self, id: Id) {
        if self.ids.len() < MAX_LISTED {
            self.ids.push(id);
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn clear(&mut self) {
        self.ids.clear();
        self.more = 0;
    }

    /// Writes ` 3 4 7` (and ` and 12 more`).
    fn write_to(&self, out: &mut String) {
        for id in &self.ids {
            let _ = write!(out, " {id}");
        }
        if self.more > 0 {
            let _ = write!(out, " and {} more", self.more);
        }
    }
}

/// Writes the ids from `first` to `last` (at most [`MAX_LISTED`] of them), like
/// [`IdList::write_to`].
fn write_id_range(out: &mut String, first: u64, last: u64) {
    let listed_last = last.min(first + MAX_LISTED as u64 - 1);
    for id in first..=listed_last {
        let _ = write!(out, " {id}");
    }
    if last > listed_last {
        let _ = write!(out, " and {} more", last - listed_last);
    }
}

/// Writes one epoll event: `fd 7 readable writable (1 waker)`.
fn write_event(out: &mut String, event: EventInfo) {
    const WORDS: [(libc::c_int, &str); 6] = [
        (libc::EPOLLIN, "readable"),
        (libc::EPOLLOUT, "writable"),
        (libc::EPOLLRDHUP, "peer-closed"),
        (libc::EPOLLHUP, "hang-up"),
        (libc::EPOLLERR, "error"),
        (libc::EPOLLPRI, "urgent"),
    ];
    match event {
        EventInfo::Notifier => out.push_str("eventfd (a wake from another thread)"),
        EventInfo::Stale => out.push_str("stale (its fd was closed meanwhile)"),
        EventInfo::Fd { fd, bits, waiters } => {
            let _ = write!(out, "fd {fd}");
            for (bit, word) in WORDS {
                if bits & bit as u32 != 0 {
                    let _ = write!(out, " {word}");
                }
            }
            let plural = if waiters == 1 { "" } else { "s" };
            let _ = write!(out, " ({waiters} waker{plural})");
        }
    }
}

/// Reads `EVLOOP_TRACE`: unset, empty or `0` is off, `1` is on.
///
/// # Errors
///
/// `InvalidInput` for any other value.
pub(crate) fn enabled_from_env() -> io::Result<bool> {
    let Some(value) = std::env::var_os(ENV_VAR) else {
        return Ok(false);
    };
    match value.to_str().map(str::trim) {
        Some("1") => Ok(true),
        Some("0" | "") => Ok(false),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{ENV_VAR} must be 1 (on) or 0 (off), not {value:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU64;

    use super::*;

    fn id(n: u64) -> Id {
        Id::new(NonZeroU64::new(n).unwrap())
    }

    #[test]
    fn an_event_names_its_bits_and_counts_its_wakers() {
        let mut out = String::new();
        let bits = (libc::EPOLLIN | libc::EPOLLRDHUP) as u32;
        write_event(
            &mut out,
            EventInfo::Fd {
                fd: 7,
                bits,
                waiters: 1,
            },
        );
        assert_eq!(out, "fd 7 readable peer-closed (1 waker)");
        out.clear();
        let bits = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;
        write_event(
            &mut out,
            EventInfo::Fd {
                fd: 9,
                bits,
                waiters: 0,
            },
        );
        assert_eq!(out, "fd 9 writable hang-up error (0 wakers)");
    }

    #[test]
    fn long_lists_are_cut_and_counted() {
        let mut list = IdList::default();
        (1..=40).for_each(|n| list.push(id(n)));
        let mut out = String::new();
        list.write_to(&mut out);
        assert!(out.starts_with(" 1 2 3 "), "{out}");
        assert!(out.ends_with(" 31 32 and 8 more"), "{out}");
        out.clear();
        write_id_range(&mut out, 11, 50);
        assert!(out.starts_with(" 11 12 "), "{out}");
        assert!(out.ends_with(" 41 42 and 8 more"), "{out}");
        out.clear();
        write_id_range(&mut out, 3, 4);
        assert_eq!(out, " 3 4");
    }
}
