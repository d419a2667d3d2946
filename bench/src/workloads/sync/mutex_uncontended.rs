//! mutex_uncontended: one task locks and unlocks an async mutex 10,000,000 times,
//! changing the value each time. Reports ns per lock and unlock.

use std::time::Instant;

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Locks per run.
pub const LOCKS: u64 = 10_000_000;

/// ns per lock on `runtime`.
pub fn run(runtime: Runtime) -> f64 {
    match runtime {
        Runtime::Evloop => evloop(),
        Runtime::Tokio => tokio(),
        Runtime::Smol => smol(),
    }
}

fn evloop() -> f64 {
    on_evloop(async {
        let mutex = evloop::sync::Mutex::new(0u64);
        let start = Instant::now();
        for _ in 0..LOCKS {
            *mutex.lock().await += 1;
        }
        assert_eq!(mutex.into_inner(), LOCKS);
        ns_per_op(start.elapsed(), LOCKS)
    })
}

fn tokio() -> f64 {
    on_tokio(async {
        let mutex = tokio::sync::Mutex::new(0u64);
        let start = Instant::now();
        for _ in 0..LOCKS {
            *mutex.lock().await += 1;
        }
        assert_eq!(mutex.into_inner(), LOCKS);
        ns_per_op(start.elapsed(), LOCKS)
    })
}

fn smol() -> f64 {
    on_smol(|_executor| async move {
        let mutex = async_lock::Mutex::new(0u64);
        let start = Instant::now();
        for _ in 0..LOCKS {
            *mutex.lock().await += 1;
        }
        assert_eq!(mutex.into_inner(), LOCKS);
        ns_per_op(start.elapsed(), LOCKS)
    })
}
