//! timer_arm_cancel: create a 1 s sleep, poll it once (so it registers its timer), drop
//! it (so it deregisters); 1,000,000 times. Reports ns per arm + cancel: the cost of a
//! timeout that never fires, which is most of them.
//!
//! All three loops run inside one poll of the `block_on` future, with its waker. tokio's
//! loop is wrapped in `unconstrained`: otherwise its cooperative budget would make
//! `Sleep::poll` return `Pending` without registering after 128 polls.

use std::future::{Future, poll_fn};
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Arms (and cancels) per run.
pub const OPS: u64 = 1_000_000;

/// How far ahead each sleep is: far enough that none fires during the run.
const SLEEP: Duration = Duration::from_secs(1);

/// ns per arm + cancel on `runtime`.
pub fn run(runtime: Runtime) -> f64 {
    match runtime {
        Runtime::Evloop => on_evloop(arm_and_cancel(|| evloop::time::sleep(SLEEP))),
        Runtime::Tokio => on_tokio(tokio::task::unconstrained(arm_and_cancel(|| {
            tokio::time::sleep(SLEEP)
        }))),
        Runtime::Smol => on_smol(|_| arm_and_cancel(|| async_io::Timer::after(SLEEP))),
    }
}

/// `OPS` times: make a sleep with `sleep`, poll it once, drop it. Returns ns per op.
async fn arm_and_cancel<S: Future>(sleep: impl Fn() -> S) -> f64 {
    poll_fn(|cx: &mut Context<'_>| {
        let start = Instant::now();
        for _ in 0..OPS {
            let mut sleep = pin!(sleep());
            black_box(sleep.as_mut().poll(cx).is_ready());
        }
        Poll::Ready(ns_per_op(start.elapsed(), OPS))
    })
    .await
}
