//! blocking_round_trip: 10,000 sequential round trips through the runtime's blocking
//! pool: submit a no-op job, await its handle. Reports the latency of one round trip
//! (submit to the awaiting task's resumption) at p50 and p99.
//!
//! Each runtime's own pool: evloop's `task::spawn_blocking`, tokio's
//! `task::spawn_blocking`, and for smol the `blocking` crate's `unblock` (what
//! `smol::unblock` is). The first round trip starts the pool's first thread; it is
//! measured too, and lands above p99.

use std::time::Instant;

use crate::measure::percentile;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Round trips per run.
pub const ROUND_TRIPS: usize = 10_000;

/// Round-trip latency percentiles, in µs.
#[derive(Debug, Clone, Copy)]
pub struct RoundTrip {
    pub p50_us: f64,
    pub p99_us: f64,
}

/// The latency of `ROUND_TRIPS` pool round trips on `runtime`.
pub fn run(runtime: Runtime) -> RoundTrip {
    let mut samples = match runtime {
        Runtime::Evloop => on_evloop(round_trips(|| async {
            evloop::task::spawn_blocking(|| ()).await.unwrap();
        })),
        Runtime::Tokio => on_tokio(round_trips(|| async {
            tokio::task::spawn_blocking(|| ()).await.unwrap();
        })),
        Runtime::Smol => on_smol(|_| round_trips(|| blocking::unblock(|| ()))),
    };
    let us = |ns: u64| ns as f64 / 1000.0;
    RoundTrip {
        p50_us: us(percentile(&mut samples, 50.0)),
        p99_us: us(percentile(&mut samples, 99.0)),
    }
}

/// `ROUND_TRIPS` times: one job through the pool, awaited; the time of each, in ns.
async fn round_trips<J: Future<Output = ()>>(job: impl Fn() -> J) -> Vec<u64> {
    let mut times = Vec::with_capacity(ROUND_TRIPS);
    for _ in 0..ROUND_TRIPS {
        let started = Instant::now();
        job().await;
        times.push(started.elapsed().as_nanos() as u64);
    }
    times
}
