//! timers_many: 100,000 tasks, spawned at once, each sleeping a duration in 1..=100 ms
//! (the same pseudo-random durations for every runtime). Reports the wall time and the
//! process's CPU time from the first spawn to the last join, and the tasks' lateness
//! (the instant each runs again minus its deadline) at p50 and p99.
//!
//! Lateness here includes queueing: timers fire while the run queue still holds the
//! tasks that have not been polled for the first time, so a woken task waits its turn.

use std::time::{Duration, Instant};

use crate::measure::{cpu_time, percentile};
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Tasks per run.
pub const TASKS: usize = 100_000;

/// The seed of the durations, fixed so every runtime and every run sleeps the same.
const SEED: u64 = 0x2545_F491_4F6C_DD1D;

/// What one run measured.
#[derive(Debug, Clone, Copy)]
pub struct Many {
    pub wall_ms: f64,
    pub cpu_ms: f64,
    pub late_p50_us: f64,
    pub late_p99_us: f64,
}

/// The durations: 1..=100 ms from a xorshift generator.
fn durations() -> Vec<Duration> {
    let mut state = SEED;
    (0..TASKS)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            Duration::from_millis(1 + state % 100)
        })
        .collect()
}

/// Sleeps `duration` from its first poll; returns how late it woke, in ns.
async fn sleeper<S: Future<Output = ()>>(
    duration: Duration,
    sleep_until: impl FnOnce(Instant) -> S,
) -> u64 {
    let deadline = Instant::now() + duration;
    sleep_until(deadline).await;
    Instant::now().duration_since(deadline).as_nanos() as u64
}

/// One run on `runtime`.
pub fn run(runtime: Runtime) -> Many {
    let durations = durations();
    let (wall, cpu, mut lateness) = match runtime {
        Runtime::Evloop => evloop(durations),
        Runtime::Tokio => tokio(durations),
        Runtime::Smol => smol(durations),
    };
    Many {
        wall_ms: wall.as_secs_f64() * 1e3,
        cpu_ms: cpu.as_secs_f64() * 1e3,
        late_p50_us: percentile(&mut lateness, 50.0) as f64 / 1000.0,
        late_p99_us: percentile(&mut lateness, 99.0) as f64 / 1000.0,
    }
}

type Measured = (Duration, Duration, Vec<u64>);

fn evloop(durations: Vec<Duration>) -> Measured {
    on_evloop(async {
        let (start, cpu) = (Instant::now(), cpu_time());
        let handles: Vec<_> = durations
            .into_iter()
            .map(|d| evloop::spawn(sleeper(d, |at| evloop::time::sleep_until(at.into()))))
            .collect();
        let mut lateness = Vec::with_capacity(TASKS);
        for handle in handles {
            lateness.push(handle.await.expect("a sleeping task cannot fail"));
        }
        (start.elapsed(), cpu_time() - cpu, lateness)
    })
}

/// `spawn_local`, as in spawn_join (measured faster there than `tokio::spawn`).
fn tokio(durations: Vec<Duration>) -> Measured {
    on_tokio(async {
        let (start, cpu) = (Instant::now(), cpu_time());
        let handles: Vec<_> = durations
            .into_iter()
            .map(|d| tokio::task::spawn_local(sleeper(d, |at| tokio::time::sleep_until(at.into()))))
            .collect();
        let mut lateness = Vec::with_capacity(TASKS);
        for handle in handles {
            lateness.push(handle.await.expect("a sleeping task cannot fail"));
        }
        (start.elapsed(), cpu_time() - cpu, lateness)
    })
}

fn smol(durations: Vec<Duration>) -> Measured {
    on_smol(|executor| async move {
        let (start, cpu) = (Instant::now(), cpu_time());
        let handles: Vec<_> = durations
            .into_iter()
            .map(|d| {
                executor.spawn(sleeper(d, |at| async move {
                    async_io::Timer::at(at).await;
                }))
            })
            .collect();
        let mut lateness = Vec::with_capacity(TASKS);
        for handle in handles {
            lateness.push(handle.await);
        }
        (start.elapsed(), cpu_time() - cpu, lateness)
    })
}
