//! The slow-poll detector reports long polls on stderr, naming the task and its spawn
//! site, and stays silent for fast ones. Each scenario runs in a child process so its
//! stderr can be read.

use std::time::Duration;

mod common;

use common::{child_scenario, successful_child_stderr};

use evloop::Runtime;

/// Runs `test_name` in a child process playing `scenario`, with `env` set (and
/// `EVLOOP_SLOW_POLL_MS` removed unless `env` sets it); returns its stderr.
fn run_child(test_name: &str, scenario: &str, env: &[(&str, &str)]) -> String {
    let mut vars: Vec<(&str, Option<&str>)> = vec![("EVLOOP_SLOW_POLL_MS", None)];
    vars.extend(env.iter().map(|&(name, value)| (name, Some(value))));
    successful_child_stderr(test_name, scenario, &vars, Duration::from_secs(60))
}

/// One slow task (it blocks the thread for 60 ms, the mistake being detected) among
/// a hundred fast ones; the slow one is task 101.
fn slow_and_fast_tasks(runtime: &Runtime) {
    runtime.block_on(async {
        let mut handles = Vec::new();
        for _ in 0..100 {
            handles.push(evloop::spawn(async {}));
        }
        handles.push(evloop::spawn(async {
            std::thread::sleep(Duration::from_millis(60))
        }));
        for handle in handles {
            handle.await.unwrap();
        }
    })
}

fn slow_poll_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("evloop: slow poll"))
        .collect()
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn builder_threshold_reports_the_slow_task_with_its_spawn_site() {
    if child_scenario().as_deref() == Some("builder") {
        let runtime = Runtime::builder()
            .slow_poll_threshold(Some(Duration::from_millis(20)))
            .build()
            .unwrap();
        slow_and_fast_tasks(&runtime);
        return;
    }
    let stderr = run_child(
        "builder_threshold_reports_the_slow_task_with_its_spawn_site",
        "builder",
        &[],
    );
    let lines = slow_poll_lines(&stderr);
    assert_eq!(lines.len(), 1, "stderr:\n{stderr}");
    assert!(lines[0].contains("task 101"), "{}", lines[0]);
    assert!(lines[0].contains("tests/slow_poll.rs:"), "{}", lines[0]);
    assert!(lines[0].contains("threshold 20 ms"), "{}", lines[0]);
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn environment_variable_turns_the_detector_on() {
    if child_scenario().as_deref() == Some("env") {
        slow_and_fast_tasks(&Runtime::new().unwrap());
        return;
    }
    let stderr = run_child(
        "environment_variable_turns_the_detector_on",
        "env",
        &[("EVLOOP_SLOW_POLL_MS", "20")],
    );
    assert_eq!(slow_poll_lines(&stderr).len(), 1, "stderr:\n{stderr}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn detector_is_off_by_default_and_silent_for_fast_polls() {
    if child_scenario().as_deref() == Some("off") {
        slow_and_fast_tasks(&Runtime::new().unwrap());
        let fast = Runtime::builder()
            .slow_poll_threshold(Some(Duration::from_secs(5)))
            .build()
            .unwrap();
        slow_and_fast_tasks(&fast);
        return;
    }
    let stderr = run_child(
        "detector_is_off_by_default_and_silent_for_fast_polls",
        "off",
        &[],
    );
    assert!(slow_poll_lines(&stderr).is_empty(), "stderr:\n{stderr}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn a_malformed_environment_variable_is_an_error() {
    if child_scenario().as_deref() == Some("malformed") {
        let error = Runtime::new().unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        assert!(error.to_string().contains("EVLOOP_SLOW_POLL_MS"), "{error}");
        // An explicit builder setting does not read the variable at all.
        Runtime::builder()
            .slow_poll_threshold(None)
            .build()
            .unwrap();
        return;
    }
    run_child(
        "a_malformed_environment_variable_is_an_error",
        "malformed",
        &[("EVLOOP_SLOW_POLL_MS", "ten")],
    );
}
