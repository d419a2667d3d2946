//! mpsc_ping_pong: two tasks, two bounded channels of capacity 1, a counter sent back
//! and forth 1,000,000 times. Reports ns per round trip: two sends, two receives, two
//! wakes, two task switches.

use std::hint::black_box;
use std::time::Instant;

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Round trips per run.
pub const ROUND_TRIPS: u64 = 1_000_000;

/// ns per round trip on `runtime`.
pub fn run(runtime: Runtime) -> f64 {
    match runtime {
        Runtime::Evloop => evloop(),
        Runtime::Tokio => tokio(),
        Runtime::Smol => smol(),
    }
}

fn evloop() -> f64 {
    use evloop::sync::mpsc;
    on_evloop(async {
        let (to_b, mut at_b) = mpsc::channel::<u64>(1);
        let (to_a, mut at_a) = mpsc::channel::<u64>(1);
        let start = Instant::now();
        let b = evloop::spawn(async move {
            while let Some(n) = at_b.recv().await {
                to_a.send(n + 1).await.expect("A is there");
            }
        });
        let a = evloop::spawn(async move {
            let mut n = 0;
            for _ in 0..ROUND_TRIPS {
                to_b.send(n).await.expect("B is there");
                n = at_a.recv().await.expect("B answers");
            }
            n
        });
        black_box(a.await.expect("the rally cannot fail"));
        b.await.expect("the rally cannot fail");
        ns_per_op(start.elapsed(), ROUND_TRIPS)
    })
}

fn tokio() -> f64 {
    use tokio::sync::mpsc;
    on_tokio(async {
        let (to_b, mut at_b) = mpsc::channel::<u64>(1);
        let (to_a, mut at_a) = mpsc::channel::<u64>(1);
        let start = Instant::now();
        let b = tokio::spawn(async move {
            while let Some(n) = at_b.recv().await {
                to_a.send(n + 1).await.expect("A is there");
            }
        });
        let a = tokio::spawn(async move {
            let mut n = 0;
            for _ in 0..ROUND_TRIPS {
                to_b.send(n).await.expect("B is there");
                n = at_a.recv().await.expect("B answers");
            }
            n
        });
        black_box(a.await.expect("the rally cannot fail"));
        b.await.expect("the rally cannot fail");
        ns_per_op(start.elapsed(), ROUND_TRIPS)
    })
}

fn smol() -> f64 {
    on_smol(|executor| async move {
        let (to_b, at_b) = async_channel::bounded::<u64>(1);
        let (to_a, at_a) = async_channel::bounded::<u64>(1);
        let start = Instant::now();
        let b = executor.spawn(async move {
            while let Ok(n) = at_b.recv().await {
                to_a.send(n + 1).await.expect("A is there");
            }
        });
        let a = executor.spawn(async move {
            let mut n = 0;
            for _ in 0..ROUND_TRIPS {
                to_b.send(n).await.expect("B is there");
                n = at_a.recv().await.expect("B answers");
            }
            n
        });
        black_box(a.await);
        b.await;
        ns_per_op(start.elapsed(), ROUND_TRIPS)
    })
}
