//! ping_pong_local: two tasks pass a counter back and forth 1,000,000 times through a
//! [`Handoff`] slot (an `Rc<RefCell<..>>` and stored `Waker`s). Reports ns per
//! hand-off: store the value, wake the other task, switch to it.

use std::hint::black_box;
use std::time::Instant;

use crate::futures::handoff::{Handoff, Side};
use crate::measure::ns_per_op;
use crate::runtimes::{Runtime, on_evloop, on_smol, on_tokio};

/// Hand-offs per run (both directions together).
pub const HANDOFFS: u64 = 1_000_000;

/// ns per hand-off on `runtime`.
pub fn run(runtime: Runtime) -> f64 {
    match runtime {
        Runtime::Evloop => evloop(),
        Runtime::Tokio => tokio(),
        Runtime::Smol => smol(),
    }
}

/// Side A: serves, then returns every value B sends back, plus one.
async fn server(handoff: Handoff) -> u64 {
    let mut value = 0;
    for _ in 0..HANDOFFS / 2 {
        handoff.pass(Side::B, value + 1);
        value = handoff.receive(Side::A).await;
    }
    value
}

/// Side B: returns every value A sends, plus one.
async fn answerer(handoff: Handoff) {
    for _ in 0..HANDOFFS / 2 {
        let value = handoff.receive(Side::B).await;
        handoff.pass(Side::A, value + 1);
    }
}

fn evloop() -> f64 {
    on_evloop(async {
        let handoff = Handoff::new();
        let start = Instant::now();
        let b = evloop::spawn(answerer(handoff.clone()));
        let a = evloop::spawn(server(handoff));
        black_box(a.await.expect("the rally cannot fail"));
        b.await.expect("the rally cannot fail");
        ns_per_op(start.elapsed(), HANDOFFS)
    })
}

fn tokio() -> f64 {
    on_tokio(async {
        let handoff = Handoff::new();
        let start = Instant::now();
        let b = tokio::task::spawn_local(answerer(handoff.clone()));
        let a = tokio::task::spawn_local(server(handoff));
        black_box(a.await.expect("the rally cannot fail"));
        b.await.expect("the rally cannot fail");
        ns_per_op(start.elapsed(), HANDOFFS)
    })
}

fn smol() -> f64 {
    on_smol(|executor| async move {
        let handoff = Handoff::new();
        let start = Instant::now();
        let b = executor.spawn(answerer(handoff.clone()));
        let a = executor.spawn(server(handoff));
        black_box(a.await);
        b.await;
        ns_per_op(start.elapsed(), HANDOFFS)
    })
}
