//! The thread-local "current runtime": how `spawn`, wakers and sockets find the loop
//! they run on without being handed it.

#![deny(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use super::core::Core;
use super::shared::Shared;
use crate::reactor::Reactor;

thread_local! {
    /// Set while a runtime runs on this thread (inside `block_on`, or while it shuts
    /// down). At most one: `block_on` refuses to nest.
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };

    /// The address of `CURRENT`'s reactor (null while there is none), kept beside it
    /// so that an I/O object about to wait can ask "is my reactor the one running?"
    /// with one load and no borrow (see `Source::is_of_current_runtime`): that question is
    /// asked on every wait. Only ever compared, never dereferenced.
    static CURRENT_REACTOR: Cell<*const Reactor> = const { Cell::new(std::ptr::null()) };
}

/// The message for `block_on` inside a runtime. One place, so tests can match it.
pub(crate) const NESTED_BLOCK_ON: &str = "evloop: cannot call `block_on` from inside a \
    running evloop runtime: it would block the thread that drives every task. `.await` \
    the future instead, or `evloop::spawn` it.";

/// The message for `spawn`, a socket or a timer outside any runtime.
pub(crate) const NO_RUNTIME: &str = "evloop: there is no runtime on this thread. Start \
    one with `#[evloop::main]`, `evloop::block_on(..)` or \
    `evloop::Runtime::new()?.block_on(..)`, and call this from inside it.";

/// Makes `core` the current runtime until the guard drops.
///
/// # Panics
///
/// If a runtime is already current: `block_on` does not nest.
#[track_caller]
pub(crate) fn enter(core: Rc<Core>) -> EnterGuard {
    let reactor = reactor_of(Some(&core));
    let previous = CURRENT.with(|current| current.borrow_mut().replace(core));
    if previous.is_some() {
        CURRENT.with(|current| *current.borrow_mut() = previous);
        panic!("{NESTED_BLOCK_ON}");
    }
    CURRENT_REACTOR.set(reactor);
    EnterGuard { previous: None }
}

/// Makes `core` current while it shuts down, even inside another runtime (a runtime
/// may be dropped from another one's task); the previous one comes back after.
pub(crate) fn enter_for_shutdown(core: Rc<Core>) -> EnterGuard {
    CURRENT_REACTOR.set(reactor_of(Some(&core)));
    let previous = CURRENT.with(|current| current.borrow_mut().replace(core));
    EnterGuard { previous }
}

fn reactor_of(core: Option<&Rc<Core>>) -> *const Reactor {
    core.map_or(std::ptr::null(), |core| Rc::as_ptr(&core.reactor))
}

/// The address of the current runtime's reactor; null outside any runtime.
pub(crate) fn current_reactor() -> *const Reactor {
    CURRENT_REACTOR.get()
}

/// Restores the previous current runtime (usually none) when dropped.
#[derive(Debug)]
pub(crate) struct EnterGuard {
    previous: Option<Rc<Core>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT_REACTOR.set(reactor_of(previous.as_ref()));
        // Swap first, drop the old value after the borrow ends: dropping a `Core`
        // could run destructors that look at `CURRENT` again.
        let exiting =
            CURRENT.with(|current| std::mem::replace(&mut *current.borrow_mut(), previous));
        drop(exiting);
    }
}

/// Runs `f` with the current runtime's core, or returns `None` outside a runtime.
pub(crate) fn with_current<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    CURRENT.with(|current| current.borrow().as_deref().map(f))
}

/// Runs `f` with the current runtime's core.
///
/// # Panics
///
/// Outside a runtime, with [`NO_RUNTIME`]: the one place that message is raised.
#[track_caller]
pub(crate) fn expect_current<R>(f: impl FnOnce(&Core) -> R) -> R {
    match with_current(f) {
        Some(result) => result,
        None => no_runtime(),
    }
}

/// Panics with [`NO_RUNTIME`], blaming the caller's caller.
#[track_caller]
pub(crate) fn no_runtime() -> ! {
    panic!("{NO_RUNTIME}")
}

/// The current runtime's core, cloned (for `Handle`).
pub(crate) fn current() -> Option<Rc<Core>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Whether the runtime that `shared` belongs to is running on this thread.
pub(crate) fn is_running(shared: &Arc<Shared>) -> bool {
    with_current(|core| Arc::ptr_eq(&core.shared, shared)).unwrap_or(false)
}
