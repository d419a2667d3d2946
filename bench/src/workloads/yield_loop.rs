//! yield_loop: one spawned task calls its runtime's own `yield_now` 10,000,000 times.
//! Reports ns per yield: wake self, go to the back of the run queue, be polled again.

use std::time::Instant;

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Yields per run.
pub const YIELDS: u64 = 10_000_000;

/// ns per yield on `runtime`.
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
        let task = evloop::spawn(async {
            for _ in 0..YIELDS {
                evloop::task::yield_now().await;
            }
        });
        task.await.expect("the yielding task cannot fail");
        ns_per_op(start.elapsed(), YIELDS)
    })
}

/// `tokio::spawn`: measured faster here than `spawn_local` on the `LocalSet` (whose
/// tasks run only when the `LocalSet` future itself is polled), so tokio gets its
/// faster path.
fn tokio() -> f64 {
    on_tokio(async {
        let start = Instant::now();
        let task = tokio::spawn(async {
            for _ in 0..YIELDS {
                tokio::task::yield_now().await;
            }
        });
        task.await.expect("the yielding task cannot fail");
        ns_per_op(start.elapsed(), YIELDS)
    })
}

fn smol() -> f64 {
    on_smol(|executor| async move {
        let start = Instant::now();
        let task = executor.spawn(async {
            for _ in 0..YIELDS {
                futures_lite::future::yield_now().await;
            }
        });
        task.await;
        ns_per_op(start.elapsed(), YIELDS)
    })
}
