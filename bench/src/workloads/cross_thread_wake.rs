//! cross_thread_wake: a task parks on a [`Doorbell`]; a std thread, pinged through a
//! std channel, sleeps 50 µs (long enough for the runtime to go idle and block in
//! `epoll_wait`), notes the time and wakes the task's `Waker`; the task notes the time
//! it is polled again. 10,000 rounds in sequence. Reports p50 and p99 of that latency:
//! the cost of waking a parked runtime from another thread.

use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use crate::futures::doorbell::Doorbell;
use crate::measure::percentile;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Rounds per run.
pub const WAKES: usize = 10_000;

/// How long the ringing thread waits after a ping, so the runtime is parked.
pub const IDLE: Duration = Duration::from_micros(50);

/// Wake-to-poll latency percentiles, in µs.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// Median.
    pub p50_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
}

/// The latency percentiles on `runtime`.
pub fn run(runtime: Runtime) -> Latency {
    let bell = Doorbell::new();
    let (ping, pings) = mpsc::channel::<()>();
    let ringer = {
        let bell = bell.clone();
        thread::Builder::new()
            .name("ringer".into())
            .spawn(move || {
                // Ends when the waiting task drops its sender.
                while pings.recv().is_ok() {
                    thread::sleep(IDLE);
                    bell.ring();
                }
            })
            .expect("cannot start the ringing thread")
    };
    let mut samples = match runtime {
        Runtime::Evloop => evloop(bell, ping),
        Runtime::Tokio => tokio(bell, ping),
        Runtime::Smol => smol(bell, ping),
    };
    ringer.join().expect("the ringing thread panicked");
    Latency {
        p50_us: percentile(&mut samples, 50.0) as f64 / 1000.0,
        p99_us: percentile(&mut samples, 99.0) as f64 / 1000.0,
    }
}

/// The task: `WAKES` times, ask for a ring and wait for it. Returns ns per wake.
async fn wait_for_rings(bell: Doorbell, ping: Sender<()>) -> Vec<u64> {
    let mut samples = Vec::with_capacity(WAKES);
    for _ in 0..WAKES {
        ping.send(()).expect("the ringing thread is alive");
        samples.push(bell.wait().await);
    }
    samples
}

fn evloop(bell: Doorbell, ping: Sender<()>) -> Vec<u64> {
    on_evloop(async {
        let task = evloop::spawn(wait_for_rings(bell, ping));
        task.await.expect("the waiting task cannot fail")
    })
}

fn tokio(bell: Doorbell, ping: Sender<()>) -> Vec<u64> {
    on_tokio(async {
        let task = tokio::spawn(wait_for_rings(bell, ping));
        task.await.expect("the waiting task cannot fail")
    })
}

fn smol(bell: Doorbell, ping: Sender<()>) -> Vec<u64> {
    on_smol(|executor| async move {
        let task = executor.spawn(wait_for_rings(bell, ping));
        task.await
    })
}
