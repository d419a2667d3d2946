//! Task ids: short numbers for people reading logs and traces.

#![deny(unsafe_code)]

use std::fmt;
use std::num::NonZeroU64;

/// A task's id, unique among the tasks its runtime has spawned (they count up from 1).
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let first = evloop::spawn(async {});
///     let second = evloop::spawn(async {});
///     assert_ne!(first.id(), second.id());
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn new(value: NonZeroU64) -> Id {
        Id(value)
    }

    /// The id as a plain number.
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}
