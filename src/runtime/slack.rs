//! The thread's timer slack while `block_on` runs: set on entry, restored on exit.
//!
//! Why restore it: the thread is the caller's (often `main`), and a runtime should not
//! change how the rest of the program's sleeps behave once it returns. The price is a
//! `prctl` to read the slack on entry and, only if it differed, two more to set and
//! restore it: well under a microsecond per `block_on`.

#![deny(unsafe_code)]

use std::time::Duration;

use crate::sys::thread;

/// Puts the thread's previous timer slack back when dropped.
#[derive(Debug)]
pub(crate) struct SlackGuard {
    /// The slack to restore; `None` if nothing was changed.
    previous: Option<u64>,
}

impl SlackGuard {
    /// Gives the calling thread `slack` (at least 1 ns) until the guard drops; `None`
    /// leaves it alone. Errors only cost precision, so they are ignored.
    pub(crate) fn set(slack: Option<Duration>) -> SlackGuard {
        let Some(slack) = slack else {
            return SlackGuard { previous: None };
        };
        // 0 would mean "the thread's default", not "no slack".
        let wanted = u64::try_from(slack.as_nanos()).unwrap_or(u64::MAX).max(1);
        let previous = match thread::timer_slack() {
            Ok(current) if current != wanted => {
                thread::set_timer_slack(wanted).ok().map(|()| current)
            }
            _ => None,
        };
        SlackGuard { previous }
    }
}

impl Drop for SlackGuard {
    fn drop(&mut self) {
        if let Some(previous) = self.previous {
            // The value came from the kernel, so setting it back cannot be refused.
            let _ = thread::set_timer_slack(previous);
        }
    }
}
