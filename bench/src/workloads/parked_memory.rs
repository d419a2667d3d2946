//! parked_memory: 1,000,000 tasks all wait on one [`Gate`]. Reports the growth of the
//! process's resident memory from before the first spawn to when every task has been
//! polled once and parked, divided by the number of tasks: bytes per parked task.
//!
//! Each runtime runs in a fresh child process (this binary, re-executed with
//! `parked-child RUNTIME`), so one runtime's freed-but-resident heap does not hide or
//! inflate the next one's. The benchmark's own lists (join handles, the gate's wakers)
//! are allocated and touched before the first measurement, so the delta is the
//! runtime's: task allocations, task tables, run queues. Afterwards the gate opens and
//! every task is joined, proving they all complete.

use std::env;
use std::iter;
use std::process::Command;

use crate::futures::gate::Gate;
use crate::measure::resident_bytes;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Tasks parked per run.
pub const TASKS: usize = 1_000_000;

/// The first argument that makes the binary run [`child_main`].
pub const CHILD_ARG: &str = "parked-child";

/// What a child process measured.
#[derive(Debug, Clone, Copy)]
struct Footprint {
    before: u64,
    after: u64,
    completed: usize,
}

/// Bytes per parked task on `runtime`, measured in a child process.
pub fn run(runtime: Runtime) -> f64 {
    let exe = env::current_exe().expect("cannot find this benchmark's executable");
    let output = Command::new(exe)
        .args([CHILD_ARG, runtime.name()])
        .output()
        .expect("cannot start the parked-memory child process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let field = |key: &str| -> Option<u64> {
        stdout
            .split_whitespace()
            .find_map(|word| word.strip_prefix(key)?.strip_prefix('='))
            .and_then(|value| value.parse().ok())
    };
    let completed = field("completed").is_some_and(|completed| completed == TASKS as u64);
    match (output.status.success(), field("before"), field("after")) {
        (true, Some(before), Some(after)) if completed => {
            after.saturating_sub(before) as f64 / TASKS as f64
        }
        _ => {
            eprintln!(
                "parked_memory: the {} child failed ({}):\n{}{}",
                runtime.name(),
                output.status,
                stdout,
                String::from_utf8_lossy(&output.stderr)
            );
            f64::NAN
        }
    }
}

/// The child process: measures one runtime and prints `before=.. after=.. completed=..`.
pub fn child_main(runtime: Runtime) {
    let footprint = match runtime {
        Runtime::Evloop => evloop(),
        Runtime::Tokio => tokio(),
        Runtime::Smol => smol(),
    };
    println!(
        "before={} after={} tasks={TASKS} completed={}",
        footprint.before, footprint.after, footprint.completed
    );
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
