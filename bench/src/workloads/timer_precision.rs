//! precision: 10,000 sequential 1 ms sleeps on an otherwise idle runtime. Reports the
//! lateness (the instant the task runs again minus the deadline) at p50, p99 and max.
//!
//! Each sleep is `sleep_until(now + 1 ms)`, so the deadline the runtime sees is exactly
//! the one the lateness is measured against. The runtimes are used as their users get
//! them: evloop sets its thread's timer slack to 1 µs while it runs (its default); tokio
//! and smol leave Linux's 50 µs.

use std::time::{Duration, Instant};

use crate::measure::percentile;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Sleeps per run (about 10 s on evloop, 20 s on tokio, which rounds up to whole ms).
pub const SLEEPS: usize = 10_000;

const SLEEP: Duration = Duration::from_millis(1);

/// Lateness percentiles, in µs.
#[derive(Debug, Clone, Copy)]
pub struct Lateness {
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

/// The lateness of `SLEEPS` sleeps on `runtime`.
pub fn run(runtime: Runtime) -> Lateness {
    let mut samples = match runtime {
        Runtime::Evloop => on_evloop(sleep_many(|deadline| {
            evloop::time::sleep_until(deadline.into())
        })),
        Runtime::Tokio => on_tokio(sleep_many(|deadline| {
            tokio::time::sleep_until(deadline.into())
        })),
        Runtime::Smol => on_smol(|_| {
            sleep_many(|deadline| async move {
                async_io::Timer::at(deadline).await;
            })
        }),
    };
    let us = |ns: u64| ns as f64 / 1000.0;
    Lateness {
        p50_us: us(percentile(&mut samples, 50.0)),
        p99_us: us(percentile(&mut samples, 99.0)),
        max_us: us(percentile(&mut samples, 100.0)),
    }
}

/// `SLEEPS` times: sleep until 1 ms from now with `sleep_until`; the lateness of each,
/// in ns.
async fn sleep_many<S: Future<Output = ()>>(sleep_until: impl Fn(Instant) -> S) -> Vec<u64> {
    let mut lateness = Vec::with_capacity(SLEEPS);
    for _ in 0..SLEEPS {
        let deadline = Instant::now() + SLEEP;
        sleep_until(deadline).await;
        lateness.push(Instant::now().duration_since(deadline).as_nanos() as u64);
    }
    lateness
}
