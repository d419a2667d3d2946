//! process_spawn_wait: start `/bin/true` and wait for it, 1,000 times one after the
//! other, then 1,000 more 50 at a time (start 50, await them all, repeat). Reports µs
//! per child (spawn plus wait) for both shapes, and how many OS threads the process has
//! once they are done (the entries of `/proc/self/task`, counted while the runtime still
//! runs): a runtime that reaps its children on a helper thread shows it there.
//!
//! Each runtime's own process API: `evloop::process`, `tokio::process`, and for smol
//! the `async-process` crate (what `smol::process` is). All three build on std's
//! `Command`, so the spawn itself is the same; they differ in how the exit reaches the
//! waiting task. No child has pipes: they inherit the parent's stdio.

use std::io;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use crate::measure::threads;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// The program every child runs: it exits at once with status 0.
pub const PROGRAM: &str = "/bin/true";

/// Children per shape and run.
pub const CHILDREN: u32 = 1_000;

/// Children alive at once in the concurrent shape.
pub const BATCH: u32 = 50;

/// What one run measured.
#[derive(Debug, Clone, Copy)]
pub struct SpawnWait {
    /// µs per child, started and awaited one at a time.
    pub sequential_us: f64,
    /// µs per child, started `BATCH` at a time and awaited together.
    pub concurrent_us: f64,
    /// OS threads in the process after both shapes.
    pub threads: f64,
}

/// Both shapes on `runtime`.
pub fn run(runtime: Runtime) -> SpawnWait {
    match runtime {
        Runtime::Evloop => on_evloop(spawn_wait(
            || evloop::process::Command::new(PROGRAM).spawn(),
            |mut child| async move { child.wait().await },
        )),
        Runtime::Tokio => on_tokio(spawn_wait(
            || tokio::process::Command::new(PROGRAM).spawn(),
            |mut child| async move { child.wait().await },
        )),
        Runtime::Smol => on_smol(|_| {
            spawn_wait(
                || async_process::Command::new(PROGRAM).spawn(),
                |mut child| async move { child.status().await },
            )
        }),
    }
}

/// The sequential shape, then the concurrent one, then the thread count. `spawn`
/// starts a child, `wait` awaits its exit.
async fn spawn_wait<C, W: Future<Output = io::Result<ExitStatus>>>(
    spawn: impl Fn() -> io::Result<C>,
    wait: impl Fn(C) -> W,
) -> SpawnWait {
    let start = Instant::now();
    for _ in 0..CHILDREN {
        check(wait(spawn().expect("cannot start /bin/true")).await);
    }
    let sequential = start.elapsed();

    let start = Instant::now();
    for _ in 0..CHILDREN / BATCH {
        let batch: Vec<C> = (0..BATCH)
            .map(|_| spawn().expect("cannot start /bin/true"))
            .collect();
        // All of the batch runs at once; awaiting in spawn order only decides which
        // exit is noticed first.
        for child in batch {
            check(wait(child).await);
        }
    }
    let concurrent = start.elapsed();

    SpawnWait {
        sequential_us: us_per_child(sequential),
        concurrent_us: us_per_child(concurrent),
        threads: threads() as f64,
    }
}

/// Panics unless the child exited with status 0.
fn check(status: io::Result<ExitStatus>) {
    let status = status.expect("cannot wait for /bin/true");
    assert!(status.success(), "/bin/true exited with {status}");
}

fn us_per_child(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1e6 / f64::from(CHILDREN)
}
