//! A connection's one timer, for all its time limits, moved lazily.
//!
//! A keep-alive connection's deadline moves with every request: "idle for at most
//! 60 s" means a new deadline each time a request is answered. Re-arming a timer for
//! each one would cost a timer insert and a cancel per request. Instead the timer
//! stays armed for the deadline it had; moving the deadline later only stores the
//! new one, and when the timer fires it looks whether the deadline has moved on
//! since, and if so sleeps again until then. Only a deadline moved earlier (a head
//! begun, which must be done sooner than an idle connection must speak) re-arms at
//! once.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use evloop::time::{Instant, Sleep, sleep_until};

/// A deadline and the timer that watches it.
pub struct Watchdog {
    /// Armed for `deadline` or for an earlier one.
    timer: Sleep,
    deadline: Instant,
}

impl Watchdog {
    pub fn new(deadline: Instant) -> Watchdog {
        Watchdog {
            timer: sleep_until(deadline),
            deadline,
        }
    }

    /// Moves the deadline, earlier or later.
    pub fn set(&mut self, deadline: Instant) {
        if deadline < self.timer.deadline() {
            self.timer.reset(deadline);
        }
        self.deadline = deadline;
    }

    /// `Ready` once the deadline has passed.
    pub fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            ready!(Pin::new(&mut self.timer).poll(cx));
            if self.deadline <= self.timer.deadline() {
                return Poll::Ready(());
            }
            self.timer.reset(self.deadline);
        }
    }
}
