//! Comparative benchmarks of evloop's executor against tokio's current-thread runtime
//! and smol's `LocalExecutor`: the same workload, the same hand-written futures, the
//! same run, printed as ns/op (or bytes, or µs) and as ratios.
//!
//! - [`runtimes`]: the three runtimes, each built the way its users build it.
//! - [`futures`]: the leaf futures the workloads share, written once against
//!   `std::task` only, so every runtime runs exactly the same code.
//! - [`workloads`]: one module per workload, the three runtimes side by side.
//! - [`report`]: the table, the targets, and the numbers measured earlier.
//! - [`measure`]: clocks and the process's resident memory.
//! - [`child`]: every (workload, runtime) pair runs in a fresh child process.

pub mod child;
pub mod futures;
pub mod measure;
pub mod report;
pub mod runtimes;
pub mod workloads;
