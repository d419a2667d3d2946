//! The task table: every unfinished task of a runtime, by slot and generation.
//!
//! The table owns one reference to each task, so a task lives at least until it
//! finishes, and when the runtime drops the table lists every future left to drop.

#![deny(unsafe_code)]

use super::task::{Id, TaskKey, TaskRef};

#[derive(Debug, Default)]
pub(crate) struct OwnedTasks {
    slots: Vec<Slot>,
    /// Head of the list of vacant slots, threaded through `Slot::Vacant::next`.
    free_head: Option<u32>,
    len: usize,
}

/// One slot: 16 bytes, because a million parked tasks means a million slots.
///
/// Each slot has a generation, bumped each time it is vacated, so keys of finished
/// tasks go stale. An idle task carries its key (generation included) in its header,
/// so only the other two states store it.
#[derive(Debug)]
enum Slot {
    /// A task waiting for a wake, or queued to run.
    Idle(TaskRef),
    /// The loop took the task out to poll it; it comes back with `put_back` or goes
    /// with `remove`. Holding it outside the table means no borrow of the table is
    /// live while user code runs (it may spawn).
    Running { generation: u32 },
    /// Free; `next` is the next free slot (`NO_SLOT` ends the list).
    Vacant { generation: u32, next: u32 },
}

/// Marks the end of the free list.
const NO_SLOT: u32 = u32::MAX;

impl Slot {
    fn generation(&self) -> u32 {
        match self {
            Slot::Idle(task) => task.header().key.generation,
            Slot::Running { generation } | Slot::Vacant { generation, .. } => *generation,
        }
    }
}

impl OwnedTasks {
    /// The key the next [`insert`](Self::insert) will use; a task needs its key before
    /// it is allocated.
    pub(crate) fn next_key(&self) -> TaskKey {
        match self.free_head {
            Some(index) => TaskKey {
                index,
                generation: self.slots[index as usize].generation(),
            },
            None => TaskKey {
                index: u32::try_from(self.slots.len())
                    .ok()
                    .filter(|&index| index != NO_SLOT)
                    .expect("more than 2^32 - 1 live tasks"),
                generation: 0,
            },
        }
    }

    /// Stores `task` under the key [`next_key`](Self::next_key) returned.
    pub(crate) fn insert(&mut self, task: TaskRef) {
        debug_assert_eq!(task.header().key, self.next_key());
        match self.free_head {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                let Slot::Vacant { next, .. } = *slot else {
                    unreachable!("the free list points at a vacant slot");
                };
                self.free_head = (next != NO_SLOT).then_some(next);
                *slot = Slot::Idle(task);
            }
            None => self.slots.push(Slot::Idle(task)),
        }
        self.len += 1;
    }

    /// Takes the task out to run it; `None` if the key is stale (the task finished).
    pub(crate) fn take(&mut self, key: TaskKey) -> Option<TaskRef> {
        let slot = self.slots.get_mut(key.index as usize)?;
        match slot {
            Slot::Idle(task) if task.header().key == key => {
                let running = Slot::Running {
                    generation: key.generation,
                };
                match std::mem::replace(slot, running) {
                    Slot::Idle(task) => Some(task),
                    _ => unreachable!("matched as idle above"),
                }
            }
            _ => None,
        }
    }

    /// The id of the task under `key`, if it is in the table (not finished, not out
    /// for a poll).
    pub(crate) fn id(&self, key: TaskKey) -> Option<Id> {
        match self.slots.get(key.index as usize)? {
            Slot::Idle(task) if task.header().key == key => Some(task.header().id),
            _ => None,
        }
    }

    /// Returns a task that [`take`](Self::take) handed out and that has not finished.
    pub(crate) fn put_back(&mut self, task: TaskRef) {
        let index = task.header().key.index as usize;
        debug_assert!(matches!(self.slots[index], Slot::Running { .. }));
        self.slots[index] = Slot::Idle(task);
    }

    /// Frees the slot of a task that [`take`](Self::take) handed out and that finished.
    pub(crate) fn remove(&mut self, key: TaskKey) {
        let slot = &mut self.slots[key.index as usize];
        debug_assert!(matches!(slot, Slot::Running { .. }));
        *slot = Slot::Vacant {
            generation: key.generation.wrapping_add(1),
            next: self.free_head.unwrap_or(NO_SLOT),
        };
        self.free_head = Some(key.index);
        self.len -= 1;
    }

    /// Empties the table, returning every task in it (for shutdown).
    pub(crate) fn drain(&mut self) -> Vec<TaskRef> {
        let mut tasks = Vec::with_capacity(self.len);
        for index in 0..self.slots.len() {
            if let Slot::Idle(task) = &self.slots[index] {
                let key = task.header().key;
                tasks.extend(self.take(key));
                self.remove(key);
            }
        }
        tasks
    }

    /// How many unfinished tasks there are.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_sixteen_bytes() {
        assert_eq!(size_of::<Slot>(), 16);
    }
}
