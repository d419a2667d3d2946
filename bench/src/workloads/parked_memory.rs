//! parked_memory: 1,000,000 tasks all wait on one [`Gate`]. Reports the growth of the
//! process's resident memory from before the first spawn to when every task has been
//! polled once and parked, divided by the number of tasks: bytes per parked task.
//!
//! Like every workload it runs in a fresh child process per runtime (see
//! [`crate::child`]), which matters most here: one runtime's freed-but-resident heap
//! must not hide or inflate the next one's. The benchmark's own lists (join handles,
//! the gate's wakers) are allocated and touched before the first measurement, so the
//! delta is the runtime's: task allocations, task tables, run queues. Afterwards the
//! gate opens and every task is joined, proving they all complete.

use std::iter;

use crate::futures::gate::Gate;
use crate::measure::resident_bytes;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Tasks parked per run.
pub const TASKS: usize = 1_000_000;

/// What one run measured.
#[derive(Debug, Clone, Copy)]
struct Footprint {
    before: u64,
    after: u64,
    completed: usize,
}

/// Bytes per parked task on `runtime`. Meaningful only as the first thing a fresh
/// process does.
///
/// # Panics
///
/// If not every task completed once released (a runtime bug, not a slow run).
pub fn run(runtime: Runtime) -> f64 {
    let footprint = match runtime {
        Runtime::Evloop => evloop(),
        Runtime::Tokio => tokio(),
        Runtime::Smol => smol(),
    };
    assert_eq!(
        footprint.completed,
        TASKS,
        "{}: not every parked task completed",
        runtime.name()
    );
    footprint.after.saturating_sub(footprint.before) as f64 / TASKS as f64
}

/// A list of `TASKS` empty slots, allocated and touched.
fn handle_slots<H>() -> Vec<Option<H>> {
    iter::repeat_with(|| None).take(TASKS).collect()
}

fn evloop() -> Footprint {
    on_evloop(async {
        let gate = Gate::with_capacity(TASKS);
        let mut handles = handle_slots();
        let before = resident_bytes();
        for slot in &mut handles {
            *slot = Some(evloop::spawn(gate.wait()));
        }
        while gate.waiting() < TASKS {
            evloop::task::yield_now().await;
        }
        let after = resident_bytes();
        gate.open();
        let mut completed = 0;
        for handle in handles.into_iter().flatten() {
            handle.await.expect("a parked task cannot fail");
            completed += 1;
        }
        Footprint {
            before,
            after,
            completed,
        }
    })
}

fn tokio() -> Footprint {
    on_tokio(async {
        let gate = Gate::with_capacity(TASKS);
        let mut handles = handle_slots();
        let before = resident_bytes();
        for slot in &mut handles {
            *slot = Some(tokio::task::spawn_local(gate.wait()));
        }
        while gate.waiting() < TASKS {
            tokio::task::yield_now().await;
        }
        let after = resident_bytes();
        gate.open();
        let mut completed = 0;
        for handle in handles.into_iter().flatten() {
            handle.await.expect("a parked task cannot fail");
            completed += 1;
        }
        Footprint {
            before,
            after,
            completed,
        }
    })
}

fn smol() -> Footprint {
    on_smol(|executor| async move {
        let gate = Gate::with_capacity(TASKS);
        let mut handles = handle_slots();
        let before = resident_bytes();
        for slot in &mut handles {
            *slot = Some(executor.spawn(gate.wait()));
        }
        while gate.waiting() < TASKS {
            futures_lite::future::yield_now().await;
        }
        let after = resident_bytes();
        gate.open();
        let mut completed = 0;
        for handle in handles.into_iter().flatten() {
            handle.await;
            completed += 1;
        }
        Footprint {
            before,
            after,
            completed,
        }
    })
}
