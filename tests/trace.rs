//! The loop trace prints what each tick did, in order, and nothing when off. Each
//! scenario runs in a child process (this test binary again, with `EVLOOP_CHILD`
//! naming the scenario) so that its stderr can be read.

use std::os::fd::AsRawFd;
use std::time::Duration;

use evloop::Runtime;
use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};

mod common;

use common::{child_scenario, successful_child_stderr};

/// How long a child scenario may take; only reached when something is broken.
const CHILD_LIMIT: Duration = Duration::from_secs(60);

/// Runs `test_name` in a child playing `scenario` with `EVLOOP_TRACE` set to
/// `trace` (or unset), and returns its stderr.
#[track_caller]
fn run_traced_child(test_name: &str, scenario: &str, trace: Option<&str>) -> String {
    successful_child_stderr(test_name, scenario, &[("EVLOOP_TRACE", trace)], CHILD_LIMIT)
}

/// Spawns a reader (task 1) and a sleeper (task 2) on a paused clock, lets both
/// wait, then sends the reader four bytes over a loopback connection. Prints the
/// reading socket's fd as `scenario: fd N` for the parent to look for.
fn scripted_scenario(runtime: &Runtime) {
    runtime.block_on(async {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        eprintln!("scenario: fd {}", server.as_raw_fd());
        let reader = evloop::spawn(async move {
            let mut buf = [0; 4];
            server.read_exact(&mut buf).await.unwrap();
        });
        let sleeper = evloop::spawn(evloop::time::sleep(Duration::from_millis(5)));
        // Both tasks run, and wait, before the bytes are sent.
        evloop::task::yield_now().await;
        eprintln!("scenario: sending");
        client.write_all(b"ping").await.unwrap();
        reader.await.unwrap();
        sleeper.await.unwrap();
    });
}

fn trace_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.starts_with("evloop: tick "))
        .collect()
}

/// Whether `line` contains the pieces of `pattern` between its `*`s, in order.
fn matches(line: &str, pattern: &str) -> bool {
    let mut rest = line;
    pattern.split('*').all(|piece| match rest.find(piece) {
        Some(at) => {
            rest = &rest[at + piece.len()..];
            true
        }
        None => false,
    })
}

/// Asserts that `lines` contain a line matching each of `expected`, in that order
/// (one line each; see [`matches`]).
#[track_caller]
fn assert_in_order(lines: &[&str], expected: &[&str]) {
    let mut rest = lines.iter();
    for want in expected {
        assert!(
            rest.any(|line| matches(line, want)),
            "no line containing {want:?} after the previous ones in:\n{}",
            lines.join("\n")
        );
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn trace_shows_spawn_socket_event_and_timer_in_order() {
    if child_scenario().as_deref() == Some("scripted") {
        let runtime = Runtime::builder()
            .trace(true)
            .start_paused(true)
            .build()
            .unwrap();
        scripted_scenario(&runtime);
        return;
    }
    let stderr = run_traced_child(
        "trace_shows_spawn_socket_event_and_timer_in_order",
        "scripted",
        None,
    );
    let fd = stderr
        .lines()
        .find_map(|line| line.strip_prefix("scenario: fd "))
        .expect("the child prints the reader's fd");
    let sending = stderr.find("scenario: sending").unwrap();
    let lines = trace_lines(&stderr[sending..]);
    let readable = format!("epoll: fd {fd} readable*(1 waker) -> queued tasks 1");
    assert_in_order(
        &trace_lines(&stderr),
        &[
            "tick 1: polled tasks none (root woken: yes)",
            "spawned tasks 1 2",
            "polled tasks 1 2 (root woken: yes)",
        ],
    );
    assert_in_order(
        &lines,
        &[
            &readable,
            "polled tasks 1 (root woken: no)",
            "clock paused: jumps 5.0ms to the next timer",
            "timers fired 1 -> queued tasks 2",
            "polled tasks 2 (root woken: no)",
            "polled the root future: ready, block_on returns",
        ],
    );
    let last = lines.last().unwrap();
    assert!(last.ends_with("block_on returns"), "{last}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn trace_shows_a_park_and_a_cross_thread_wake() {
    if child_scenario().as_deref() == Some("park") {
        let runtime = Runtime::builder().trace(true).build().unwrap();
        runtime.block_on(async {
            evloop::spawn(common::woken_once_parked()).await.unwrap();
        });
        return;
    }
    let stderr = run_traced_child("trace_shows_a_park_and_a_cross_thread_wake", "park", None);
    assert_in_order(
        &trace_lines(&stderr),
        &[
            "tick 1: spawned tasks 1",
            "tick 1: polled tasks 1 (root woken: yes)",
            "tick 1: park: epoll_wait(forever: nothing runnable, no timer)",
            "tick 1: epoll: eventfd (a wake from another thread)",
            "tick 2: injected tasks 1",
            "tick 2: polled tasks 1 (root woken: no)",
            "polled the root future: ready, block_on returns",
        ],
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn environment_variable_turns_the_trace_on() {
    if child_scenario().as_deref() == Some("env") {
        Runtime::new().unwrap().block_on(async {});
        return;
    }
    let stderr = run_traced_child("environment_variable_turns_the_trace_on", "env", Some("1"));
    assert_eq!(
        trace_lines(&stderr),
        ["evloop: tick 1: polled the root future: ready, block_on returns"]
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn trace_is_silent_when_off() {
    if child_scenario().as_deref() == Some("off") {
        scripted_scenario(&Runtime::builder().start_paused(true).build().unwrap());
        // An explicit builder call wins over the environment variable.
        let off = Runtime::builder()
            .trace(false)
            .start_paused(true)
            .build()
            .unwrap();
        scripted_scenario(&off);
        return;
    }
    let stderr = run_traced_child("trace_is_silent_when_off", "off", None);
    assert!(trace_lines(&stderr).is_empty(), "stderr:\n{stderr}");
    let stderr = run_traced_child("trace_is_silent_when_off", "off", Some("0"));
    assert!(trace_lines(&stderr).is_empty(), "stderr:\n{stderr}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn a_malformed_environment_variable_is_an_error() {
    if child_scenario().as_deref() == Some("malformed") {
        let error = Runtime::new().unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        assert!(error.to_string().contains("EVLOOP_TRACE"), "{error}");
        Runtime::builder().trace(true).build().unwrap();
        return;
    }
    run_traced_child(
        "a_malformed_environment_variable_is_an_error",
        "malformed",
        Some("yes"),
    );
}
