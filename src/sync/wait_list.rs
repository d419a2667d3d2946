//! `WaitList`: the queue of futures waiting on one primitive, first come, first served.
//!
//! Every primitive in `sync/` that can make a future wait keeps one: the senders
//! waiting for room in a channel, the tasks waiting for a lock or for a notification.
//! It is an intrusive doubly linked list without `unsafe`: the nodes live in a `Vec`,
//! and the links are indices into it. A waiting future holds the index of its node (a
//! [`WaiterId`]), so it can update its waker or leave the queue in O(1) from anywhere
//! in it, which is what cancellation needs: a dropped future takes its node with it.
//!
//! A node's life:
//!
//! ```text
//!   push_back ---> Waiting (linked) ---wake_front(_as)---> Woken (unlinked)
//!                     ^                                      |
//!                     +------------ register (woken) --------+
//!   remove (from either state) ---> the slot is free for the next push_back
//! ```
//!
//! "Woken" means the primitive chose this waiter (handed it a permit, say) and took
//! its waker to wake it. The node stays allocated until the future sees that and
//! calls [`remove`](WaitList::remove), so that a future dropped after being chosen
//! can still tell, and pass on what it was given.
//!
//! One thread owns a list (or a lock guards it), so nothing here is atomic.

#![deny(unsafe_code)]

use std::mem;
use std::ops::DerefMut;
use std::task::Waker;

/// Marks the end of a chain of links.
const NONE: u32 = u32::MAX;

/// A list with more nodes than this when its last waiter leaves was holding a burst
/// (a thousand tasks on one lock), not its usual few: its memory is given back.
/// Below it the nodes are kept, so one waiter coming and going allocates nothing.
const BURST_NODES: usize = 64;

/// The node a waiting future owns in a [`WaitList`]. Valid until it is passed to
/// [`WaitList::remove`]; never copied to anyone else.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct WaiterId(u32);

/// A FIFO queue of waiters, each with a waker and a value of type `T` (what it waits
/// for: a number of permits, say, or `()`).
#[derive(Debug)]
pub(crate) struct WaitList<T> {
    nodes: Vec<Node<T>>,
    /// The first waiting node (the next to wake), or `NONE`.
    head: u32,
    /// The last waiting node, or `NONE`.
    tail: u32,
    /// The first free node, or `NONE`; free nodes are chained through `next`.
    free: u32,
    /// How many nodes are linked (waiting, not woken).
    waiting: usize,
    /// How many nodes are not free (waiting or woken).
    live: usize,
}

#[derive(Debug)]
struct Node<T> {
    prev: u32,
    next: u32,
    state: State<T>,
}

#[derive(Debug)]
enum State<T> {
    Free,
    /// Linked into the queue. `None` waker: registered before its first poll.
    Waiting {
        waker: Option<Waker>,
        value: T,
    },
    /// Chosen and unlinked; the future has not seen it yet.
    Woken {
        value: T,
    },
}

/// What [`WaitList::remove`] found in the node.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Removed<T> {
    /// Still queued: nobody had chosen it.
    Waiting(T),
    /// Chosen by [`WaitList::wake_front`] or [`WaitList::wake_front_as`].
    Woken(T),
}

impl<T> WaitList<T> {
    pub(crate) const fn new() -> WaitList<T> {
        WaitList {
            nodes: Vec::new(),
            head: NONE,
            tail: NONE,
            free: NONE,
            waiting: 0,
            live: 0,
        }
    }

    /// Whether no waiter is queued (woken ones not yet removed do not count).
    pub(crate) fn is_empty(&self) -> bool {
        self.waiting == 0
    }

    /// How many waiters are queued.
    pub(crate) fn len(&self) -> usize {
        self.waiting
    }

    /// Queues a waiter at the back.
    pub(crate) fn push_back(&mut self, waker: Option<Waker>, value: T) -> WaiterId {
        let state = State::Waiting { waker, value };
        let index = if self.free == NONE {
            let index = u32::try_from(self.nodes.len())
                .ok()
                .filter(|&index| index != NONE)
                .expect("evloop: more than 4 billion futures waiting on one primitive");
            self.nodes.push(Node {
                prev: NONE,
                next: NONE,
                state,
            });
            index
        } else {
            let index = self.free;
            let node = &mut self.nodes[index as usize];
            self.free = node.next;
            node.state = state;
            index
        };
        self.live += 1;
        self.link_back(index);
        WaiterId(index)
    }

    /// The value of the first queued waiter.
    pub(crate) fn front(&self) -> Option<&T> {
        match self.nodes.get(self.head as usize).map(|node| &node.state) {
            Some(State::Waiting { value, .. }) => Some(value),
            _ => None,
        }
    }

    /// Chooses the first queued waiter: unlinks it, marks it woken and returns its
    /// waker for the caller to wake once its own borrows are released (a no-op waker
    /// if it registered without one). `None` if nobody waits.
    pub(crate) fn wake_front(&mut self) -> Option<Waker> {
        self.choose_front(None)
    }

    /// [`wake_front`](Self::wake_front), replacing the waiter's value with `value`
    /// (to tell it why it was chosen).
    pub(crate) fn wake_front_as(&mut self, value: T) -> Option<Waker> {
        self.choose_front(Some(value))
    }

    fn choose_front(&mut self, new_value: Option<T>) -> Option<Waker> {
        if self.head == NONE {
            return None;
        }
        let index = self.head;
        self.unlink(index);
        let node = &mut self.nodes[index as usize];
        match mem::replace(&mut node.state, State::Free) {
            State::Waiting { waker, value } => {
                node.state = State::Woken {
                    value: new_value.unwrap_or(value),
                };
                Some(waker.unwrap_or_else(|| Waker::noop().clone()))
            }
            _ => unreachable!("a linked node is waiting"),
        }
    }

    /// Whether `id` was chosen (and not re-registered since).
    pub(crate) fn is_woken(&self, id: &WaiterId) -> bool {
        matches!(self.nodes[id.0 as usize].state, State::Woken { .. })
    }

    /// Stores `waker` for a queued waiter, unless it already holds one that wakes
    /// the same task. A woken waiter is queued again, at the back.
    pub(crate) fn register(&mut self, id: &WaiterId, waker: &Waker) {
        let index = id.0;
        let node = &mut self.nodes[index as usize];
        match &mut node.state {
            State::Waiting {
                waker: Some(current),
                ..
            } if current.will_wake(waker) => {}
            State::Waiting { waker: slot, .. } => *slot = Some(waker.clone()),
            State::Woken { .. } => {
                let State::Woken { value } = mem::replace(&mut node.state, State::Free) else {
                    unreachable!()
                };
                node.state = State::Waiting {
                    waker: Some(waker.clone()),
                    value,
                };
                self.link_back(index);
            }
            State::Free => unreachable!("a WaiterId names a live node"),
        }
    }

    /// Takes the waker of every queued waiter without choosing any: they stay queued,
    /// and each, when polled, finds out why it was woken (a closed channel, say).
    pub(crate) fn take_wakers(&mut self, wakers: &mut Vec<Waker>) {
        let mut index = self.head;
        while index != NONE {
            let node = &mut self.nodes[index as usize];
            if let State::Waiting { waker, .. } = &mut node.state {
                wakers.extend(waker.take());
            }
            index = node.next;
        }
    }

    /// Frees `id`'s node and says whether it had been chosen.
    pub(crate) fn remove(&mut self, id: WaiterId) -> Removed<T> {
        let index = id.0;
        let removed = match mem::replace(&mut self.nodes[index as usize].state, State::Free) {
            State::Waiting { value, .. } => {
                self.unlink(index);
                Removed::Waiting(value)
            }
            State::Woken { value } => Removed::Woken(value),
            State::Free => unreachable!("a WaiterId names a live node"),
        };
        let node = &mut self.nodes[index as usize];
        node.prev = NONE;
        node.next = self.free;
        self.free = index;
        self.live -= 1;
        if self.live == 0 && self.nodes.len() > BURST_NODES {
            *self = WaitList::new();
        }
        removed
    }

    fn link_back(&mut self, index: u32) {
        let old_tail = self.tail;
        {
            let node = &mut self.nodes[index as usize];
            node.prev = old_tail;
            node.next = NONE;
        }
        if old_tail == NONE {
            self.head = index;
        } else {
            self.nodes[old_tail as usize].next = index;
        }
        self.tail = index;
        self.waiting += 1;
    }

    fn unlink(&mut self, index: u32) {
        let (prev, next) = {
            let node = &self.nodes[index as usize];
            (node.prev, node.next)
        };
        if prev == NONE {
            self.head = next;
        } else {
            self.nodes[prev as usize].next = next;
        }
        if next == NONE {
            self.tail = prev;
        } else {
            self.nodes[next as usize].prev = prev;
        }
        self.waiting -= 1;
    }
}

/// Wakes every waiter queued when called, giving each `value`, one at a time with
/// nothing borrowed while it wakes (`lock` borrows or locks the list). A waiter that
/// queues again meanwhile waits for the next call: the count is fixed at the start.
pub(crate) fn wake_all<T: Copy, G: DerefMut<Target = WaitList<T>>>(
    value: T,
    mut lock: impl FnMut() -> G,
) {
    let mut left = lock().len();
    while left > 0 {
        let Some(waker) = lock().wake_front_as(value) else {
            return;
        };
        waker.wake();
        left -= 1;
    }
}

/// A future's place in a list of waiters that are all woken together (a channel's
/// `closed()`, a watch's `changed()`): joined when it must wait, left when it
/// completes or is dropped. Such a waiter checks its condition again when woken.
#[derive(Debug, Default)]
pub(crate) struct Place(Option<WaiterId>);

impl Place {
    /// Joins `list` with `waker`, or updates the waker if already in it.
    pub(crate) fn wait(&mut self, list: &mut WaitList<()>, waker: &Waker) {
        match &self.0 {
            Some(id) => list.register(id, waker),
            None => self.0 = Some(list.push_back(Some(waker.clone()), ())),
        }
    }

    /// Whether it is in a list (so dropping it must call [`leave`](Self::leave)).
    pub(crate) fn is_queued(&self) -> bool {
        self.0.is_some()
    }

    /// Leaves `list`, if in it.
    pub(crate) fn leave(&mut self, list: &mut WaitList<()>) {
        if let Some(id) = self.0.take() {
            list.remove(id);
        }
    }
}

impl<T> Default for WaitList<T> {
    fn default() -> WaitList<T> {
        WaitList::new()
    }
}
