//! The guide's programs for chapters 1 to 4: each runs by itself, and prints what its
//! chapter (docs/01-04) says it prints.

use crate::support::run_to_completion;

/// Asserts that `output` contains `lines`, in this order.
#[track_caller]
fn assert_in_order(output: &str, lines: &[&str]) {
    let mut rest = output;
    for line in lines {
        let at = rest
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} missing, in order, from:\n{output}"));
        rest = &rest[at + line.len()..];
    }
}

#[test]
fn chapter_1_a_thread_per_connection() {
    let output = run_to_completion("guide_01_blocking");
    assert_in_order(
        &output,
        &[
            "the reply \"hello\" came after",
            "idle connections",
            "threads:",
        ],
    );
}

#[test]
fn chapter_2_eagain() {
    let output = run_to_completion("guide_02_nonblocking");
    assert_in_order(
        &output,
        &[
            "errno 11 (EAGAIN)",
            "got 4 bytes after",
            "asked for 4096 bytes, got 4",
            "(the next read() proves it: EAGAIN)",
            "then said EAGAIN",
            "read() returned 0",
        ],
    );
}

#[test]
fn chapter_3_epoll_returns_only_the_ready_sockets() {
    let output = run_to_completion("guide_03_epoll");
    assert_in_order(
        &output,
        &[
            "checked 10 entries to find [0, 5, 9]",
            "it returned 3 events: [0, 5, 9]",
            "checked 100 entries to find [0, 50, 99]",
            "it returned 3 events: [0, 50, 99]",
        ],
    );
}

#[test]
fn chapter_4_level_reports_twice_edge_once() {
    let output = run_to_completion("guide_04_level_vs_edge");
    assert_in_order(
        &output,
        &[
            "level-triggered, 1st epoll_wait: 1 event, EPOLLIN",
            "level-triggered, 2nd epoll_wait: 1 event, EPOLLIN",
            "edge-triggered , 1st epoll_wait: 1 event, EPOLLIN",
            "edge-triggered , 2nd epoll_wait: 0 events",
            // After a partial read, only level-triggered still reports the rest.
            "level-triggered, epoll_wait:     1 event, EPOLLIN",
            "edge-triggered , epoll_wait:     0 events",
            "read: EAGAIN",
            // Drained: neither reports anything.
            "level-triggered, epoll_wait:     0 events",
            "edge-triggered , epoll_wait:     0 events",
            // New data, a new edge.
            "level-triggered, epoll_wait:     1 event, EPOLLIN",
            "edge-triggered , epoll_wait:     1 event, EPOLLIN",
        ],
    );
}
