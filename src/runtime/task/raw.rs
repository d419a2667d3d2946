//! One task, one allocation: the header, then the future, whose slot later holds the
//! output. `TaskRef` is an owning pointer to it, counted in the header.

use std::cell::UnsafeCell;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::header::Header;
use super::join_error::{JoinError, report_lost_panic};
use super::{Id, TaskKey, waker};
use crate::runtime::core::Core;
use crate::runtime::shared::Shared;

/// The whole allocation of a task whose future is `F`.
///
/// # Invariant
///
/// `header` comes first and the layout is C-like, so `NonNull<Header>` and
/// `NonNull<TaskCell<F>>` are the same pointer.
#[repr(C)]
struct TaskCell<F: Future> {
    header: Header,
    stage: UnsafeCell<Stage<F>>,
}

/// What the task's one slot holds over its life.
enum Stage<F: Future> {
    /// The future, not yet finished. It never moves: the allocation is pinned.
    Running(F),
    /// The output, or why there is none, waiting for the `JoinHandle`.
    Finished(Result<F::Output, JoinError>),
    /// The output was handed out or dropped.
    Consumed,
}

/// The functions that know the task's real type, one table per future type.
///
/// Everything else about a task (wakers, queues, the task table) handles only the
/// untyped header; these are the only places that cast back to `TaskCell<F>`.
pub(crate) struct TaskVTable {
    /// Polls the future once; on `Ready` (or a panic) stores the result.
    poll: unsafe fn(NonNull<Header>) -> Poll<()>,
    /// Drops the future and stores a cancelled `JoinError`.
    cancel: unsafe fn(NonNull<Header>),
    /// Moves the stored result into `*mut Poll<Result<F::Output, JoinError>>`.
    take_output: unsafe fn(NonNull<Header>, *mut ()),
    /// Drops whatever the slot holds (the output nobody will read).
    drop_stage: unsafe fn(NonNull<Header>),
    /// Frees the allocation.
    dealloc: unsafe fn(NonNull<Header>),
}

/// What happened when the loop ran a task.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RunResult {
    /// The future is waiting for a wake.
    Pending,
    /// The task is complete; the runtime should drop its task-table reference.
    Complete,
}

/// An owning, counted pointer to a task.
///
/// It is `!Send` (it holds a raw pointer): tasks are polled and completed on their
/// runtime's thread. Wakers are the one way a task is reached from other threads, and
/// they touch only the header's atomics.
pub(crate) struct TaskRef {
    header: NonNull<Header>,
}

impl TaskRef {
    /// Allocates a task for `future` and returns its first two references: one for
    /// the runtime's task table, one for the `JoinHandle`.
    pub(crate) fn allocate<F>(
        future: F,
        key: TaskKey,
        id: Id,
        owner: Arc<Shared>,
    ) -> (TaskRef, TaskRef)
    where
        F: Future + 'static,
    {
        let cell = Box::new(TaskCell {
            header: Header::new(key, id, owner, vtable::<F>()),
            stage: UnsafeCell::new(Stage::Running(future)),
        });
        let header = NonNull::from(Box::leak(cell)).cast::<Header>();
        // `Header::new` counted both references.
        (TaskRef { header }, TaskRef { header })
    }

    /// Adopts one owning reference that was counted in the header already.
    ///
    /// # Safety
    ///
    /// `header` points at a live task and the caller gives up one counted reference.
    pub(crate) unsafe fn from_raw(header: NonNull<Header>) -> TaskRef {
        TaskRef { header }
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: we hold a counted reference, so the allocation is live.
        unsafe { self.header.as_ref() }
    }

    /// Runs the task once: polls its future, or drops it if cancellation was asked for.
    /// On completion stores the result and wakes the join waker.
    pub(crate) fn run(&self) -> RunResult {
        let header = self.header();
        header.clear_queued();
        if header.is_cancel_requested() {
            self.cancel();
            return RunResult::Complete;
        }
        // SAFETY: the task is live and not complete (the loop drops complete tasks
        // from its table), and only the runtime's thread polls.
        match unsafe { (header.vtable.poll)(self.header) } {
            Poll::Pending => RunResult::Pending,
            Poll::Ready(()) => {
                self.complete();
                RunResult::Complete
            }
        }
    }

    /// Drops the future now and stores a cancelled `JoinError`. Used by the loop for an
    /// aborted task and by runtime shutdown for every task left.
    pub(crate) fn cancel(&self) {
        if self.header().is_complete() {
            return;
        }
        // SAFETY: live, not complete, on the runtime's thread.
        unsafe { (self.header().vtable.cancel)(self.header) };
        self.complete();
    }

    fn complete(&self) {
        let header = self.header();
        header.set_complete();
        if !header.has_join_interest() {
            // SAFETY: complete, so the slot holds an output nobody will read.
            unsafe { (header.vtable.drop_stage)(self.header) };
        }
        if let Some(waker) = header.take_join_waker() {
            waker.wake();
        }
    }

    /// Moves the result out, for the join handle.
    ///
    /// # Safety
    ///
    /// The task is complete, its output not yet taken, and `T` is its output type.
    pub(crate) unsafe fn take_output<T>(&self) -> Result<T, JoinError> {
        let mut out: Poll<Result<T, JoinError>> = Poll::Pending;
        // SAFETY: the caller vouches for the type; `out` is a valid destination.
        unsafe { (self.header().vtable.take_output)(self.header, (&raw mut out).cast()) };
        match out {
            Poll::Ready(result) => result,
            Poll::Pending => unreachable!("take_output always writes a result"),
        }
    }

    /// Drops the stored output (the handle went away without reading it).
    pub(crate) fn drop_output(&self) {
        debug_assert!(self.header().is_complete());
        // SAFETY: complete tasks hold only an output (or nothing) in their slot.
        unsafe { (self.header().vtable.drop_stage)(self.header) };
    }
}

impl Clone for TaskRef {
    fn clone(&self) -> TaskRef {
        self.header().increment_refs();
        TaskRef {
            header: self.header,
        }
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        if self.header().decrement_refs() {
            // SAFETY: that was the last reference; nobody can reach the task any more.
            unsafe { (self.header().vtable.dealloc)(self.header) };
        }
    }
}

impl std::fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskRef")
            .field("id", &self.header().id)
            .finish()
    }
}

fn vtable<F: Future + 'static>() -> &'static TaskVTable {
    &TaskVTable {
        poll: poll::<F>,
        cancel: cancel::<F>,
        take_output: take_output::<F>,
        drop_stage: drop_stage::<F>,
        dealloc: dealloc::<F>,
    }
}

/// # Safety
///
/// `ptr` is the header of a live `TaskCell<F>` and no other reference to its stage
/// is live (only the runtime's thread touches stages, one call at a time).
unsafe fn stage_mut<'a, F: Future>(ptr: NonNull<Header>) -> &'a mut Stage<F> {
    // SAFETY: per the function's contract, and the cell invariant for the cast.
    unsafe { &mut *ptr.cast::<TaskCell<F>>().as_ref().stage.get() }
}

/// Drops what a task's slot held. That runs user destructors, which may panic; the
/// runtime must survive that, so the panic is caught and reported.
fn drop_catching_panics<T>(id: Id, value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        report_lost_panic(
            id,
            "while the runtime dropped its future or output",
            payload,
        );
    }
}

/// Drops the future where it lies and stores `result` in its place.
///
/// The future is pinned, so it must be dropped in place: moving it out first (as
/// `mem::replace` would) breaks the promise `Pin` made to futures that keep pointers
/// into themselves. A panicking destructor is caught and reported.
fn finish_stage<F: Future>(stage: &mut Stage<F>, id: Id, result: Result<F::Output, JoinError>) {
    let Stage::Running(future) = stage else {
        unreachable!("only a running task finishes");
    };
    if std::mem::needs_drop::<F>() {
        let future: *mut F = future;
        // SAFETY: the future is valid and dropped exactly once: right after this, the
        // slot is overwritten with `ptr::write`, which does not drop it again.
        let dropped = catch_unwind(AssertUnwindSafe(|| unsafe {
            std::ptr::drop_in_place(future)
        }));
        if let Err(payload) = dropped {
            report_lost_panic(id, "while the runtime dropped its future", payload);
        }
    }
    // SAFETY: `stage` is valid for writes; its old contents (the future) were dropped
    // above or need no drop.
    unsafe { std::ptr::write(stage, Stage::Finished(result)) };
}

unsafe fn poll<F: Future>(ptr: NonNull<Header>) -> Poll<()> {
    // A waker that borrows the task's references instead of owning one: no counting
    // for a poll; a future that keeps the waker clones it, and that clone is counted.
    let waker = ManuallyDrop::new(waker::waker_for(ptr));
    let mut cx = Context::from_waker(&waker);
    // SAFETY: the caller (`TaskRef::run`) holds a reference, so the header is live.
    let id = unsafe { ptr.as_ref() }.id;
    // SAFETY: the loop polls one task at a time on its own thread.
    let stage = unsafe { stage_mut::<F>(ptr) };
    let Stage::Running(future) = stage else {
        unreachable!("only running tasks are polled");
    };
    // SAFETY: the future lives inside a heap allocation that is never moved and is
    // only freed after the future has been dropped in place.
    let future = unsafe { Pin::new_unchecked(future) };
    let result = match catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx))) {
        Ok(Poll::Pending) => return Poll::Pending,
        Ok(Poll::Ready(output)) => Ok(output),
        Err(payload) => Err(JoinError::panic(id, payload)),
    };
    finish_stage(stage, id, result);
    Poll::Ready(())
}

unsafe fn cancel<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: the header is live; the stage is ours alone (see `stage_mut`).
    let id = unsafe { ptr.as_ref() }.id;
    // SAFETY: as above.
    let stage = unsafe { stage_mut::<F>(ptr) };
    finish_stage(stage, id, Err(JoinError::cancelled(id)));
}

unsafe fn take_output<F: Future>(ptr: NonNull<Header>, dst: *mut ()) {
    // SAFETY: the caller (`TaskRef::take_output`) passes a live complete task and a
    // `*mut Poll<Result<F::Output, JoinError>>`.
    unsafe {
        let stage = stage_mut::<F>(ptr);
        match std::mem::replace(stage, Stage::Consumed) {
            Stage::Finished(result) => {
                *dst.cast::<Poll<Result<F::Output, JoinError>>>() = Poll::Ready(result)
            }
            _ => panic!("JoinHandle polled after it returned its output"),
        }
    }
}

unsafe fn drop_stage<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: the header is live; the stage is ours alone (see `stage_mut`).
    let id = unsafe { ptr.as_ref() }.id;
    // SAFETY: as above.
    let stage = unsafe { stage_mut::<F>(ptr) };
    match std::mem::replace(stage, Stage::Consumed) {
        Stage::Finished(Err(error)) if error.is_panic() => {
            report_lost_panic(id, "with no JoinHandle to report to", error.into_panic());
        }
        other => drop_catching_panics(id, other),
    }
}

unsafe fn dealloc<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: the last reference is gone; the allocation came from `Box<TaskCell<F>>`
    // in `allocate`. Its stage is `Consumed`: the future was dropped on the runtime's
    // thread before the table let go (runtime drop cancels every task left), and the
    // output was taken or dropped by the handle or at completion. So freeing it here,
    // on whatever thread dropped the last waker, runs no user code.
    drop(unsafe { Box::from_raw(ptr.cast::<TaskCell<F>>().as_ptr()) });
}

/// A task reference travelling through the cross-thread injection queue.
///
/// A `TaskRef` is `!Send` because it can poll the task. This wrapper can do nothing but
/// be dropped (which only touches the header's atomics, and frees a task whose future
/// and output are already gone) or be turned back into a `TaskRef` on the thread of
/// the runtime that owns the task.
pub(crate) struct RemoteTaskRef(TaskRef);

// SAFETY: see the type's docs: on a foreign thread the wrapped reference is only
// dropped, and `TaskRef::drop` touches nothing but atomics (and frees a task whose
// stage is already empty, per `dealloc`).
unsafe impl Send for RemoteTaskRef {}

impl TaskRef {
    /// Wraps a new reference to this task for another thread's use.
    pub(crate) fn to_remote(&self) -> RemoteTaskRef {
        RemoteTaskRef(self.clone())
    }
}

impl RemoteTaskRef {
    /// Turns the reference back into a full `TaskRef`.
    ///
    /// `core` proves the caller is on a runtime's thread (`Core` is `!Sync`, so a
    /// `&Core` cannot be on any other thread).
    ///
    /// # Panics
    ///
    /// If the task belongs to another runtime.
    pub(crate) fn into_local(self, core: &Core) -> TaskRef {
        assert!(
            core.owns(&self.0),
            "a task reached the injection queue of a runtime that does not own it"
        );
        self.0
    }
}

impl std::fmt::Debug for RemoteTaskRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parked task's cost is this header plus its future; the benchmark target is
    /// 128 bytes per parked task, all included.
    #[test]
    fn header_stays_small() {
        assert_eq!(size_of::<Header>(), 56);
    }
}
