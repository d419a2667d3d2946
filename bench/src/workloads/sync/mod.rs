//! The sync workloads: evloop's `sync` against tokio's `sync` and smol's
//! `async-channel` / `async-lock`, the same logic on each, in tasks on one thread
//! (and, for `remote_mpsc`, a std thread sending into a parked loop).

pub mod mpsc_ping_pong;
pub mod mpsc_stream;
pub mod mutex_contended;
pub mod mutex_uncontended;
pub mod oneshot;
pub mod remote_mpsc;
pub mod remote_mpsc_latency;
