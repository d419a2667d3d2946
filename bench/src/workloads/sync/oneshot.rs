//! oneshot: create a one-shot channel, send a value, await the receiver; 1,000,000
//! times in one task. Reports ns per channel. smol has no one-shot channel of its
//! own; its users reach for `async_channel::bounded(1)`, measured here.

use std::hint::black_box;
use std::time::Instant;

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Channels per run.
pub const CHANNELS: u64 = 1_000_000;

/// ns per channel on `runtime`.
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
        for n in 0..CHANNELS {
            let (tx, rx) = evloop::sync::oneshot::channel::<u64>();
            tx.send(n).expect("the receiver is there");
            black_box(rx.await.expect("sent"));
        }
        ns_per_op(start.elapsed(), CHANNELS)
    })
}

fn tokio() -> f64 {
    on_tokio(async {
        let start = Instant::now();
        for n in 0..CHANNELS {
            let (tx, rx) = tokio::sync::oneshot::channel::<u64>();
            tx.send(n).expect("the receiver is there");
            black_box(rx.await.expect("sent"));
        }
        ns_per_op(start.elapsed(), CHANNELS)
    })
}

fn smol() -> f64 {
    on_smol(|_executor| async move {
        let start = Instant::now();
        for n in 0..CHANNELS {
            let (tx, rx) = async_channel::bounded::<u64>(1);
            tx.try_send(n).expect("the receiver is there");
            black_box(rx.recv().await.expect("sent"));
        }
        ns_per_op(start.elapsed(), CHANNELS)
    })
}
