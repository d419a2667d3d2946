//! What the server did, counted as it goes and printed when it stops.

use std::fmt;

use crate::counter::Counter;

/// The server's counters.
#[derive(Debug, Default)]
pub struct Stats {
    pub connections: Counter,
    pub commands: Counter,
    pub bytes_read: Counter,
    pub bytes_written: Counter,
    /// Connections closed because the client broke the protocol or a limit on what
    /// it sends (a value or command too long).
    pub closed_for_protocol: Counter,
    /// Connections closed because their unsent replies stayed over the hard limit.
    pub closed_for_output: Counter,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} connection(s) served, {} command(s), {} byte(s) read, {} written; \
             closed {} for protocol errors, {} for the output limit",
            self.connections.get(),
            self.commands.get(),
            self.bytes_read.get(),
            self.bytes_written.get(),
            self.closed_for_protocol.get(),
            self.closed_for_output.get(),
        )
    }
}
