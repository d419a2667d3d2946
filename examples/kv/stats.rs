//! What the server did, counted as it goes and printed when it stops.
//!
//! One thread, so plain `Cell`s shared through an `Rc`: no atomics.

use std::cell::Cell;
use std::fmt;

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

/// One count.
#[derive(Debug, Default)]
pub struct Counter(Cell<u64>);

impl Counter {
    pub fn add(&self, n: usize) {
        self.0.set(self.0.get().saturating_add(n as u64));
    }

    pub fn get(&self) -> u64 {
        self.0.get()
    }
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
