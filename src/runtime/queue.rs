//! The two queues of runnable tasks.
//!
//! - [`RunQueue`]: the local queue, touched only by the runtime's thread. A wake on
//!   that thread is a `push_back` here: no lock, no atomic read-modify-write, no
//!   syscall. It holds task *keys* (slot + generation), not references: the task table
//!   owns the tasks, and a key whose task finished meanwhile is simply skipped.
//! - [`InjectionQueue`]: tasks woken on other threads, behind a mutex, with the flag
//!   that says whether the loop is parked and must be woken through the eventfd.

#![deny(unsafe_code)]

use std::collections::VecDeque;
use std::mem;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::task::{RemoteTaskRef, TaskKey};

/// First in, first out: the task woken longest ago runs first.
#[derive(Debug, Default)]
pub(crate) struct RunQueue {
    keys: VecDeque<TaskKey>,
}

impl RunQueue {
    pub(crate) fn push(&mut self, key: TaskKey) {
        self.keys.push_back(key);
    }

    pub(crate) fn pop(&mut self) -> Option<TaskKey> {
        self.keys.pop_front()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The keys from position `start` (0 is the next to run) to the back.
    pub(crate) fn keys_from(&self, start: usize) -> impl Iterator<Item = TaskKey> + '_ {
        self.keys.range(start.min(self.keys.len())..).copied()
    }

    pub(crate) fn clear(&mut self) {
        self.keys.clear();
    }

    /// Gives back the memory of a burst (a million tasks spawned at once leave an 8 MB
    /// queue behind) once the queue has drained. The buffer is freed outright rather
    /// than shrunk: shrinking allocates a smaller one, and a mid-sized allocation
    /// right after a burst of frees makes glibc sweep all its small free chunks.
    pub(crate) fn release_burst_memory(&mut self) {
        if self.keys.is_empty() && self.keys.capacity() > BURST_CAPACITY {
            self.keys = VecDeque::new();
        }
    }
}

/// A queue this long (in tasks; 32 KiB) is a burst, not the runtime's usual load.
const BURST_CAPACITY: usize = 4096;

/// Tasks woken from other threads, waiting for the loop to pick them up.
#[derive(Debug, Default)]
pub(crate) struct InjectionQueue {
    state: Mutex<InjectionState>,
}

#[derive(Debug, Default)]
struct InjectionState {
    tasks: Vec<RemoteTaskRef>,
    /// The loop is in (or about to enter) a blocking `epoll_wait`: whoever pushes must
    /// ring the eventfd. Only then, so wakes while the loop is busy cost no syscall.
    parked: bool,
    /// The runtime is gone: drop whatever arrives.
    closed: bool,
}

/// What a pusher must do after [`InjectionQueue::push`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AfterPush {
    /// The loop is running and will see the task on its next tick.
    Nothing,
    /// The loop is parked: write the eventfd.
    Notify,
}

impl InjectionQueue {
    fn lock(&self) -> MutexGuard<'_, InjectionState> {
        // No user code runs under this lock (tasks are dropped after it is released),
        // so a poisoned lock still guards consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a task; a closed queue hands it back so the caller drops it unlocked.
    pub(crate) fn push(&self, task: RemoteTaskRef) -> Result<AfterPush, RemoteTaskRef> {
        let mut state = self.lock();
        if state.closed {
            return Err(task);
        }
        state.tasks.push(task);
        Ok(Self::take_parked(&mut state))
    }

    /// For wakes that queue nothing (the `block_on` future's): does a parked loop
    /// need the eventfd?
    pub(crate) fn wake_parked(&self) -> AfterPush {
        Self::take_parked(&mut self.lock())
    }

    fn take_parked(state: &mut InjectionState) -> AfterPush {
        if mem::take(&mut state.parked) {
            AfterPush::Notify
        } else {
            AfterPush::Nothing
        }
    }

    /// Moves every queued task into `into` (which the loop reuses, so no allocation).
    pub(crate) fn take_all(&self, into: &mut Vec<RemoteTaskRef>) {
        mem::swap(&mut self.lock().tasks, into);
    }

    /// Marks the loop parked unless tasks are waiting or `other_work` says so. Checked
    /// under the lock pushers take, so a push either sees `parked` and notifies, or
    /// is seen here.
    pub(crate) fn try_park(&self, other_work: impl FnOnce() -> bool) -> bool {
        let mut state = self.lock();
        if !state.tasks.is_empty() || other_work() {
            return false;
        }
        state.parked = true;
        true
    }

    pub(crate) fn unpark(&self) {
        self.lock().parked = false;
    }

    /// Refuses later pushes and returns what was queued.
    pub(crate) fn close(&self) -> Vec<RemoteTaskRef> {
        let mut state = self.lock();
        state.closed = true;
        mem::take(&mut state.tasks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(index: u32) -> TaskKey {
        TaskKey {
            index,
            generation: 0,
        }
    }

    #[test]
    fn run_queue_is_fifo() {
        let mut queue = RunQueue::default();
        for index in 0..5 {
            queue.push(key(index));
        }
        let order: Vec<u32> = std::iter::from_fn(|| queue.pop())
            .map(|k| k.index)
            .collect();
        assert_eq!(order, [0, 1, 2, 3, 4]);
        assert!(queue.is_empty());
    }

    #[test]
    fn a_drained_burst_gives_its_memory_back() {
        let mut queue = RunQueue::default();
        for index in 0..2 * BURST_CAPACITY as u32 {
            queue.push(key(index));
        }
        queue.release_burst_memory();
        assert!(
            queue.keys.capacity() >= 2 * BURST_CAPACITY,
            "not while tasks are queued"
        );
        while queue.pop().is_some() {}
        queue.release_burst_memory();
        assert_eq!(queue.keys.capacity(), 0);
    }

    #[test]
    fn parked_loop_is_notified_once() {
        let queue = InjectionQueue::default();
        assert!(queue.try_park(|| false));
        assert_eq!(queue.wake_parked(), AfterPush::Notify);
        assert_eq!(queue.wake_parked(), AfterPush::Nothing);
    }

    #[test]
    fn park_is_refused_when_other_work_exists() {
        let queue = InjectionQueue::default();
        assert!(!queue.try_park(|| true));
        assert_eq!(queue.wake_parked(), AfterPush::Nothing);
    }

    #[test]
    fn running_loop_is_not_notified() {
        let queue = InjectionQueue::default();
        assert!(queue.try_park(|| false));
        queue.unpark();
        assert_eq!(queue.wake_parked(), AfterPush::Nothing);
    }
}
