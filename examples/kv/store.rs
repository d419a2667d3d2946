//! The keys, their values, and their deadlines.
//!
//! Keys expire two ways, as in Redis. Lazily: a read that finds a key past its
//! deadline removes it and answers as if it were not there. Actively: one task,
//! [`expire_keys`], sleeps on an evloop timer until the earliest deadline, removes what
//! is due, and sleeps again, so keys nobody reads do not pile up. A command that sets
//! a deadline earlier than all others wakes that task to shorten its sleep.
//!
//! Everything runs on the runtime's one thread, so the store is an
//! `Rc<RefCell<Store>>`: no lock, and no borrow is ever held across an `.await`.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use evloop::time::{self, Instant};

/// A value and, if it has one, its deadline.
struct Entry {
    /// Shared with the replies of `GET`s not yet sent (see `output.rs`).
    value: Rc<[u8]>,
    expires_at: Option<Instant>,
}

/// The key-value map with its expiry index.
#[derive(Default)]
pub struct Store {
    entries: HashMap<Vec<u8>, Entry>,
    /// Every key that has a deadline, earliest first: the expiry task's work list.
    /// Holds exactly the `(expires_at, key)` pairs of the entries with a deadline.
    deadlines: BTreeSet<(Instant, Vec<u8>)>,
    /// Set when a new deadline became the earliest one, so that the expiry task, which
    /// may be sleeping until a later one, must look again.
    earliest_changed: bool,
    /// The expiry task's waker, stored when it waits for `earliest_changed`.
    expiry_task: Option<Waker>,
}

/// Why `INCR` failed.
pub enum IncrError {
    NotAnInteger,
    Overflow,
}

impl Store {
    /// The value of `key`, unless it is missing or past its deadline.
    pub fn get(&mut self, key: &[u8], now: Instant) -> Option<&Rc<[u8]>> {
        self.expire_if_due(key, now);
        self.entries.get(key).map(|entry| &entry.value)
    }

    /// Sets `key` to `value` with a deadline or none (a plain `SET` clears any old
    /// deadline, as in Redis).
    pub fn set(&mut self, key: &[u8], value: Rc<[u8]>, expires_at: Option<Instant>) {
        match self.entries.get_mut(key) {
            Some(entry) => entry.value = value,
            None => {
                let entry = Entry {
                    value,
                    expires_at: None,
                };
                self.entries.insert(key.to_vec(), entry);
            }
        }
        self.set_deadline(key, expires_at);
    }

    /// Removes `key`; whether it was there (and not past its deadline).
    pub fn remove(&mut self, key: &[u8], now: Instant) -> bool {
        self.expire_if_due(key, now);
        self.remove_entry(key)
    }

    /// Adds one to the integer stored at `key` (a missing key counts as 0), keeping
    /// its deadline.
    pub fn incr(&mut self, key: &[u8], now: Instant) -> Result<i64, IncrError> {
        let current = match self.get(key, now) {
            None => 0,
            Some(bytes) => std::str::from_utf8(bytes.as_ref())
                .ok()
                .and_then(|text| text.parse::<i64>().ok())
                .ok_or(IncrError::NotAnInteger)?,
        };
        let next = current.checked_add(1).ok_or(IncrError::Overflow)?;
        let value: Rc<[u8]> = next.to_string().as_bytes().into();
        match self.entries.get_mut(key) {
            Some(entry) => entry.value = value,
            None => self.set(key, value, None),
        }
        Ok(next)
    }

    /// Gives `key` a deadline; whether the key exists.
    pub fn expire_at(&mut self, key: &[u8], deadline: Instant, now: Instant) -> bool {
        self.expire_if_due(key, now);
        if !self.entries.contains_key(key) {
            return false;
        }
        if deadline <= now {
            self.remove_entry(key);
        } else {
            self.set_deadline(key, Some(deadline));
        }
        true
    }

    /// The deadline of `key`: `None` if the key is missing, `Some(None)` if it has no
    /// deadline.
    pub fn deadline(&mut self, key: &[u8], now: Instant) -> Option<Option<Instant>> {
        self.expire_if_due(key, now);
        self.entries.get(key).map(|entry| entry.expires_at)
    }

    /// How many keys the map holds, counting any past their deadline that neither a
    /// read nor the expiry task has removed yet (Redis's `DBSIZE` counts them too).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Removes every key whose deadline is at or before `now`; returns the earliest
    /// deadline left.
    fn remove_expired(&mut self, now: Instant) -> Option<Instant> {
        while let Some((deadline, _)) = self.deadlines.first() {
            if *deadline > now {
                return Some(*deadline);
            }
            let (_, key) = self.deadlines.pop_first().expect("just looked at it");
            self.entries.remove(&key);
        }
        None
    }

    /// The lazy path: removes `key` if its deadline has passed.
    fn expire_if_due(&mut self, key: &[u8], now: Instant) {
        let due = self
            .entries
            .get(key)
            .and_then(|entry| entry.expires_at)
            .is_some_and(|deadline| deadline <= now);
        if due {
            self.remove_entry(key);
        }
    }

    fn remove_entry(&mut self, key: &[u8]) -> bool {
        match self.entries.remove(key) {
            Some(entry) => {
                if let Some(deadline) = entry.expires_at {
                    self.deadlines.remove(&(deadline, key.to_vec()));
                }
                true
            }
            None => false,
        }
    }

    /// Replaces the deadline of `key` (which exists) in the entry and in the index.
    fn set_deadline(&mut self, key: &[u8], expires_at: Option<Instant>) {
        let entry = self.entries.get_mut(key).expect("the key exists");
        let old = std::mem::replace(&mut entry.expires_at, expires_at);
        if old == expires_at {
            return;
        }
        if let Some(old) = old {
            self.deadlines.remove(&(old, key.to_vec()));
        }
        if let Some(deadline) = expires_at {
            let earliest = self
                .deadlines
                .first()
                .is_none_or(|(first, _)| deadline < *first);
            self.deadlines.insert((deadline, key.to_vec()));
            if earliest {
                self.earliest_changed = true;
                // Waking only queues the task: it runs later, after this borrow of the
                // store has ended.
                if let Some(waker) = self.expiry_task.take() {
                    waker.wake();
                }
            }
        }
    }
}

/// The active expiry task: sleeps until the earliest deadline (or, with none, until a
/// deadline appears), removes the keys that are due, and repeats. Runs for as long as
/// the server does.
pub async fn expire_keys(store: Rc<RefCell<Store>>) {
    loop {
        let next = store.borrow_mut().remove_expired(Instant::now());
        // Ready when a command sets a deadline earlier than `next`.
        let earliest_changed = poll_fn(|cx| {
            let mut store = store.borrow_mut();
            if std::mem::take(&mut store.earliest_changed) {
                Poll::Ready(())
            } else {
                store.expiry_task = Some(cx.waker().clone());
                Poll::Pending
            }
        });
        match next {
            // Either the timer fires (keys are due) or the earliest deadline moved:
            // both mean "look again".
            Some(deadline) => drop(time::timeout_at(deadline, earliest_changed).await),
            None => earliest_changed.await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evloop::time::Duration;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn values_and_counters() {
        let now = Instant::now();
        let mut store = Store::default();
        assert_eq!(store.get(b"k", now), None);
        store.set(b"k", b"v".as_slice().into(), None);
        assert_eq!(store.get(b"k", now).map(|v| &v[..]), Some(&b"v"[..]));
        assert!(matches!(
            store.incr(b"k", now),
            Err(IncrError::NotAnInteger)
        ));
        assert!(matches!(store.incr(b"n", now), Ok(1)));
        assert!(matches!(store.incr(b"n", now), Ok(2)));
        store.set(b"max", i64::MAX.to_string().as_bytes().into(), None);
        assert!(matches!(store.incr(b"max", now), Err(IncrError::Overflow)));
        assert!(store.remove(b"k", now));
        assert!(!store.remove(b"k", now));
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn a_key_past_its_deadline_is_gone_on_the_next_read() {
        let now = Instant::now();
        let mut store = Store::default();
        store.set(b"k", b"v".as_slice().into(), Some(now + SECOND));
        assert_eq!(store.deadline(b"k", now), Some(Some(now + SECOND)));
        assert_eq!(store.get(b"k", now + SECOND), None, "due at its deadline");
        assert_eq!(store.deadline(b"k", now), None);
        assert!(store.deadlines.is_empty());
    }

    #[test]
    fn the_index_follows_overwrites_and_removals() {
        let now = Instant::now();
        let mut store = Store::default();
        store.set(b"a", b"1".as_slice().into(), Some(now + 2 * SECOND));
        store.set(b"b", b"2".as_slice().into(), Some(now + 3 * SECOND));
        store.set(b"a", b"1".as_slice().into(), None);
        assert!(!store.expire_at(b"c", now + SECOND, now), "no such key");
        assert!(store.incr(b"b", now).is_ok(), "INCR keeps the deadline");
        assert_eq!(store.remove_expired(now), Some(now + 3 * SECOND));
        assert_eq!(store.remove_expired(now + 3 * SECOND), None);
        assert_eq!(store.len(), 1);
        assert!(
            store.expire_at(b"a", now, now),
            "a deadline already past deletes"
        );
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn the_expiry_task_removes_keys_nobody_reads() {
        let runtime = evloop::Runtime::builder()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = Rc::new(RefCell::new(Store::default()));
            drop(evloop::spawn(expire_keys(store.clone())));
            let start = Instant::now();
            store
                .borrow_mut()
                .set(b"late", b"v".as_slice().into(), Some(start + 10 * SECOND));
            evloop::task::yield_now().await;
            // Earlier than the deadline the task sleeps towards: it must wake for it.
            store
                .borrow_mut()
                .set(b"soon", b"v".as_slice().into(), Some(start + SECOND));
            time::sleep(SECOND).await;
            evloop::task::yield_now().await;
            assert_eq!(store.borrow().len(), 1);
            time::sleep(9 * SECOND).await;
            evloop::task::yield_now().await;
            assert_eq!(store.borrow().len(), 0);
        });
    }
}
