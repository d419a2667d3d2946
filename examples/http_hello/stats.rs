//! What the server did, counted as it goes and printed when it stops.

use std::fmt;

use crate::counter::Counter;

/// The server's counters.
#[derive(Debug, Default)]
pub struct Stats {
    pub connections: Counter,
    pub requests: Counter,
    pub bytes_read: Counter,
    pub bytes_written: Counter,
    /// Closed with a 400 or 431: a head this server cannot or will not read.
    pub bad_requests: Counter,
    /// Closed with a 408: the head took longer than the head timeout.
    pub head_timeouts: Counter,
    /// Closed after the idle timeout.
    pub idle_timeouts: Counter,
    /// Answered 503 at once: over the connection cap.
    pub refused: Counter,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} connection(s) served, {} request(s), {} byte(s) read, {} written; \
             closed {} for bad requests, {} for the head timeout, {} idle; \
             refused {} over the cap",
            self.connections.get(),
            self.requests.get(),
            self.bytes_read.get(),
            self.bytes_written.get(),
            self.bad_requests.get(),
            self.head_timeouts.get(),
            self.idle_timeouts.get(),
            self.refused.get(),
        )
    }
}
