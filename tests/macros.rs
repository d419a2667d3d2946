//! `#[evloop::test]` and `#[evloop::main]` used for real.
//!
//! The compile errors are pinned separately, in `macros/tests/ui.rs`.

use std::cell::Cell;
use std::io;
use std::rc::Rc;

#[evloop::test]
async fn test_spawns_and_joins_a_task() {
    let counter = Rc::new(Cell::new(0));
    let handle = evloop::spawn({
        let counter = counter.clone();
        async move {
            evloop::task::yield_now().await;
            counter.set(counter.get() + 1);
            "done"
        }
    });
    assert_eq!(handle.await.unwrap(), "done");
    assert_eq!(counter.get(), 1);
}

fn fallible(ok: bool) -> io::Result<u32> {
    if ok {
        Ok(7)
    } else {
        Err(io::Error::other("asked to fail"))
    }
}

#[evloop::test]
async fn test_returns_a_result_and_uses_question_mark() -> Result<(), io::Error> {
    let value = evloop::spawn(async { fallible(true) }).await.unwrap()?;
    assert_eq!(value, 7);
    Ok(())
}

#[evloop::test]
#[should_panic(expected = "the body panicked")]
async fn test_keeps_should_panic() {
    evloop::task::yield_now().await;
    panic!("the body panicked");
}

#[evloop::test]
#[ignore = "checks that #[ignore] is kept; it would fail if it ran"]
async fn test_keeps_ignore() {
    panic!("an ignored test ran");
}

#[evloop::test(crate = "evloop")]
async fn test_accepts_crate_as_a_string() {
    assert_eq!(evloop::spawn(async { 1 }).await.unwrap(), 1);
}

#[evloop::test(crate = ::evloop)]
async fn test_accepts_crate_as_a_path() {
    assert_eq!(evloop::spawn(async { 2 }).await.unwrap(), 2);
}

/// The re-export under another name, as a user who renamed the crate would have it.
mod renamed {
    pub use evloop as my_evloop;
}

#[evloop::test(crate = "renamed::my_evloop")]
async fn test_accepts_a_renamed_crate() {
    assert_eq!(evloop::spawn(async { 3 }).await.unwrap(), 3);
}

/// The test body runs inside a runtime, so the current-runtime functions work.
#[evloop::test]
async fn test_body_runs_inside_the_runtime() {
    assert!(evloop::runtime::Handle::try_current().is_ok());
}

#[evloop::main]
async fn entry() -> u32 {
    let handles: Vec<_> = (1..=4u32)
        .map(|i| evloop::spawn(async move { i }))
        .collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.unwrap();
    }
    sum
}

#[test]
fn main_macro_returns_the_body_value() {
    assert_eq!(entry(), 10);
}

#[evloop::main]
async fn entry_that_succeeds() -> io::Result<u32> {
    let value = fallible(true)?;
    Ok(value + 1)
}

/// `?` converts the error into the declared type, as in any function.
#[evloop::main]
async fn entry_that_fails() -> Result<u32, Box<dyn std::error::Error>> {
    let value = fallible(false)?;
    Ok(value)
}

#[test]
fn main_macro_keeps_the_declared_result_type() {
    assert_eq!(entry_that_succeeds().unwrap(), 8);
    assert_eq!(entry_that_fails().unwrap_err().to_string(), "asked to fail");
}

/// `return` leaves the body, with the function's return type.
#[evloop::main]
async fn entry_that_returns_early() -> &'static str {
    let stop = evloop::spawn(async { true }).await.unwrap();
    if stop {
        return "early";
    }
    "late"
}

#[test]
fn main_macro_body_can_return_early() {
    assert_eq!(entry_that_returns_early(), "early");
}

#[evloop::test(start_paused)]
async fn test_start_paused_makes_sleeps_take_no_real_time() {
    use evloop::time::{self, Duration, Instant};

    let real_start = std::time::Instant::now();
    let start = Instant::now();
    time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    assert!(real_start.elapsed() < Duration::from_secs(60));
}

#[evloop::test(start_paused = true, crate = "evloop")]
async fn test_start_paused_true_with_crate() {
    use evloop::time::{self, Duration, Instant};

    let start = Instant::now();
    evloop::task::yield_now().await;
    assert_eq!(Instant::now(), start, "the paused clock stands still");
    time::advance(Duration::from_millis(5)).await;
    assert_eq!(start.elapsed(), Duration::from_millis(5));
}

#[evloop::test(start_paused = false)]
#[should_panic(expected = "time is not paused")]
async fn test_start_paused_false_keeps_the_real_clock() {
    evloop::time::advance(evloop::time::Duration::from_millis(1)).await;
}
