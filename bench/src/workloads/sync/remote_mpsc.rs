//! remote_mpsc: a std thread sends 1,000,000 `u64`s through an unbounded channel to a
//! spawned task on the runtime, which parks whenever it has drained what arrived. Reports ns
//! per message, from the first send to the last receive: the throughput of a channel
//! into the loop from another thread.
//!
//! evloop: `sync::remote::mpsc`; tokio: `sync::mpsc` (its senders are `Send`); smol:
//! `async-channel`.

use std::hint::black_box;
use std::thread;
use std::time::Instant;

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Messages per run.
pub const MESSAGES: u64 = 1_000_000;

/// ns per message on `runtime`.
pub fn run(runtime: Runtime) -> f64 {
    match runtime {
        Runtime::Evloop => evloop(),
        Runtime::Tokio => tokio(),
        Runtime::Smol => smol(),
    }
}

/// Starts the sending thread; `send` is one runtime's unbounded send.
fn start_sender(send: impl Fn(u64) + Send + 'static) -> thread::JoinHandle<()> {
    thread::Builder::new()
        .name("sender".into())
        .spawn(move || (0..MESSAGES).for_each(send))
        .expect("cannot start the sending thread")
}

fn evloop() -> f64 {
    on_evloop(async {
        let (tx, mut rx) = evloop::sync::remote::mpsc::unbounded_channel::<u64>();
        let start = Instant::now();
        let sender = start_sender(move |n| tx.send(n).expect("the receiver is there"));
        let receiver = evloop::spawn(async move {
            let mut sum = 0u64;
            while let Some(n) = rx.recv().await {
                sum = sum.wrapping_add(n);
            }
            sum
        });
        let sum = receiver.await.expect("the receiving task cannot fail");
        let elapsed = start.elapsed();
        sender.join().expect("the sending thread panicked");
        black_box(sum);
        ns_per_op(elapsed, MESSAGES)
    })
}

fn tokio() -> f64 {
    on_tokio(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
        let start = Instant::now();
        let sender = start_sender(move |n| tx.send(n).expect("the receiver is there"));
        let receiver = tokio::spawn(async move {
            let mut sum = 0u64;
            while let Some(n) = rx.recv().await {
                sum = sum.wrapping_add(n);
            }
            sum
        });
        let sum = receiver.await.expect("the receiving task cannot fail");
        let elapsed = start.elapsed();
        sender.join().expect("the sending thread panicked");
        black_box(sum);
        ns_per_op(elapsed, MESSAGES)
    })
}

fn smol() -> f64 {
    on_smol(|executor| async move {
        let (tx, rx) = async_channel::unbounded::<u64>();
        let start = Instant::now();
        let sender = start_sender(move |n| tx.try_send(n).expect("the receiver is there"));
        let receiver = executor.spawn(async move {
            let mut sum = 0u64;
            while let Ok(n) = rx.recv().await {
                sum = sum.wrapping_add(n);
            }
            sum
        });
        let sum = receiver.await;
        let elapsed = start.elapsed();
        sender.join().expect("the sending thread panicked");
        black_box(sum);
        ns_per_op(elapsed, MESSAGES)
    })
}
