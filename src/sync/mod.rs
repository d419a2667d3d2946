//! Synchronisation between tasks: channels, locks and wake-up signals.
//!
//! (Module docs are written once the module is complete.)

#![deny(unsafe_code)]

pub mod broadcast;
mod halves;
pub mod mpsc;
mod mutex;
mod notify;
pub mod oneshot;
mod permits;
pub mod remote;
mod rwlock;
mod semaphore;
mod wait_list;
mod waker_slot;
pub mod watch;

use std::fmt;

pub use mutex::{Mutex, MutexGuard};
pub use notify::{Notified, Notify};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

/// [`Mutex::try_lock`], [`RwLock::try_read`] or [`RwLock::try_write`] found the lock
/// taken (or tasks waiting for it first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the lock is held, or others wait for it first")
    }
}

impl std::error::Error for TryLockError {}
