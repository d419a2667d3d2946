//! mpsc_stream: one producer task sends 10,000,000 `u64`s through a bounded channel of
//! capacity 1,024 to one consumer task. Reports ns per message.

use std::hint::black_box;
use std::time::Instant;

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Messages per run.
pub const MESSAGES: u64 = 10_000_000;
/// The channel's capacity.
pub const CAPACITY: usize = 1024;

/// ns per message on `runtime`.
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
        let (tx, mut rx) = mpsc::channel::<u64>(CAPACITY);
        let start = Instant::now();
        let producer = evloop::spawn(async move {
            for n in 0..MESSAGES {
                tx.send(n).await.expect("the consumer is there");
            }
        });
        let consumer = evloop::spawn(async move {
            let mut sum = 0u64;
            while let Some(n) = rx.recv().await {
                sum = sum.wrapping_add(n);
            }
            sum
        });
        producer.await.expect("the producer cannot fail");
        black_box(consumer.await.expect("the consumer cannot fail"));
        ns_per_op(start.elapsed(), MESSAGES)
    })
}

fn tokio() -> f64 {
    use tokio::sync::mpsc;
    on_tokio(async {
        let (tx, mut rx) = mpsc::channel::<u64>(CAPACITY);
        let start = Instant::now();
        let producer = tokio::spawn(async move {
            for n in 0..MESSAGES {
                tx.send(n).await.expect("the consumer is there");
            }
        });
        let consumer = tokio::spawn(async move {
            let mut sum = 0u64;
            while let Some(n) = rx.recv().await {
                sum = sum.wrapping_add(n);
            }
            sum
        });
        producer.await.expect("the producer cannot fail");
        black_box(consumer.await.expect("the consumer cannot fail"));
        ns_per_op(start.elapsed(), MESSAGES)
    })
}

fn smol() -> f64 {
    on_smol(|executor| async move {
        let (tx, rx) = async_channel::bounded::<u64>(CAPACITY);
        let start = Instant::now();
        let producer = executor.spawn(async move {
            for n in 0..MESSAGES {
                tx.send(n).await.expect("the consumer is there");
            }
        });
        let consumer = executor.spawn(async move {
            let mut sum = 0u64;
            while let Ok(n) = rx.recv().await {
                sum = sum.wrapping_add(n);
            }
            sum
        });
        producer.await;
        black_box(consumer.await);
        ns_per_op(start.elapsed(), MESSAGES)
    })
}
