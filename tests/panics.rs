//! A panicking task is contained: its handle reports it and everything else goes on.

use std::time::Duration;

mod common;

use common::{child_scenario, successful_child_stderr};

use evloop::task;

#[test]
fn panicking_task_yields_a_panic_error_while_others_continue() {
    evloop::block_on(async {
        let steady = evloop::spawn(async {
            let mut steps = 0;
            for _ in 0..10 {
                task::yield_now().await;
                steps += 1;
            }
            steps
        });
        let doomed = evloop::spawn(async {
            task::yield_now().await;
            panic!("task exploded");
        });
        let error = doomed.await.unwrap_err();
        assert!(error.is_panic());
        assert!(error.to_string().contains("task exploded"), "{error}");
        let payload = error.into_panic();
        assert_eq!(*payload.downcast::<&str>().unwrap(), "task exploded");
        assert_eq!(steady.await.unwrap(), 10);
        // The runtime keeps spawning after a panic.
        assert_eq!(evloop::spawn(async { 1 }).await.unwrap(), 1);
    });
}

#[test]
fn cancelled_error_is_not_a_panic() {
    evloop::block_on(async {
        let handle = evloop::spawn(std::future::pending::<()>());
        handle.abort();
        let error = handle.await.unwrap_err();
        let error = error.try_into_panic().unwrap_err();
        assert!(error.is_cancelled());
        let io: std::io::Error = error.into();
        assert!(io.to_string().contains("cancelled"));
    });
}

/// Runs `test_name` in a child process playing `scenario`; returns its stderr.
fn run_child(test_name: &str, scenario: &str) -> String {
    successful_child_stderr(test_name, scenario, &[], Duration::from_secs(60))
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn detached_task_panic_is_reported_once_on_stderr() {
    if child_scenario().as_deref() == Some("detached") {
        evloop::block_on(async {
            drop(evloop::spawn(async {
                task::yield_now().await;
                panic!("nobody is listening");
            }));
            for _ in 0..10 {
                task::yield_now().await;
            }
        });
        return;
    }
    let stderr = run_child("detached_task_panic_is_reported_once_on_stderr", "detached");
    let reports: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("evloop:"))
        .collect();
    assert_eq!(reports.len(), 1, "stderr was:\n{stderr}");
    assert!(reports[0].contains("nobody is listening"), "{}", reports[0]);
    assert!(reports[0].contains("no JoinHandle"), "{}", reports[0]);
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn awaited_task_panic_adds_no_evloop_report() {
    if child_scenario().as_deref() == Some("awaited") {
        evloop::block_on(async {
            let error = evloop::spawn(async { panic!("seen by the handle") })
                .await
                .unwrap_err();
            assert!(error.is_panic());
        });
        return;
    }
    let stderr = run_child("awaited_task_panic_adds_no_evloop_report", "awaited");
    assert!(!stderr.contains("evloop:"), "stderr was:\n{stderr}");
    assert!(
        stderr.contains("seen by the handle"),
        "the panic hook still prints"
    );
}

#[test]
fn panicking_destructor_of_an_aborted_task_does_not_take_the_runtime_down() {
    struct Grenade;
    impl Drop for Grenade {
        fn drop(&mut self) {
            panic!("destructor exploded");
        }
    }
    evloop::block_on(async {
        let handle = evloop::spawn(async {
            let _grenade = Grenade;
            std::future::pending::<()>().await;
        });
        task::yield_now().await;
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
        assert_eq!(evloop::spawn(async { 2 }).await.unwrap(), 2);
    });
}

#[test]
fn panic_in_block_on_future_passes_through() {
    let result = std::panic::catch_unwind(|| evloop::block_on(async { panic!("root panic") }));
    assert!(result.is_err());
    // The thread is usable afterwards: the context was cleaned up.
    assert_eq!(evloop::block_on(async { 4 }), 4);
}
