//! Reaping a child nobody waits for: no zombie outlives its `Child`'s drop for long.
//!
//! A dropped, still-running child is handed to a small task on its runtime that
//! waits for the exit exactly as `Child::wait` would. When there is no runtime to run
//! that task (it was dropped, or is shutting down and cancels the task), a thread takes
//! the child over and blocks in `waitpid` until it exits: rare, so one short-lived
//! thread per such child costs less than a process-wide reaper would in code.

use std::future::poll_fn;
use std::process;
use std::thread;

use super::exit::Exit;
use crate::runtime::context;

/// Makes sure `exit`'s child is reaped once it exits, without blocking the caller.
pub(crate) fn reap(mut exit: Exit) {
    // Most children dropped un-awaited have exited already: reap them here and now.
    if matches!(exit.try_wait(), Ok(Some(_))) {
        return;
    }
    if context::with_current(|_| ()).is_some() {
        let mut orphan = Orphan(Some(exit));
        drop(crate::spawn(async move {
            let exit = orphan.0.as_mut().expect("present until the task ends");
            // An error (the runtime's reactor gone) leaves the child to the thread.
            if poll_fn(|cx| exit.poll_wait(cx)).await.is_ok() {
                // Reaped: nothing left for the drop to hand on.
                drop(orphan.0.take());
            }
        }));
    } else if let Some(child) = exit.into_unreaped() {
        reap_on_thread(child);
    }
}

/// Blocks a new thread in `waitpid` until `child` exits.
pub(crate) fn reap_on_thread(mut child: process::Child) {
    let spawned = thread::Builder::new()
        .name("evloop-reaper".into())
        // `waitpid` needs next to no stack: keep the thread as small as the OS allows.
        .stack_size(16 * 1024)
        .spawn(move || drop(child.wait()));
    if let Err(error) = spawned {
        eprintln!("evloop: cannot start a thread to reap a dropped child process: {error}");
    }
}

/// The state of an orphan's reaping task. If the task is dropped before the child is
/// reaped (its runtime shuts down), the child goes to a thread.
struct Orphan(Option<Exit>);

impl Drop for Orphan {
    fn drop(&mut self) {
        if let Some(child) = self.0.take().and_then(Exit::into_unreaped) {
            reap_on_thread(child);
        }
    }
}
