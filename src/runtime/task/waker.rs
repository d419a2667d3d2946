//! The hand-written `RawWakerVTable`: how a `Waker` becomes "put this task back on the
//! run queue".
//!
//! A `Waker` is two words: a data pointer and a pointer to four functions. Ours point
//! at the task's [`Header`], and the functions only count references and schedule:
//!
//! | vtable entry  | what it does                                                 |
//! |---------------|--------------------------------------------------------------|
//! | `clone`       | one more reference in the header; same pointer               |
//! | `wake`        | schedule the task, then drop this waker's reference          |
//! | `wake_by_ref` | schedule the task; the waker keeps its reference             |
//! | `drop`        | one reference less; the last one frees the task              |
//!
//! Scheduling itself ([`schedule`]) is decided by the runtime: on its own thread it is
//! a push onto a `VecDeque` (no lock, no syscall); elsewhere it is the injection queue.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::header::Header;
use super::raw::TaskRef;
use crate::runtime::core::schedule;

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker for the task at `header` that does not own a reference.
///
/// The caller must not let it run its `drop` (wrap it in `ManuallyDrop`) unless it
/// counted a reference for it.
pub(crate) fn waker_for(header: NonNull<Header>) -> Waker {
    // SAFETY: the vtable's functions uphold the `RawWaker` contract for a data pointer
    // to a live task header: clone counts a reference, drop releases one, and both
    // wake functions are safe to call from any thread.
    unsafe { Waker::from_raw(RawWaker::new(header.as_ptr().cast(), &VTABLE)) }
}

/// Whether `waker` is an evloop task's. Waking one only queues the task and at worst
/// frees a task whose future is already gone: it runs no user code, so the reactor
/// may wake it while it still holds its own borrows.
pub(crate) fn is_task_waker(waker: &Waker) -> bool {
    std::ptr::eq(waker.vtable(), &VTABLE)
}

/// Borrows the reference that the waker's data pointer stands for.
///
/// # Safety
///
/// `data` came from `waker_for` and the waker it belongs to is live.
unsafe fn borrow(data: *const ()) -> ManuallyDrop<TaskRef> {
    // SAFETY: a live waker's pointer is a non-null header pointer (see `waker_for`),
    // and `ManuallyDrop` keeps us from releasing a reference we do not own.
    ManuallyDrop::new(unsafe { TaskRef::from_raw(NonNull::new_unchecked(data.cast_mut().cast())) })
}

unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: called through a live waker.
    let task = unsafe { borrow(data) };
    task.header().increment_refs();
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: called through a live waker, which owns one reference: adopt it.
    let task = ManuallyDrop::into_inner(unsafe { borrow(data) });
    schedule(&task);
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: called through a live waker.
    let task = unsafe { borrow(data) };
    schedule(&task);
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: the waker being dropped owns one reference: adopt it and let it go.
    drop(ManuallyDrop::into_inner(unsafe { borrow(data) }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;
    use std::task::Poll;
    use waker_fn::waker_fn;

    #[test]
    fn a_task_waker_is_told_from_every_other_waker() {
        let runtime = crate::Runtime::new().unwrap();
        let (task, root) = runtime.block_on(async {
            let task = crate::spawn(poll_fn(|cx| Poll::Ready(is_task_waker(cx.waker()))));
            let root = poll_fn(|cx| Poll::Ready(is_task_waker(cx.waker()))).await;
            (task.await.unwrap(), root)
        });
        assert!(task, "a spawned task's waker");
        assert!(
            !root,
            "the block_on future's waker only sets a flag of its own"
        );
        assert!(!is_task_waker(Waker::noop()));
        assert!(!is_task_waker(&waker_fn(|| {})));
    }
}
