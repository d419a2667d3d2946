//! The slow-poll detector: reports every task poll that holds the loop too long.
//!
//! The classic event-loop mistake is CPU work (or a blocking call) inside a task: while
//! it runs, no other connection is served. With a threshold set
//! ([`Builder::slow_poll_threshold`] or `EVLOOP_SLOW_POLL_MS`), every poll longer than
//! that prints one line on stderr naming the task and where it was spawned:
//!
//! ```text
//! evloop: slow poll: task 7 (spawned at src/main.rs:31:9) held the loop for 52.1 ms (threshold 10 ms)
//! ```
//!
//! Off by default. When off, spawning stores nothing and polling reads no clock: the
//! cost is one branch per poll.
//!
//! [`Builder::slow_poll_threshold`]: crate::runtime::Builder::slow_poll_threshold

#![deny(unsafe_code)]

use std::cell::RefCell;
use std::panic::Location;
use std::time::{Duration, Instant};

use super::task::{Id, TaskKey};

/// The environment variable that turns the detector on: a threshold in milliseconds.
pub(crate) const ENV_VAR: &str = "EVLOOP_SLOW_POLL_MS";

#[derive(Debug)]
pub(crate) struct SlowPollDetector {
    threshold: Duration,
    /// Where each live task was spawned, by task-table slot.
    spawn_sites: RefCell<Vec<Option<&'static Location<'static>>>>,
}

impl SlowPollDetector {
    pub(crate) fn new(threshold: Duration) -> SlowPollDetector {
        SlowPollDetector {
            threshold,
            spawn_sites: RefCell::default(),
        }
    }

    /// Remembers where the task in `key`'s slot was spawned.
    pub(crate) fn record_spawn(&self, key: TaskKey, site: &'static Location<'static>) {
        let mut sites = self.spawn_sites.borrow_mut();
        let index = key.index as usize;
        if sites.len() <= index {
            sites.resize(index + 1, None);
        }
        sites[index] = Some(site);
    }

    /// Runs one poll of the task `id` in `key`'s slot, timing it.
    pub(crate) fn time_poll<R>(&self, key: TaskKey, id: Id, poll: impl FnOnce() -> R) -> R {
        let started = Instant::now();
        let result = poll();
        let held = started.elapsed();
        if held > self.threshold {
            let site = self
                .spawn_sites
                .borrow()
                .get(key.index as usize)
                .copied()
                .flatten();
            let site = site.map_or_else(|| "an unknown place".to_owned(), |s| s.to_string());
            eprintln!(
                "evloop: slow poll: task {id} (spawned at {site}) held the loop for {:.1} ms \
                 (threshold {} ms)",
                held.as_secs_f64() * 1e3,
                self.threshold.as_millis()
            );
        }
        result
    }
}

/// Reads the threshold from `EVLOOP_SLOW_POLL_MS`, if set.
///
/// # Errors
///
/// `InvalidInput` when the variable is set but is not a whole number of milliseconds.
pub(crate) fn threshold_from_env() -> std::io::Result<Option<Duration>> {
    let Some(value) = std::env::var_os(ENV_VAR) else {
        return Ok(None);
    };
    let millis = value
        .to_str()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{ENV_VAR} must be a whole number of milliseconds, not {value:?}"),
            )
        })?;
    Ok(Some(Duration::from_millis(millis)))
}
