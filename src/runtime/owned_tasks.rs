//! The task table: every unfinished task of a runtime, by slot and generation.
//!
//! The table owns one reference to each task, so a task lives at least until it
//! finishes, and when the runtime drops the table lists every future left to drop.

#![deny(unsafe_code)]

use super::task::{TaskKey, TaskRef};

#[derive(Debug, Default)]
pub(crate) struct OwnedTasks {
    slots: Vec<Slot>,
    /// Head of the list of vacant slots, threaded through `Vacant::next`.
    free_head: Option<u32>,
    len: usize,
}

#[derive(Debug)]
struct Slot {
    /// Bumped each time the slot is vacated, so keys of finished tasks go stale.
    generation: u32,
    state: SlotState,
}

#[derive(Debug)]
enum SlotState {
    Idle(TaskRef),
    /// The loop took the task out to poll it; it comes back with `put_back` or goes
    /// with `remove`. Holding it outside the table means no borrow of the table is
    /// live while user code runs (it may spawn).
    Running,
    Vacant {
        next: Option<u32>,
    },
}

impl OwnedTasks {
    /// The key the next [`insert`](Self::insert) will use; a task needs its key before
    /// it is allocated.
    pub(crate) fn next_key(&self) -> TaskKey {
        match self.free_head {
            Some(index) => TaskKey {
                index,
                generation: self.slots[index as usize].generation,
            },
            None => TaskKey {
                index: u32::try_from(self.slots.len()).expect("more than 2^32 live tasks"),
                generation: 0,
            },
        }
    }

    /// Stores `task` under the key [`next_key`](Self::next_key) returned.
    pub(crate) fn insert(&mut self, task: TaskRef) {
        let key = self.next_key();
        debug_assert_eq!(task.header().key, key);
        match self.free_head {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                let SlotState::Vacant { next } = slot.state else {
                    unreachable!("the free list points at a vacant slot");
                };
                self.free_head = next;
                slot.state = SlotState::Idle(task);
            }
            None => self.slots.push(Slot {
                generation: 0,
                state: SlotState::Idle(task),
            }),
        }
        self.len += 1;
    }

    /// Takes the task out to run it; `None` if the key is stale (the task finished).
    pub(crate) fn take(&mut self, key: TaskKey) -> Option<TaskRef> {
        let slot = self.slot_mut(key)?;
        match std::mem::replace(&mut slot.state, SlotState::Running) {
            SlotState::Idle(task) => Some(task),
            other => {
                slot.state = other;
                None
            }
        }
    }

    /// Returns a task that [`take`](Self::take) handed out and that has not finished.
    pub(crate) fn put_back(&mut self, task: TaskRef) {
        let key = task.header().key;
        let slot = self.slot_mut(key).expect("a running task's slot is live");
        slot.state = SlotState::Idle(task);
    }

    /// Frees the slot of a task that [`take`](Self::take) handed out and that finished.
    pub(crate) fn remove(&mut self, key: TaskKey) {
        let free_head = self.free_head;
        let slot = self.slot_mut(key).expect("a running task's slot is live");
        slot.generation = slot.generation.wrapping_add(1);
        slot.state = SlotState::Vacant { next: free_head };
        self.free_head = Some(key.index);
        self.len -= 1;
    }

    /// Empties the table, returning every task in it (for shutdown).
    pub(crate) fn drain(&mut self) -> Vec<TaskRef> {
        let mut tasks = Vec::with_capacity(self.len);
        for index in 0..self.slots.len() {
            let key = TaskKey {
                index: index as u32,
                generation: self.slots[index].generation,
            };
            if let Some(task) = self.take(key) {
                tasks.push(task);
                self.remove(key);
            }
        }
        tasks
    }

    /// How many unfinished tasks there are.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn slot_mut(&mut self, key: TaskKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.index as usize)
            .filter(|slot| slot.generation == key.generation)
    }
}
