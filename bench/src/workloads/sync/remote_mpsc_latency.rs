//! remote_mpsc_latency: a std thread waits until the receiving task has taken the
//! last message, sleeps 50 µs (so the runtime goes idle and parks in `epoll_wait`),
//! then sends one message carrying the time; the task notes when it receives it.
//! 10,000 messages in sequence. Reports p50 and p99 of send-to-receive: the latency
//! of one message into a parked loop.
//!
//! The thread learns that a message was taken from an atomic counter, polled with
//! `thread::yield_now`, so that the only system calls of a message are the channel's
//! and the runtime's own: `bench/syscalls.sh` counts them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::measure::percentile;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Messages per run.
pub const MESSAGES: usize = 10_000;

/// How long the sending thread waits before each send, so the runtime is parked.
pub const IDLE: Duration = Duration::from_micros(50);

/// Latency percentiles, in µs.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// Median.
    pub p50_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
}

/// The latency percentiles on `runtime`.
pub fn run(runtime: Runtime) -> Latency {
    let mut samples = match runtime {
        Runtime::Evloop => evloop(),
        Runtime::Tokio => tokio(),
        Runtime::Smol => smol(),
    };
    Latency {
        p50_us: percentile(&mut samples, 50.0) as f64 / 1000.0,
        p99_us: percentile(&mut samples, 99.0) as f64 / 1000.0,
    }
}

/// Both sides' view of the run: the clock's origin and how many messages were taken.
#[derive(Clone)]
struct Pacing {
    origin: Instant,
    taken: Arc<AtomicUsize>,
}

impl Pacing {
    fn new() -> Pacing {
        Pacing {
            origin: Instant::now(),
            taken: Arc::default(),
        }
    }

    fn now_ns(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }

    /// The sending thread: `MESSAGES` times, wait for the last one to be taken, idle,
    /// then send the time.
    fn start_sender(&self, send: impl Fn(u64) + Send + 'static) -> thread::JoinHandle<()> {
        let pacing = self.clone();
        thread::Builder::new()
            .name("sender".into())
            .spawn(move || {
                for sent in 0..MESSAGES {
                    while pacing.taken.load(Ordering::Acquire) < sent {
                        thread::yield_now();
                    }
                    thread::sleep(IDLE);
                    send(pacing.now_ns());
                }
            })
            .expect("cannot start the sending thread")
    }

    /// The receiving task's side of one message sent at `sent_ns`.
    fn taken(&self, sent_ns: u64, samples: &mut Vec<u64>) {
        samples.push(self.now_ns() - sent_ns);
        self.taken.fetch_add(1, Ordering::Release);
    }
}

fn evloop() -> Vec<u64> {
    on_evloop(async {
        let pacing = Pacing::new();
        let (tx, mut rx) = evloop::sync::remote::mpsc::unbounded_channel::<u64>();
        let sender = pacing.start_sender(move |t| tx.send(t).expect("the receiver is there"));
        let task = evloop::spawn(async move {
            let mut samples = Vec::with_capacity(MESSAGES);
            while let Some(sent_ns) = rx.recv().await {
                pacing.taken(sent_ns, &mut samples);
            }
            samples
        });
        let samples = task.await.expect("the receiving task cannot fail");
        sender.join().expect("the sending thread panicked");
        samples
    })
}

fn tokio() -> Vec<u64> {
    on_tokio(async {
        let pacing = Pacing::new();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
        let sender = pacing.start_sender(move |t| tx.send(t).expect("the receiver is there"));
        let task = tokio::spawn(async move {
            let mut samples = Vec::with_capacity(MESSAGES);
            while let Some(sent_ns) = rx.recv().await {
                pacing.taken(sent_ns, &mut samples);
            }
            samples
        });
        let samples = task.await.expect("the receiving task cannot fail");
        sender.join().expect("the sending thread panicked");
        samples
    })
}

fn smol() -> Vec<u64> {
    on_smol(|executor| async move {
        let pacing = Pacing::new();
        let (tx, rx) = async_channel::unbounded::<u64>();
        let sender = pacing.start_sender(move |t| tx.try_send(t).expect("the receiver is there"));
        let task = executor.spawn(async move {
            let mut samples = Vec::with_capacity(MESSAGES);
            while let Ok(sent_ns) = rx.recv().await {
                pacing.taken(sent_ns, &mut samples);
            }
            samples
        });
        let samples = task.await;
        sender.join().expect("the sending thread panicked");
        samples
    })
}
