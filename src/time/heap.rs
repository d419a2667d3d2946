//! The timer store: a binary min-heap of deadlines, indexed by a slab of slots so that
//! any timer, not only the earliest, can be removed in O(log n).
//!
//! ```text
//!   slots, by TimerKey.index              heap, a min-heap on (deadline, seq)
//!   [0] Armed(waker A), heap_index 1      [0] deadline 10, seq 1, slot 2
//!   [1] Vacant { next: None }             [1] deadline 30, seq 0, slot 0
//!   [2] Armed(waker B), heap_index 0
//! ```
//!
//! Each armed slot knows where its entry sits in the heap, and each heap entry names
//! its slot, so every move inside the heap updates one slot. A [`TimerKey`] carries the
//! slot's generation: once a timer fires or is cancelled its slot's generation moves on,
//! and an old key finds nothing.
//!
//! Arming a timer later than all others (the usual case: timeouts of equal length) is
//! a push at the end of the heap, and cancelling it again a pop from there: O(1).
//! Ties are broken by arming order (the `seq` counter), so timers with equal deadlines
//! fire first armed, first fired. Why a heap and not an ordered map: the measurements
//! are in the module docs of `time/mod.rs`.
//!
//! Times are `u64` nanoseconds since the runtime's clock origin (see `timers.rs`):
//! comparing two of them is one instruction, and this file needs no clock at all.

#![deny(unsafe_code)]

/// Names one armed timer: a slot index plus the slot's generation at arming time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerKey {
    index: u32,
    generation: u32,
}

/// Armed timers ordered by deadline, each carrying a value (the runtime stores the
/// waker to wake).
#[derive(Debug)]
pub(crate) struct TimerHeap<T> {
    /// A binary min-heap on `(deadline, seq)`: `heap[0]` is the next timer to fire and
    /// the children of `heap[i]` are `heap[2i + 1]` and `heap[2i + 2]`.
    heap: Vec<HeapEntry>,
    /// One slot per timer ever armed at the same time; vacant slots are reused.
    slots: Vec<Slot<T>>,
    /// The most recently vacated slot, heading a list threaded through `Vacant::next`.
    free_head: Option<u32>,
    /// Counts arms (and reschedules), so that ties fire in the order they were set.
    next_seq: u64,
}

/// One timer's place in the heap order.
#[derive(Debug, Clone, Copy)]
struct HeapEntry {
    deadline: u64,
    seq: u64,
    slot: u32,
}

impl HeapEntry {
    /// The heap order: earlier deadline first, then earlier arming.
    fn order(&self) -> (u64, u64) {
        (self.deadline, self.seq)
    }
}

#[derive(Debug)]
struct Slot<T> {
    /// Bumped each time the slot is vacated, so keys of fired or cancelled timers go
    /// stale.
    generation: u32,
    /// Where this slot's entry is in `heap`. Meaningful only while `Armed`.
    heap_index: u32,
    state: SlotState<T>,
}

#[derive(Debug)]
enum SlotState<T> {
    /// A timer waits in the heap; `T` is handed back when it fires or is cancelled.
    Armed(T),
    /// Free for the next timer.
    Vacant { next: Option<u32> },
}

impl<T> Default for TimerHeap<T> {
    fn default() -> Self {
        TimerHeap {
            heap: Vec::new(),
            slots: Vec::new(),
            free_head: None,
            next_seq: 0,
        }
    }
}

impl<T> TimerHeap<T> {
    /// How many timers are armed.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// The earliest deadline, if any timer is armed.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.heap.first().map(|entry| entry.deadline)
    }

    /// The deadline of the third timer to fire, if three are armed. O(1): the second
    /// is a child of the root, and the third is the root's other child or a child of
    /// the second.
    pub(crate) fn third_deadline(&self) -> Option<u64> {
        let order = |at: usize| self.heap.get(at).map(HeapEntry::order);
        let (second, other_child) = match (order(1)?, order(2)?) {
            (left, right) if left <= right => (1, right),
            (left, _) => (2, left),
        };
        let candidates = [
            Some(other_child),
            order(2 * second + 1),
            order(2 * second + 2),
        ];
        candidates
            .into_iter()
            .flatten()
            .min()
            .map(|(deadline, _seq)| deadline)
    }

    /// Arms a timer for `deadline` carrying `value`. O(log n); O(1) when the deadline
    /// is the latest, the usual case for timeouts.
    pub(crate) fn insert(&mut self, deadline: u64, value: T) -> TimerKey {
        let heap_index = u32::try_from(self.heap.len()).expect("more than 2^32 timers");
        let index = match self.free_head {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                let SlotState::Vacant { next } = slot.state else {
                    unreachable!("the free list points at a vacant slot");
                };
                self.free_head = next;
                slot.state = SlotState::Armed(value);
                slot.heap_index = heap_index;
                index
            }
            None => {
                let index = u32::try_from(self.slots.len()).expect("more than 2^32 timers");
                self.slots.push(Slot {
                    generation: 0,
                    heap_index,
                    state: SlotState::Armed(value),
                });
                index
            }
        };
        let seq = self.take_seq();
        self.heap.push(HeapEntry {
            deadline,
            seq,
            slot: index,
        });
        self.sift_up(self.heap.len() - 1);
        TimerKey {
            index,
            generation: self.slots[index as usize].generation,
        }
    }

    /// Disarms the timer and returns its value; `None` if it already fired or was
    /// removed. O(log n); O(1) for the timer armed last, if it is also the latest.
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<T> {
        let heap_index = self.armed_slot(key)?.heap_index as usize;
        self.remove_entry(heap_index);
        Some(self.vacate(key.index))
    }

    /// The value of an armed timer.
    pub(crate) fn get_mut(&mut self, key: TimerKey) -> Option<&mut T> {
        let slot = self
            .slots
            .get_mut(key.index as usize)
            .filter(|slot| slot.generation == key.generation)?;
        match &mut slot.state {
            SlotState::Armed(value) => Some(value),
            SlotState::Vacant { .. } => None,
        }
    }

    /// Whether the timer is still armed (it has neither fired nor been removed).
    pub(crate) fn contains(&self, key: TimerKey) -> bool {
        self.armed_slot(key).is_some()
    }

    /// Moves an armed timer to `deadline`, keeping its value and key; `false` if it is
    /// no longer armed. It then ties as if armed now.
    pub(crate) fn reschedule(&mut self, key: TimerKey, deadline: u64) -> bool {
        let Some(slot) = self.armed_slot(key) else {
            return false;
        };
        let at = slot.heap_index as usize;
        let seq = self.take_seq();
        let entry = &mut self.heap[at];
        let moved_earlier = deadline < entry.deadline;
        entry.deadline = deadline;
        entry.seq = seq;
        if moved_earlier {
            self.sift_up(at);
        } else {
            self.sift_down(at);
        }
        true
    }

    /// Removes the earliest timer if its deadline is at or before `now`, and returns
    /// its value. Call until `None` to fire everything that is due.
    pub(crate) fn pop_expired(&mut self, now: u64) -> Option<T> {
        let first = *self.heap.first()?;
        if first.deadline > now {
            return None;
        }
        self.remove_entry(0);
        Some(self.vacate(first.slot))
    }

    fn armed_slot(&self, key: TimerKey) -> Option<&Slot<T>> {
        self.slots
            .get(key.index as usize)
            .filter(|slot| slot.generation == key.generation)
            .filter(|slot| matches!(slot.state, SlotState::Armed(_)))
    }

    fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Frees an armed slot (its heap entry is already gone) and returns its value.
    fn vacate(&mut self, index: u32) -> T {
        let slot = &mut self.slots[index as usize];
        slot.generation = slot.generation.wrapping_add(1);
        let state = std::mem::replace(
            &mut slot.state,
            SlotState::Vacant {
                next: self.free_head,
            },
        );
        self.free_head = Some(index);
        match state {
            SlotState::Armed(value) => value,
            SlotState::Vacant { .. } => unreachable!("only armed slots are vacated"),
        }
    }

    /// Removes `heap[at]`: the last entry takes its place and moves up or down until
    /// the heap order holds again.
    fn remove_entry(&mut self, at: usize) {
        let last = self.heap.pop().expect("removing from a non-empty heap");
        if at == self.heap.len() {
            return;
        }
        self.put(at, last);
        let above_parent = at > 0 && last.order() < self.heap[(at - 1) / 2].order();
        if above_parent {
            self.sift_up(at);
        } else {
            self.sift_down(at);
        }
    }

    /// Moves `heap[at]` towards the root while it is earlier than its parent.
    fn sift_up(&mut self, mut at: usize) {
        let entry = self.heap[at];
        while at > 0 {
            let parent = (at - 1) / 2;
            if self.heap[parent].order() <= entry.order() {
                break;
            }
            self.put(at, self.heap[parent]);
            at = parent;
        }
        self.put(at, entry);
    }

    /// Moves `heap[at]` towards the leaves while a child is earlier than it.
    fn sift_down(&mut self, mut at: usize) {
        let entry = self.heap[at];
        let len = self.heap.len();
        loop {
            let left = 2 * at + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right].order() < self.heap[left].order() {
                right
            } else {
                left
            };
            if entry.order() <= self.heap[child].order() {
                break;
            }
            self.put(at, self.heap[child]);
            at = child;
        }
        self.put(at, entry);
    }

    /// Writes `entry` at `heap[at]` and tells its slot where it now is.
    fn put(&mut self, at: usize, entry: HeapEntry) {
        self.heap[at] = entry;
        self.slots[entry.slot as usize].heap_index = at as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn drain_due<T>(heap: &mut TimerHeap<T>, now: u64) -> Vec<T> {
        std::iter::from_fn(|| heap.pop_expired(now)).collect()
    }

    #[test]
    fn fires_in_deadline_order_and_ties_in_arming_order() {
        let mut heap = TimerHeap::default();
        for (value, deadline) in [(0, 30), (1, 10), (2, 20), (3, 10), (4, 30), (5, 0)] {
            heap.insert(deadline, value);
        }
        assert_eq!(heap.next_deadline(), Some(0));
        assert_eq!(drain_due(&mut heap, 100), [5, 1, 3, 2, 0, 4]);
        assert_eq!(heap.len(), 0);
        assert_eq!(heap.next_deadline(), None);
    }

    #[test]
    fn third_deadline_is_the_next_but_two_to_fire() {
        let mut heap = TimerHeap::default();
        heap.insert(50, 'a');
        heap.insert(20, 'b');
        assert_eq!(heap.third_deadline(), None, "two timers have no third");

        let mut heap = TimerHeap::default();
        let mut deadlines = Vec::new();
        let mut state = 0x9E37_79B9_u64;
        for value in 0..200 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let deadline = state % 1_000;
            heap.insert(deadline, value);
            deadlines.push(deadline);
        }
        deadlines.sort_unstable();
        for fired in 0..198 {
            assert_eq!(heap.third_deadline(), Some(deadlines[fired + 2]));
            heap.pop_expired(u64::MAX);
        }
        assert_eq!(heap.third_deadline(), None);
    }

    #[test]
    fn nothing_fires_before_its_deadline() {
        let mut heap = TimerHeap::default();
        heap.insert(10, 'a');
        heap.insert(11, 'b');
        assert_eq!(heap.pop_expired(9), None);
        assert_eq!(
            heap.pop_expired(10),
            Some('a'),
            "expired means deadline <= now"
        );
        assert_eq!(heap.pop_expired(10), None);
        assert_eq!(heap.pop_expired(11), Some('b'));
    }

    #[test]
    fn removed_timers_never_fire_and_their_keys_go_stale() {
        let mut heap = TimerHeap::default();
        let a = heap.insert(10, 'a');
        let b = heap.insert(20, 'b');
        let c = heap.insert(5, 'c');
        assert_eq!(heap.remove(a), Some('a'));
        assert_eq!(heap.remove(a), None);
        assert!(!heap.contains(a) && heap.contains(b));
        // The freed slot is reused with a new generation: the old key stays stale.
        let d = heap.insert(1, 'd');
        assert_ne!(a, d);
        assert_eq!(heap.get_mut(a), None);
        assert_eq!(heap.get_mut(d), Some(&mut 'd'));
        assert_eq!(drain_due(&mut heap, 100), ['d', 'c', 'b']);
        assert!(
            !heap.contains(b) && !heap.contains(c),
            "fired keys are stale too"
        );
        assert!(!heap.reschedule(b, 0));
    }

    #[test]
    fn reschedule_moves_earlier_and_later() {
        let mut heap = TimerHeap::default();
        let a = heap.insert(10, 'a');
        let b = heap.insert(20, 'b');
        let c = heap.insert(30, 'c');
        assert!(heap.reschedule(c, 5));
        assert!(heap.reschedule(a, 25));
        assert_eq!(heap.next_deadline(), Some(5));
        assert!(
            heap.reschedule(b, 25),
            "a tie with `a`, set later, fires after it"
        );
        assert_eq!(drain_due(&mut heap, 100), ['c', 'a', 'b']);
    }

    /// Random arms, removals, reschedules and firings against a `BTreeMap` model.
    #[test]
    fn agrees_with_an_ordered_map() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut random = move |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        let steps = if cfg!(miri) { 400 } else { 20_000 };
        let mut heap = TimerHeap::default();
        let mut model: BTreeMap<(u64, u64), u32> = BTreeMap::new();
        let mut keys: Vec<(TimerKey, u64, u64)> = Vec::new();
        let (mut now, mut seq) = (0_u64, 0_u64);
        for value in 0..steps {
            match random(4) {
                0 | 1 => {
                    let deadline = now + random(1_000);
                    keys.push((heap.insert(deadline, value), deadline, seq));
                    model.insert((deadline, seq), value);
                    seq += 1;
                }
                2 if !keys.is_empty() => {
                    let (key, deadline, old_seq) =
                        keys.swap_remove(random(keys.len() as u64) as usize);
                    let expected = model.remove(&(deadline, old_seq));
                    if random(2) == 0 {
                        assert_eq!(heap.remove(key), expected);
                    } else if let Some(value) = expected {
                        let deadline = now + random(1_000);
                        assert!(heap.reschedule(key, deadline));
                        keys.push((key, deadline, seq));
                        model.insert((deadline, seq), value);
                        seq += 1;
                    }
                }
                _ => {
                    now += random(200);
                    while let Some(value) = heap.pop_expired(now) {
                        let ((deadline, _), expected) = model.pop_first().expect("model agrees");
                        assert!(deadline <= now);
                        assert_eq!(value, expected);
                    }
                    assert!(model.first_key_value().is_none_or(|(&(d, _), _)| d > now));
                }
            }
            assert_eq!(heap.len(), model.len());
            assert_eq!(heap.next_deadline(), model.keys().next().map(|&(d, _)| d));
        }
    }
}
