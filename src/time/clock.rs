//! The runtime's clock: the operating system's monotonic clock, or a paused one that
//! moves only when told to.
//!
//! ```text
//!          pause()                   resume()
//!   Real ----------> Paused { now } ----------> Resumed { base, since }
//!                     ^    |                            |
//!                     |    | advance(d), jump_to(t):    |
//!                     |    | `now` moves forward        |
//!                     |    +----> Paused                |
//!                     +------------ pause() ------------+
//! ```
//!
//! While running, the clock reads the OS clock; after a pause it keeps going from the
//! time it was paused at (`base`), at the OS clock's pace, so it never goes backwards.

#![deny(unsafe_code)]

use std::cell::Cell;
use std::time::{Duration, Instant as StdInstant};

/// One runtime's source of "now". `!Sync`: only its runtime's thread reads it.
#[derive(Debug)]
pub(crate) struct Clock {
    state: Cell<State>,
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// The OS clock as it is. The usual state, and the cheapest to read.
    Real,
    /// Time stands still at `now` until it is advanced or resumed.
    Paused { now: StdInstant },
    /// Running again after a pause: `base` at OS time `since`, moving at its pace.
    Resumed { base: StdInstant, since: StdInstant },
}

/// Why the clock could not do what was asked; the panic message for the user.
pub(crate) type ClockError = &'static str;

impl Clock {
    /// A clock that runs, or one paused at the current time.
    pub(crate) fn new(paused: bool) -> Clock {
        let state = if paused {
            State::Paused {
                now: StdInstant::now(),
            }
        } else {
            State::Real
        };
        Clock {
            state: Cell::new(state),
        }
    }

    /// The current time on this clock.
    pub(crate) fn now(&self) -> StdInstant {
        match self.state.get() {
            State::Real => StdInstant::now(),
            State::Paused { now } => now,
            State::Resumed { base, since } => base + since.elapsed(),
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        matches!(self.state.get(), State::Paused { .. })
    }

    /// Stops time at the current instant.
    pub(crate) fn pause(&self) -> Result<(), ClockError> {
        if self.is_paused() {
            return Err("evloop: time is already paused; `time::resume()` first");
        }
        self.state.set(State::Paused { now: self.now() });
        Ok(())
    }

    /// Lets time run again from where it stood.
    pub(crate) fn resume(&self) -> Result<(), ClockError> {
        let State::Paused { now } = self.state.get() else {
            return Err("evloop: time is not paused; `time::pause()` it first");
        };
        self.state.set(State::Resumed {
            base: now,
            since: StdInstant::now(),
        });
        Ok(())
    }

    /// Moves a paused clock forward by `duration`.
    pub(crate) fn advance(&self, duration: Duration) -> Result<(), ClockError> {
        let State::Paused { now } = self.state.get() else {
            return Err(
                "evloop: time is not paused, so it cannot be advanced; start the runtime \
                 with `Builder::start_paused(true)` or call `time::pause()` first",
            );
        };
        let now = now
            .checked_add(duration)
            .ok_or("evloop: time advanced past the end of `Instant`")?;
        self.state.set(State::Paused { now });
        Ok(())
    }

    /// Moves a paused clock forward to `instant`, if that is later than now; a clock
    /// that runs is left alone.
    pub(crate) fn jump_to(&self, instant: StdInstant) {
        if let State::Paused { now } = self.state.get() {
            if instant > now {
                self.state.set(State::Paused { now: instant });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_clock_moves_only_when_told() {
        let clock = Clock::new(true);
        let start = clock.now();
        assert!(clock.is_paused());
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_secs(5)).unwrap();
        assert_eq!(clock.now(), start + Duration::from_secs(5));
        clock.jump_to(start);
        assert_eq!(
            clock.now(),
            start + Duration::from_secs(5),
            "never backwards"
        );
        clock.jump_to(start + Duration::from_secs(7));
        assert_eq!(clock.now(), start + Duration::from_secs(7));
    }

    #[test]
    fn resuming_continues_from_the_paused_time() {
        let clock = Clock::new(true);
        let start = clock.now();
        clock.advance(Duration::from_secs(3600)).unwrap();
        clock.resume().unwrap();
        assert!(!clock.is_paused());
        assert!(clock.now() >= start + Duration::from_secs(3600));
        clock.pause().unwrap();
        assert!(clock.now() >= start + Duration::from_secs(3600));
    }

    #[test]
    fn a_running_clock_refuses_to_advance_or_resume() {
        let clock = Clock::new(false);
        assert!(clock.advance(Duration::from_secs(1)).is_err());
        assert!(clock.resume().is_err());
        let before = clock.now();
        clock.jump_to(before + Duration::from_secs(60));
        assert!(clock.now() < before + Duration::from_secs(60));
        clock.pause().unwrap();
        assert!(clock.pause().is_err());
    }
}
