//! Channels into the loop from anywhere: the sending halves are `Send + Sync`.
//!
//! The local primitives of [`sync`](crate::sync) are `!Send`: they are for tasks on one
//! thread, and need no atomics for it. When a message must cross threads (a std
//! thread that produces work, a [`spawn_blocking`](crate::task::spawn_blocking) job
//! that reports progress, another evloop runtime in a thread-per-core server), use
//! these instead: the same API, with the shared state behind a `Mutex`.
//!
//! - [`mpsc`]: bounded and unbounded multi-producer channels.
//! - [`oneshot`]: one value, once.
//!
//! The receiving half is awaited in a task. A sender on another thread wakes that
//! task the way any cross-thread wake does: onto its runtime's injection queue, with
//! a write to the runtime's eventfd only if the loop is parked. The channel's own
//! cost is one uncontended lock per message on the sending side.

#![deny(unsafe_code)]

pub mod mpsc;
pub mod oneshot;
mod park;
