//! timeout_churn: 1,000,000 times, put a 1 s timeout around a future that is ready at
//! once, and await it. Reports ns per timeout: what a time limit costs when, as usual,
//! it is not needed.
//!
//! smol has no `timeout`; its users race the future against a timer with
//! `futures_lite::FutureExt::or`. The timer is created inside the second future, so it
//! exists only if the first is not ready: the cheapest way to write it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use futures_lite::FutureExt;

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Timeouts per run.
pub const OPS: u64 = 1_000_000;

const LIMIT: Duration = Duration::from_secs(1);

/// ns per timeout on `runtime`.
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
        for i in 0..OPS {
            let ready = async move { black_box(i) };
            black_box(evloop::time::timeout(LIMIT, ready).await.ok());
        }
        ns_per_op(start.elapsed(), OPS)
    })
}

fn tokio() -> f64 {
    on_tokio(async {
        let start = Instant::now();
        for i in 0..OPS {
            let ready = async move { black_box(i) };
            black_box(tokio::time::timeout(LIMIT, ready).await.ok());
        }
        ns_per_op(start.elapsed(), OPS)
    })
}

fn smol() -> f64 {
    on_smol(|_| async {
        let start = Instant::now();
        for i in 0..OPS {
            let ready = async move { Some(black_box(i)) };
            let timer = async {
                async_io::Timer::after(LIMIT).await;
                None
            };
            black_box(ready.or(timer).await);
        }
        ns_per_op(start.elapsed(), OPS)
    })
}
