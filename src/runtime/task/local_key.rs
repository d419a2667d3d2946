//! Task-local values: [`task_local!`](crate::task_local) and [`LocalKey`].
//!
//! A thread-local would be shared by every task on the thread. A task-local value is
//! set for one future with [`LocalKey::scope`] and visible only while that future (and
//! whatever it awaits) is being polled: each poll puts the value into a thread-local
//! slot, polls, and takes it out again, so the next task polled sees its own value or
//! none. That costs two swaps per poll of the scoped future and nothing elsewhere.
//!
//! ```
//! evloop::task_local! {
//!     static REQUEST_ID: u64;
//! }
//!
//! async fn log(message: &str) -> String {
//!     format!("[{}] {message}", REQUEST_ID.get())
//! }
//!
//! evloop::block_on(async {
//!     let a = evloop::spawn(REQUEST_ID.scope(1, async { log("a").await }));
//!     let b = evloop::spawn(REQUEST_ID.scope(2, async { log("b").await }));
//!     assert_eq!(a.await.unwrap(), "[1] a");
//!     assert_eq!(b.await.unwrap(), "[2] b");
//!     assert!(REQUEST_ID.try_with(|_| ()).is_err(), "not set out here");
//! });
//! ```

#![deny(unsafe_code)]

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// Declares task-local values: `static NAME: Type;`, each a [`LocalKey`].
///
/// The same syntax as tokio's `task_local!`; attributes and `pub` are allowed.
///
/// ```
/// evloop::task_local! {
///     /// The user this task works for.
///     pub static USER: String;
///     static DEPTH: u32;
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
    };
}

/// One key of [`task_local!`]: a `static` holding a thread-local slot.
#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static SLOT: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey::__new(&SLOT)
        };
    };
}

/// A key for a task-local value, declared with [`task_local!`](crate::task_local).
pub struct LocalKey<T: 'static> {
    slot: &'static std::thread::LocalKey<RefCell<Option<T>>>,
}

/// [`LocalKey::try_with`] outside any scope of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessError(());

pin_project! {
    /// A future with a task-local value set while it is polled; from
    /// [`LocalKey::scope`]. Its output is the inner future's. The inner future is
    /// also dropped inside the scope, so its destructors see the value too.
    //
    // `value` holds the value while the future is not being polled.
    pub struct TaskLocalFuture<T: 'static, F> {
        key: &'static LocalKey<T>,
        value: Option<T>,
        #[pin]
        future: Option<F>,
    }

    impl<T: 'static, F> PinnedDrop for TaskLocalFuture<T, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.future.is_some() {
                let mut future = this.future;
                // If the slot is out of reach (the thread is exiting), drop it bare.
                let in_scope = this.key.enter(this.value, || future.set(None));
                if in_scope.is_err() {
                    future.set(None);
                }
            }
        }
    }
}

impl<T: 'static> LocalKey<T> {
    /// For [`task_local!`](crate::task_local) only.
    #[doc(hidden)]
    pub const fn __new(slot: &'static std::thread::LocalKey<RefCell<Option<T>>>) -> Self {
        LocalKey { slot }
    }

    /// Runs `future` with this key set to `value` during each of its polls.
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            value: Some(value),
            future: Some(future),
        }
    }

    /// Runs `f` with this key set to `value`.
    ///
    /// # Panics
    ///
    /// If called while [`with`](Self::with) lends this key's value.
    #[track_caller]
    pub fn sync_scope<R>(&'static self, value: T, f: impl FnOnce() -> R) -> R {
        let mut value = Some(value);
        self.enter(&mut value, f)
            .unwrap_or_else(|message| panic!("{message}"))
    }

    /// Calls `f` with the value.
    ///
    /// # Panics
    ///
    /// Outside a [`scope`](Self::scope) of this key.
    #[track_caller]
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        match self.try_with(f) {
            Ok(result) => result,
            Err(AccessError(())) => panic!(
                "evloop: a task-local value was read outside its scope; set it with \
                 `KEY.scope(value, future)` around the code that reads it"
            ),
        }
    }

    /// Calls `f` with the value, or fails outside a [`scope`](Self::scope) of this key.
    pub fn try_with<R>(&'static self, f: impl FnOnce(&T) -> R) -> Result<R, AccessError> {
        self.slot
            .try_with(|slot| slot.borrow().as_ref().map(f))
            .ok()
            .flatten()
            .ok_or(AccessError(()))
    }

    /// A copy of the value.
    ///
    /// # Panics
    ///
    /// Outside a [`scope`](Self::scope) of this key.
    #[track_caller]
    pub fn get(&'static self) -> T
    where
        T: Clone,
    {
        self.with(T::clone)
    }

    /// Swaps `value` into the slot, runs `f`, swaps it back out (also if `f` panics).
    /// `Err` with a message if the slot cannot be entered.
    fn enter<R>(
        &'static self,
        value: &mut Option<T>,
        f: impl FnOnce() -> R,
    ) -> Result<R, &'static str> {
        struct SwapBack<'a, T: 'static> {
            key: &'static LocalKey<T>,
            value: &'a mut Option<T>,
        }

        impl<T: 'static> Drop for SwapBack<'_, T> {
            fn drop(&mut self) {
                // Entered, so the slot is reachable and not borrowed by this scope.
                let _ = self.key.swap(self.value);
            }
        }

        self.swap(value)?;
        let _back = SwapBack { key: self, value };
        Ok(f())
    }

    fn swap(&'static self, value: &mut Option<T>) -> Result<(), &'static str> {
        self.slot
            .try_with(|slot| {
                let mut slot = slot.try_borrow_mut().map_err(|_| BORROWED)?;
                mem::swap(&mut *slot, value);
                Ok(())
            })
            .map_err(|_| "evloop: a task-local slot was used while its thread was exiting")?
    }
}

/// Why a scope could not be entered while `with` lends the value.
const BORROWED: &str = "evloop: a task-local scope was entered while `LocalKey::with` lends \
    the same key's value (a future polled from inside `with`?)";

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        let key = *this.key;
        let polled = key.enter(this.value, || match this.future.as_mut().as_pin_mut() {
            Some(future) => {
                let poll = future.poll(cx);
                if poll.is_ready() {
                    this.future.set(None);
                }
                Some(poll)
            }
            None => None,
        });
        match polled {
            Ok(Some(poll)) => poll,
            Ok(None) => panic!("evloop: a TaskLocalFuture was polled after it completed"),
            Err(message) => panic!("{message}"),
        }
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey").finish_non_exhaustive()
    }
}

impl<T: 'static + fmt::Debug, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("value", &self.value)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set")
    }
}

impl std::error::Error for AccessError {}
