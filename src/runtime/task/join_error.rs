//! Why a task produced no output: it was cancelled, or it panicked.

#![deny(unsafe_code)]

use std::any::Any;
use std::fmt;
use std::io;

use super::Id;

/// The error a [`JoinHandle`](super::JoinHandle) yields when its task did not finish
/// normally.
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let handle = evloop::spawn(async { panic!("boom") });
///     let error = handle.await.unwrap_err();
///     assert!(error.is_panic());
///     assert_eq!(*error.into_panic().downcast::<&str>().unwrap(), "boom");
/// });
/// ```
pub struct JoinError {
    id: Id,
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic(Box<dyn Any + Send + 'static>),
}

impl JoinError {
    pub(crate) fn cancelled(id: Id) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(id: Id, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            id,
            repr: Repr::Panic(payload),
        }
    }

    /// Whether the task was aborted, or dropped by a runtime shutting down.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic's payload, to inspect or to `std::panic::resume_unwind`.
    ///
    /// # Panics
    ///
    /// If the task was cancelled rather than panicking; check [`is_panic`](Self::is_panic)
    /// or use [`try_into_panic`](Self::try_into_panic).
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` called on a cancelled task's error")
    }

    /// The panic's payload, or the error back if the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(payload) => Ok(payload),
            Repr::Cancelled => Err(self),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> Id {
        self.id
    }
}

/// The message of a panic payload, when it is a string (as `panic!` makes it).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// Tells stderr about a panic nobody else will see: a detached task's, or one thrown
/// by a destructor the runtime ran. The panic hook has already printed where it
/// happened; this one line says which task it was, and that the runtime carried on.
pub(crate) fn report_lost_panic(id: Id, circumstance: &str, payload: Box<dyn Any + Send>) {
    let message = panic_message(&*payload).unwrap_or("Box<dyn Any>");
    eprintln!("evloop: task {id} panicked {circumstance}: {message}");
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "task {} was cancelled", self.id),
            Repr::Panic(payload) => match panic_message(&**payload) {
                Some(message) => write!(f, "task {} panicked: {message}", self.id),
                None => write!(f, "task {} panicked", self.id),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "JoinError::Cancelled({:?})", self.id),
            Repr::Panic(payload) => {
                let message = panic_message(&**payload).unwrap_or("..");
                write!(f, "JoinError::Panic({:?}, {message:?})", self.id)
            }
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for io::Error {
    fn from(error: JoinError) -> io::Error {
        io::Error::other(error.to_string())
    }
}
