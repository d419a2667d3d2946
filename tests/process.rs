//! Child processes through evloop's pipes and pidfds: real programs (`cat`, `sh`,
//! `sleep`), real exits, and no zombie or fd left behind.
//!
//! Every test is `isolated`: one at a time, each checking that it closed every fd it
//! opened (pipes, pidfds, the runtime's own).

#![cfg(not(miri))]

mod common;

use std::io::{self, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::process::Command;
use evloop::time::timeout;

use common::isolated;

/// Long enough for a loaded machine; a lost wake-up shows up as this timeout.
const LIMIT: Duration = Duration::from_secs(20);

const MIB: usize = 1024 * 1024;

/// The state letter of process `pid` (`Z` for a zombie) if it is our child, `None`
/// once it is reaped (or the number now belongs to someone else's process).
fn state_of_our_child(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid ...`: comm may hold spaces, so start after its `)`.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    let parent: u32 = fields.next()?.parse().ok()?;
    (parent == std::process::id()).then_some(state)
}

/// Waits, between turns of the loop, until `pid` is reaped; fails after `LIMIT`.
async fn until_reaped(pid: u32) {
    let deadline = Instant::now() + LIMIT;
    while let Some(state) = state_of_our_child(pid) {
        assert!(
            Instant::now() < deadline,
            "child {pid} was never reaped (state {state})"
        );
        evloop::time::sleep(Duration::from_millis(1)).await;
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[test]
fn a_mebibyte_echoes_through_cat_unchanged() {
    isolated(LIMIT, || {
        evloop::block_on(async {
            let mut child = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()?;
            let mut stdin = child.stdin.take().unwrap();
            let sent = pattern(MIB);
            let expected = sent.clone();
            let writer = evloop::spawn(async move {
                stdin.write_all(&sent).await?;
                stdin.close().await
            });
            let mut echoed = Vec::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_end(&mut echoed)
                .await?;
            writer.await.unwrap()?;
            assert!(echoed == expected, "cat's output differs from its input");
            assert!(child.wait().await?.success());
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn an_exit_code_and_the_environment_and_directory_reach_the_parent() {
    isolated(LIMIT, || {
        evloop::block_on(async {
            let status = Command::new("sh").args(["-c", "exit 3"]).status().await?;
            assert_eq!(status.code(), Some(3));

            let mut std = std::process::Command::new("sh");
            std.args(["-c", "echo \"$GREETING\"; pwd; echo \"${HOME-unset}\""]);
            let output = Command::from(std)
                .env_clear()
                .env("GREETING", "hi")
                .current_dir("/")
                .output()
                .await?;
            assert!(output.status.success());
            assert_eq!(output.stdout, b"hi\n/\nunset\n");
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn a_killed_child_reports_sigkill_and_is_reaped() {
    isolated(LIMIT, || {
        evloop::block_on(async {
            let mut child = Command::new("sleep").arg("60").spawn()?;
            let pid = child.id().unwrap();
            assert_eq!(child.try_wait()?, None);
            child.kill().await?;
            let status = child.wait().await?;
            assert_eq!(status.signal(), Some(libc::SIGKILL));
            assert_eq!(child.id(), None, "no pid once reaped: it may be reused");
            assert_eq!(state_of_our_child(pid), None);
            // Killing a reaped child is not an error: there is nothing to do.
            child.start_kill()?;
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn output_reads_stdout_and_stderr_at_once_so_a_full_pipe_cannot_deadlock() {
    // Either pipe read to its end first would deadlock: the child fills stdout, then
    // stderr, then writes to stdout again.
    let script = "head -c 1048576 /dev/zero | tr '\\0' o; \
                  head -c 1048576 /dev/zero | tr '\\0' e >&2; \
                  echo end";
    let output = isolated(LIMIT, move || {
        evloop::block_on(Command::new("sh").args(["-c", script]).output())
    })
    .unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout.len(), MIB + 4);
    assert!(output.stdout[..MIB].iter().all(|&b| b == b'o'));
    assert_eq!(&output.stdout[MIB..], b"end\n");
    assert_eq!(output.stderr, vec![b'e'; MIB]);
}

#[test]
fn two_hundred_children_at_once_leave_no_fd_and_no_zombie() {
    let pids = isolated(LIMIT, || {
        evloop::block_on(async {
            let tasks: Vec<_> = (0..200)
                .map(|i| {
                    evloop::spawn(async move {
                        let mut child = Command::new("sh")
                            .args(["-c", &format!("echo {i}; exit {}", i % 7)])
                            .stdout(Stdio::piped())
                            .spawn()?;
                        let pid = child.id().unwrap();
                        let mut printed = String::new();
                        child
                            .stdout
                            .take()
                            .unwrap()
                            .read_to_string(&mut printed)
                            .await?;
                        let status = child.wait().await?;
                        assert_eq!(printed, format!("{i}\n"));
                        assert_eq!(status.code(), Some(i % 7));
                        io::Result::Ok(pid)
                    })
                })
                .collect();
            let mut pids = Vec::new();
            for task in tasks {
                pids.push(task.await.unwrap()?);
            }
            io::Result::Ok(pids)
        })
    })
    .unwrap();
    for pid in pids {
        assert_eq!(state_of_our_child(pid), None, "child {pid} is a zombie");
    }
}

#[test]
fn wait_closes_stdin_so_a_child_reading_to_its_end_finishes() {
    isolated(LIMIT, || {
        evloop::block_on(async {
            let mut child = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()?;
            assert!(child.stdin.is_some());
            assert!(child.wait().await?.success());
            assert!(child.stdin.is_none());
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn try_wait_says_running_then_gives_the_status_after_the_exit() {
    isolated(LIMIT, || {
        evloop::block_on(async {
            let mut child = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()?;
            assert_eq!(child.try_wait()?, None);
            drop(child.stdin.take());
            // The end of cat's stdout comes as it exits; the status follows at once.
            let mut rest = Vec::new();
            child.stdout.take().unwrap().read_to_end(&mut rest).await?;
            let deadline = Instant::now() + LIMIT;
            let status = loop {
                if let Some(status) = child.try_wait()? {
                    break status;
                }
                assert!(Instant::now() < deadline, "cat never exited");
                evloop::task::yield_now().await;
            };
            assert!(status.success());
            assert_eq!(child.try_wait()?, Some(status), "the status is kept");
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn a_dropped_child_is_killed_with_kill_on_drop_and_reaped() {
    isolated(LIMIT, || {
        evloop::block_on(async {
            let mut child = Command::new("sleep")
                .arg("60")
                .stdout(Stdio::piped())
                .kill_on_drop(true)
                .spawn()?;
            let pid = child.id().unwrap();
            let mut stdout = child.stdout.take().unwrap();
            drop(child);
            // The pipe's end of file: the child died, since `sleep 60` writes nothing.
            let mut nothing = Vec::new();
            timeout(LIMIT, stdout.read_to_end(&mut nothing))
                .await
                .expect("kill_on_drop killed the child")?;
            until_reaped(pid).await;
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn a_dropped_child_runs_on_and_is_reaped_once_it_exits() {
    isolated(LIMIT, || {
        evloop::block_on(async {
            let mut child = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()?;
            let pid = child.id().unwrap();
            let mut stdin = child.stdin.take().unwrap();
            let mut stdout = child.stdout.take().unwrap();
            drop(child);
            // Still alive, and still talking.
            stdin.write_all(b"alive\n").await?;
            let mut line = [0; 6];
            stdout.read_exact(&mut line).await?;
            assert_eq!(&line, b"alive\n");
            drop(stdin);
            until_reaped(pid).await;
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn a_program_that_does_not_exist_is_not_found() {
    isolated(LIMIT, || {
        evloop::block_on(async {
            let error = Command::new("/nonexistent/evloop-no-such-program")
                .spawn()
                .unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::NotFound);
            let error = Command::new("evloop-no-such-program-in-path")
                .output()
                .await
                .unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::NotFound);
        })
    });
}

#[test]
fn spawning_outside_a_runtime_is_an_error_and_starts_nothing() {
    let marker = std::env::temp_dir().join(format!("evloop-spawned-{}", std::process::id()));
    let error = Command::new("touch").arg(&marker).spawn().unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::Other);
    assert!(error.to_string().contains("runtime"), "{error}");
    assert!(!marker.exists(), "no process may have been started");
}

#[test]
fn children_left_running_by_a_dropped_runtime_are_reaped_by_a_thread() {
    isolated(LIMIT, || {
        // The child's stdin is a pipe this test holds, so it exits only when told to.
        let (input, mut feed) = std::io::pipe().unwrap();
        let pid = evloop::block_on(async move {
            let mut child = Command::new("cat")
                .stdin(Stdio::from(input))
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            let pid = child.id().unwrap();
            // A task still waiting for the child when the runtime is dropped.
            drop(evloop::spawn(async move { child.wait().await }));
            evloop::task::yield_now().await;
            pid
        });
        let state = state_of_our_child(pid);
        assert!(
            state.is_some_and(|s| s != 'Z'),
            "cat waits for input ({state:?})"
        );
        feed.write_all(b"bye\n").unwrap();
        drop(feed);
        let deadline = Instant::now() + LIMIT;
        while let Some(state) = state_of_our_child(pid) {
            assert!(Instant::now() < deadline, "never reaped (state {state})");
            std::thread::yield_now();
        }
    });
}
