//! The workloads, one module each. Every module holds the same logic three times, once
//! per runtime, side by side, differing only in the runtime's own `spawn`, `yield_now`
//! and `block_on`.

pub mod cross_thread_wake;
pub mod parked_memory;
pub mod ping_pong_local;
pub mod spawn_join;
pub mod yield_loop;

/// The workloads, in table order, by their command-line names.
pub const NAMES: [&str; 5] = [
    "spawn_join",
    "yield_loop",
    "ping_pong_local",
    "parked_memory",
    "cross_thread_wake",
];
