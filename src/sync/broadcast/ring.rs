//! `Ring`: the values a broadcast channel still holds, and each one's unread count.
//!
//! Values are numbered by position as they are sent (0, 1, 2, ...). The value at
//! position `p` lives in `slots[p % capacity]`, so the ring holds the last `capacity`
//! positions at most. Each slot counts the receivers that have yet to read it; the
//! last one to read (or skip) it takes the value out, so a value read by everyone is
//! freed at once instead of when the ring comes round.

#![deny(unsafe_code)]

/// See the module docs.
pub(super) struct Ring<T> {
    slots: Box<[Slot<T>]>,
    /// The position of the next value to be sent (= how many were sent).
    end: u64,
    /// How many slots hold a value.
    held: usize,
}

struct Slot<T> {
    value: Option<T>,
    /// Receivers that have yet to read it.
    unread: usize,
}

/// What a receiver found at its position.
pub(super) enum Read<T> {
    Value(T),
    /// The values at its position and this many after it were overwritten; it now
    /// points at the oldest value held.
    Lagged(u64),
    /// Nothing new: its position is the ring's end.
    Empty,
}

impl<T> Ring<T> {
    pub(super) fn new(capacity: usize) -> Ring<T> {
        Ring {
            slots: (0..capacity)
                .map(|_| Slot {
                    value: None,
                    unread: 0,
                })
                .collect(),
            end: 0,
            held: 0,
        }
    }

    /// The position the next value sent will have.
    pub(super) fn end(&self) -> u64 {
        self.end
    }

    /// How many slots hold a value.
    pub(super) fn held(&self) -> usize {
        self.held
    }

    /// Adds `value`, to be read by `readers` receivers. Returns the value it
    /// overwrote, if one was still unread (to be dropped with no borrow held).
    pub(super) fn push(&mut self, value: T, readers: usize) -> Option<T> {
        let position = self.end;
        self.end += 1;
        let slot = self.slot(position);
        let evicted = slot.value.replace(value);
        slot.unread = readers;
        if evicted.is_none() {
            self.held += 1;
        }
        evicted
    }

    /// The value at `*position`, advancing it; or how far it fell behind.
    pub(super) fn read(&mut self, position: &mut u64) -> Read<T>
    where
        T: Clone,
    {
        if *position == self.end {
            return Read::Empty;
        }
        let oldest = self.oldest();
        if *position < oldest {
            let missed = oldest - *position;
            *position = oldest;
            return Read::Lagged(missed);
        }
        let at = *position;
        *position += 1;
        match self.pass(at) {
            Some(last_copy) => Read::Value(last_copy),
            None => Read::Value(
                self.slot(at)
                    .value
                    .clone()
                    .expect("a value is held until its last reader passes it"),
            ),
        }
    }

    /// A receiver at `position` is dropped: it passes every value it has not read.
    /// Returns the values it was the last reader of, to be dropped with no borrow held.
    pub(super) fn pass_all_from(&mut self, position: u64) -> Vec<T> {
        (position.max(self.oldest())..self.end)
            .filter_map(|at| self.pass(at))
            .collect()
    }

    /// The position of the oldest value the ring can still hold.
    fn oldest(&self) -> u64 {
        self.end.saturating_sub(self.slots.len() as u64)
    }

    fn slot(&mut self, position: u64) -> &mut Slot<T> {
        let len = self.slots.len() as u64;
        &mut self.slots[(position % len) as usize]
    }

    /// One receiver will not read `position` again: the last one takes the value.
    fn pass(&mut self, position: u64) -> Option<T> {
        let slot = self.slot(position);
        slot.unread -= 1;
        if slot.unread > 0 {
            return None;
        }
        let value = slot.value.take();
        self.held -= 1;
        value
    }
}
