//! `JoinHandle`: the future that resolves to a spawned task's output.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::raw::TaskRef;
use super::{Id, JoinError};
use crate::runtime::core::schedule;

/// An owned permission to await a spawned task's output.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked or was
/// cancelled. Dropping it *detaches* the task: the task keeps running and its output is
/// dropped when it finishes.
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let handle = evloop::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
///
/// # Caveats
///
/// A `JoinHandle` is `!Send`: evloop runs on one thread, the task's output may itself be
/// `!Send`, and the handle stays on the thread that spawned it.
pub struct JoinHandle<T> {
    task: TaskRef,
    _output: PhantomData<T>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(task: TaskRef) -> JoinHandle<T> {
        JoinHandle {
            task,
            _output: PhantomData,
        }
    }

    /// Cancels the task: the next time the loop reaches it, its future is dropped
    /// (running its destructors) instead of polled, and this handle then yields a
    /// cancelled [`JoinError`]. A task that already finished is not affected.
    ///
    /// # Examples
    ///
    /// ```
    /// evloop::block_on(async {
    ///     let handle = evloop::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        let header = self.task.header();
        if header.is_complete() {
            return;
        }
        header.request_cancel();
        schedule(&self.task);
    }

    /// Whether the task has finished (with an output, a panic, or by cancellation).
    pub fn is_finished(&self) -> bool {
        self.task.header().is_complete()
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.task.header().id
    }
}

// The handle is a pointer; the output is never pinned through it.
impl<T> Unpin for JoinHandle<T> {}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let header = self.task.header();
        if !header.is_complete() {
            // One thread: the task cannot complete between the check and this store.
            header.set_join_waker(cx.waker());
            return Poll::Pending;
        }
        // SAFETY: the task is complete, `T` is its output type (the handle was created
        // by `spawn` for exactly this future), and a second take panics in the vtable.
        Poll::Ready(unsafe { self.task.take_output::<T>() })
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let header = self.task.header();
        header.clear_join_interest();
        if header.is_complete() {
            self.task.drop_output();
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
