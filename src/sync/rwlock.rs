//! [`RwLock`]: many readers or one writer, held across `.await`, writers not starved.

#![deny(unsafe_code)]

use std::cell::{Ref, RefCell, RefMut};
use std::fmt;
use std::ops::{Deref, DerefMut};

use super::TryLockError;
use super::semaphore::{Acquire, Semaphore, SemaphorePermit};

/// The most readers at once of [`RwLock::new`] (as in tokio).
const MAX_READERS: u32 = u32::MAX >> 3;

/// A readers-writer lock for tasks on one thread (`!Send`; tokio's is `Send + Sync`).
///
/// Any number of tasks may read at once; a writer has the value to itself. Tasks are
/// served in the order they asked: once a writer waits, readers that come after it
/// wait behind it, so a stream of readers cannot starve a writer (and the writer, in
/// turn, waits only for the readers that came before it). Dropping a waiting future
/// leaves the line and passes on what it had been handed.
///
/// It is a [`Semaphore`] with `max_readers` permits in front of a `RefCell`: a reader
/// takes one permit, a writer takes them all.
///
/// # Examples
///
/// ```
/// use evloop::sync::RwLock;
///
/// evloop::block_on(async {
///     let config = RwLock::new(String::from("v1"));
///     {
///         let a = config.read().await;
///         let b = config.read().await; // two readers at once
///         assert_eq!((a.as_str(), b.as_str()), ("v1", "v1"));
///         assert!(config.try_write().is_err(), "not while they read");
///     }
///     config.write().await.push_str(".1");
///     assert_eq!(*config.read().await, "v1.1");
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    max_readers: u32,
    turns: Semaphore,
    value: RefCell<T>,
}

/// Shared access to an [`RwLock`]'s value.
#[must_use = "the read lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    // First, so dropped before the permit goes back.
    value: Ref<'a, T>,
    _turn: SemaphorePermit<'a>,
}

/// Exclusive access to an [`RwLock`]'s value.
#[must_use = "the write lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    // First, so dropped before the permits go back.
    value: RefMut<'a, T>,
    turns: SemaphorePermit<'a>,
    lock: &'a RwLock<T>,
}

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`, for up to 536,870,911 readers at once.
    pub const fn new(value: T) -> RwLock<T> {
        RwLock::with_max_readers(value, MAX_READERS)
    }

    /// An unlocked lock for at most `max_readers` readers at once.
    ///
    /// # Panics
    ///
    /// If `max_readers` is 0 or above `u32::MAX >> 3`.
    pub const fn with_max_readers(value: T, max_readers: u32) -> RwLock<T> {
        assert!(
            max_readers > 0 && max_readers <= MAX_READERS,
            "evloop: an RwLock's max_readers must be between 1 and u32::MAX >> 3"
        );
        RwLock {
            max_readers,
            turns: Semaphore::new(max_readers as usize),
            value: RefCell::new(value),
        }
    }

    /// The value, from a lock nobody can take any more.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared access, behind any writer that asked first.
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        let turn = Acquire::new(&self.turns, 1).await;
        turn.expect("an RwLock's semaphore is never closed");
        self.read_guard(SemaphorePermit::taken(&self.turns, 1))
    }

    /// Waits for exclusive access, behind everyone who asked first.
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        let turns = Acquire::new(&self.turns, self.max_readers).await;
        turns.expect("an RwLock's semaphore is never closed");
        self.write_guard(SemaphorePermit::taken(&self.turns, self.max_readers))
    }

    /// Shared access now, if no writer holds the lock or waits for it.
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        let turn = self.turns.try_acquire().map_err(|_| TryLockError(()))?;
        Ok(self.read_guard(turn))
    }

    /// Exclusive access now, if nobody holds the lock or waits for it.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        let turns = self
            .turns
            .try_acquire_many(self.max_readers)
            .map_err(|_| TryLockError(()))?;
        Ok(self.write_guard(turns))
    }

    /// The value, through `&mut` (no other borrow can exist, so no lock is needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    fn read_guard<'a>(&'a self, turn: SemaphorePermit<'a>) -> RwLockReadGuard<'a, T> {
        RwLockReadGuard {
            value: self
                .value
                .try_borrow()
                .expect("no writer borrows the value while a reader holds a permit"),
            _turn: turn,
        }
    }

    fn write_guard<'a>(&'a self, turns: SemaphorePermit<'a>) -> RwLockWriteGuard<'a, T> {
        RwLockWriteGuard {
            value: self
                .value
                .try_borrow_mut()
                .expect("the writer holds every permit, so nobody else borrows"),
            turns,
            lock: self,
        }
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Turns write access into read access without letting a writer in between;
    /// readers waiting behind this writer may then read too.
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let RwLockWriteGuard { value, turns, lock } = self;
        drop(value);
        let value = lock.value.borrow();
        let reader = SemaphorePermit::taken(&lock.turns, 1);
        // Keep one permit as the reader's, give the rest back (waking readers).
        turns.forget();
        lock.turns.release(lock.max_readers as usize - 1);
        RwLockReadGuard {
            value,
            _turn: reader,
        }
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> RwLock<T> {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> RwLock<T> {
        RwLock::new(value)
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("RwLock");
        match self.value.try_borrow() {
            Ok(value) => out.field("value", &&*value),
            Err(_) => out.field("value", &format_args!("<write-locked>")),
        };
        out.finish()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}
