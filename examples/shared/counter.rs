//! A counter for a server's statistics. Shared by the `kv` and `http_hello` examples.
//!
//! One thread, so a plain `Cell` shared through an `Rc`: no atomics.

use std::cell::Cell;

/// One count, which saturates rather than wraps.
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
