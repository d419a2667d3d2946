//! spawn_join: spawn 1,000,000 trivial tasks (each returns a `u64`), then await every
//! handle in spawn order. Reports ns per task: one allocation, one poll, one completion
//! and one join each.

use std::hint::black_box;
use std::time::Instant;

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Tasks per run.
pub const TASKS: u64 = 1_000_000;

/// ns per task on `runtime`.
pub fn run(runtime: Runtime) -> f64 {
    match runtime {
        Runtime::Evloop => evloop(),
        Runtime::Tokio => tokio(),
        Runtime::Smol => smol(),
    }
}

fn evloop() -> f64 {
    on_evloop(async {
        let start = Instant::now();
        let mut handles = Vec::with_capacity(TASKS as usize);
        for i in 0..TASKS {
            handles.push(evloop::spawn(async move { black_box(i) }));
        }
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.expect("a trivial task cannot fail");
        }
        black_box(sum);
        ns_per_op(start.elapsed(), TASKS)
    })
}

/// `spawn_local` on the `LocalSet`: measured ~15% faster here than `tokio::spawn`
/// (whose task list takes a lock per spawn), so tokio gets its faster path.
fn tokio() -> f64 {
    on_tokio(async {
        let start = Instant::now();
        let mut handles = Vec::with_capacity(TASKS as usize);
        for i in 0..TASKS {
            handles.push(tokio::task::spawn_local(async move { black_box(i) }));
        }
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.expect("a trivial task cannot fail");
        }
        black_box(sum);
        ns_per_op(start.elapsed(), TASKS)
    })
}

fn smol() -> f64 {
    on_smol(|executor| async move {
        let start = Instant::now();
        let mut handles = Vec::with_capacity(TASKS as usize);
        for i in 0..TASKS {
            handles.push(executor.spawn(async move { black_box(i) }));
        }
        let mut sum = 0;
        for handle in handles {
            sum += handle.await;
        }
        black_box(sum);
        ns_per_op(start.elapsed(), TASKS)
    })
}
