//! `JoinSet`: many tasks, awaited in the order they finish.

#![deny(unsafe_code)]

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use futures_core::Stream;

use super::{JoinError, JoinHandle};

/// A collection of spawned tasks whose outputs are collected as they finish.
///
/// Each task's `JoinHandle` is given a waker of its own that records the task's slot in
/// a ready list, so [`join_next`](JoinSet::join_next) looks only at tasks that finished
/// instead of polling all of them. Dropping the set aborts every task still in it.
///
/// # Examples
///
/// ```
/// use evloop::task::JoinSet;
///
/// evloop::block_on(async {
///     let mut set = JoinSet::new();
///     for i in 0..10u32 {
///         set.spawn(async move { i });
///     }
///     let mut sum = 0;
///     while let Some(result) = set.join_next().await {
///         sum += result.unwrap();
///     }
///     assert_eq!(sum, 45);
/// });
/// ```
pub struct JoinSet<T> {
    /// Slots of live tasks; `None` marks a free slot (listed in `free`).
    entries: Vec<Option<Entry<T>>>,
    free: Vec<usize>,
    len: usize,
    ready: Arc<ReadyList>,
}

struct Entry<T> {
    handle: JoinHandle<T>,
    /// Wakes the set and names this slot; polled with every time, so the task always
    /// holds it as its join waker.
    waker: Waker,
}

/// Slots whose tasks finished, plus the waker of whoever awaits `join_next`.
///
/// A mutex because `Waker`s must be `Send + Sync`; in practice only the runtime's
/// thread takes it, so it is never contended.
#[derive(Default)]
struct ReadyList {
    state: Mutex<ReadyState>,
}

#[derive(Default)]
struct ReadyState {
    /// In completion order.
    slots: VecDeque<usize>,
    waiter: Option<Waker>,
}

/// The join waker for one slot.
struct SlotWaker {
    slot: usize,
    ready: Arc<ReadyList>,
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let waiter = {
            let mut state = self.ready.lock();
            state.slots.push_back(self.slot);
            state.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

impl ReadyList {
    fn lock(&self) -> std::sync::MutexGuard<'_, ReadyState> {
        // No user code runs under this lock, so poisoning cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: 'static> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
            ready: Arc::default(),
        }
    }

    /// Spawns `future` on the current runtime and adds it to the set.
    ///
    /// # Panics
    ///
    /// Outside a runtime, like [`spawn`](crate::spawn).
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F)
    where
        F: Future<Output = T> + 'static,
    {
        let handle = crate::spawn(future);
        let slot = self.free.pop().unwrap_or(self.entries.len());
        let waker = Waker::from(Arc::new(SlotWaker {
            slot,
            ready: self.ready.clone(),
        }));
        let mut entry = Entry { handle, waker };
        // Register the slot's waker with the task; it has not run yet, so this is
        // always `Pending`.
        let _ = entry.poll();
        if slot == self.entries.len() {
            self.entries.push(Some(entry));
        } else {
            self.entries[slot] = Some(entry);
        }
        self.len += 1;
    }

    /// How many tasks are in the set (running, or finished but not yet joined).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set holds no tasks.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Waits for the next task to finish and returns its result; `None` once the set
    /// is empty.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// The result of a task that has already finished, without waiting.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        loop {
            let slot = self.ready.lock().slots.pop_front()?;
            if let Some(result) = self.take_if_finished(slot) {
                return Some(result);
            }
        }
    }

    /// Polls for the next finished task; the waker is woken when one finishes.
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        loop {
            if let Some(result) = self.try_join_next() {
                return Poll::Ready(Some(result));
            }
            if self.is_empty() {
                return Poll::Ready(None);
            }
            let mut state = self.ready.lock();
            if state.slots.is_empty() {
                state.waiter = Some(cx.waker().clone());
                return Poll::Pending;
            }
        }
    }

    /// Aborts every task in the set. They stay in it: `join_next` yields their
    /// cancelled (or already finished) results.
    pub fn abort_all(&mut self) {
        for entry in self.entries.iter().flatten() {
            entry.handle.abort();
        }
    }

    /// Aborts every task and waits until all of them are gone.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Removes the slot's task if it has finished and returns its result. A slot may
    /// be listed after its task was joined and the slot reused; polling the new task
    /// with its own waker then just re-registers that waker.
    fn take_if_finished(&mut self, slot: usize) -> Option<Result<T, JoinError>> {
        let entry = self.entries.get_mut(slot)?.as_mut()?;
        let Poll::Ready(result) = entry.poll() else {
            return None;
        };
        self.entries[slot] = None;
        self.free.push(slot);
        self.len -= 1;
        Some(result)
    }
}

impl<T> Entry<T> {
    fn poll(&mut self) -> Poll<Result<T, JoinError>> {
        let mut cx = Context::from_waker(&self.waker);
        Pin::new(&mut self.handle).poll(&mut cx)
    }
}

/// The tasks' results in the order they finish, as [`join_next`](JoinSet::join_next)
/// gives them; the stream ends whenever the set is empty (and goes on if tasks are
/// spawned into it again).
///
/// # Examples
///
/// ```
/// use evloop::task::JoinSet;
/// use futures::StreamExt;
///
/// evloop::block_on(async {
///     let mut set = JoinSet::new();
///     for i in 1..=3u32 {
///         set.spawn(async move { i * i });
///     }
///     let squares: u32 = set.map(Result::unwrap).fold(0, |sum, x| async move { sum + x }).await;
///     assert_eq!(squares, 14);
/// });
/// ```
impl<T: 'static> Stream for JoinSet<T> {
    type Item = Result<T, JoinError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_join_next(cx)
    }

    /// At least one result per task in the set; no upper bound, since more may be
    /// spawned into it between two polls.
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, None)
    }
}

impl<T: 'static> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        for entry in self.entries.iter().flatten() {
            entry.handle.abort();
        }
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}
