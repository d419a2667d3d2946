//! `evloop::io::{stdin, stdout, stderr}` in a real child process: each test re-runs
//! this binary as a child that plays its part on its own fds 0, 1 and 2, which the
//! parent holds the other ends of as pipes.
//!
//! The test harness writes its own lines on the child's stdout ("running 1 test",
//! "test name ... ") before the child's part starts, so the child first writes
//! [`MARKER`] on the stream under test, and the parent compares what follows it. A
//! child ends with `std::process::exit` (or `_exit`), so the harness writes nothing
//! after it.

#![cfg(not(miri))] // real processes and pipes

mod common;

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::process::{Child, ChildStderr, ChildStdout, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::{child_command, child_scenario, describe, reported};
use evloop::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// How long a child may take; only reached when something is broken.
const PATIENCE: Duration = Duration::from_secs(30);
/// How often the parent checks whether the child has exited.
const CHECK_EVERY: Duration = Duration::from_millis(5);
/// What the child writes on the stream under test before its part: the parent
/// compares only what comes after it.
const MARKER: &[u8] = b"\nEVLOOP-STDIO-CHILD-STARTS\n";
/// The most reads a child makes before it must have seen the end of its input.
const MAX_READS: usize = 100_000;

/// In the child: runs its part on a new runtime, then exits with status 0 before the
/// harness writes more (a panic instead fails the child, with the message on stderr).
fn play(part: impl AsyncFnOnce() -> io::Result<()>) -> ! {
    evloop::block_on(part()).unwrap();
    std::process::exit(0)
}

/// In the child: ends the process at once with status 0, as `_exit` does: no atexit
/// handlers, and no flush of std's stdout buffer. Whatever evloop has not written by
/// now is lost.
fn exit_now() -> ! {
    // SAFETY: `_exit` takes no pointers and does not return; ending the process
    // without running any destructor or handler cannot break an invariant of ours.
    unsafe { libc::_exit(0) }
}

/// In the child: writes [`MARKER`] through std's handle, before anything evloop writes.
fn mark(mut stream: impl Write) {
    stream.write_all(MARKER).unwrap();
    stream.flush().unwrap();
}

/// Starts this binary as a child playing `scenario` in test `test_name`, its stdin,
/// stdout and stderr piped to this process.
fn spawn_child(test_name: &str, scenario: &str) -> Child {
    child_command(test_name, scenario)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads `stream` to its end on a thread of its own.
fn collect(mut stream: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        bytes
    })
}

/// Waits for `child` to exit, checking every [`CHECK_EVERY`] for at most
/// [`PATIENCE`]; kills it and fails the test when that passes.
fn wait(child: &mut Child) -> ExitStatus {
    let started = Instant::now();
    let checks = PATIENCE.as_millis() / CHECK_EVERY.as_millis();
    for _ in 0..checks {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > PATIENCE {
            break;
        }
        thread::sleep(CHECK_EVERY);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("the child did not exit within {PATIENCE:?}");
}

/// Runs the child for `scenario` with `input` on its stdin (closed after it) and
/// returns its output once it has exited.
#[track_caller]
fn run(test_name: &str, scenario: &str, input: Vec<u8>) -> Output {
    let mut child = spawn_child(test_name, scenario);
    let mut stdin = child.stdin.take().unwrap();
    let writer = thread::spawn(move || stdin.write_all(&input));
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = collect(child.stderr.take().unwrap());
    let status = wait(&mut child);
    let output = Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    if let Err(error) = writer.join().unwrap() {
        panic!("writing the child's stdin: {error}\n{}", describe(&output));
    }
    output
}

/// [`run`] for a child that must succeed.
#[track_caller]
fn run_ok(test_name: &str, scenario: &str, input: Vec<u8>) -> Output {
    let output = run(test_name, scenario, input);
    assert!(output.status.success(), "{}", describe(&output));
    output
}

/// What the child wrote on `stream` after [`MARKER`].
#[track_caller]
fn after_marker<'a>(stream: &'a [u8], output: &Output) -> &'a [u8] {
    let start = stream
        .windows(MARKER.len())
        .position(|window| window == MARKER)
        .unwrap_or_else(|| panic!("no marker in the child's output:\n{}", describe(output)));
    &stream[start + MARKER.len()..]
}

/// Reads `stream` on a thread until [`MARKER`] has come, then hands the stream back.
/// Kills `child` and fails the test if the marker does not come within [`PATIENCE`].
fn wait_for_marker<R: Read + Send + 'static>(stream: R, child: &mut Child) -> R {
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let mut stream = stream;
        let mut seen = Vec::new();
        let mut chunk = [0; 4096];
        while !seen.windows(MARKER.len()).any(|window| window == MARKER) {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
            }
        }
        let _ = done.send(stream);
    });
    match result.recv_timeout(PATIENCE) {
        Ok(stream) => stream,
        Err(_) => {
            child.kill().unwrap();
            let status = child.wait().unwrap();
            panic!("the child did not write its marker within {PATIENCE:?} ({status})");
        }
    }
}

/// Whether `fd` of this process has `O_NONBLOCK`, from the octal `flags:` line of
/// /proc/self/fdinfo/FD (no `fcntl`, so no unsafe).
fn is_nonblocking(fd: RawFd) -> bool {
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).unwrap();
    let flags = info
        .lines()
        .find_map(|line| line.strip_prefix("flags:"))
        .unwrap_or_else(|| panic!("no flags in fdinfo of fd {fd}:\n{info}"));
    let flags = i32::from_str_radix(flags.trim(), 8).unwrap();
    flags & libc::O_NONBLOCK != 0
}

/// `len` bytes that differ from their neighbours, so a lost or repeated chunk shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Writes lines "0\n" to "{count - 1}\n" to `out`, one `write_all` each, then "end"
/// with no newline (which std's line-buffered stdout holds until a flush); flushes,
/// drops `out` and exits at once.
async fn write_numbered_lines_and_exit(mut out: impl AsyncWrite + Unpin, count: usize) -> ! {
    for i in 0..count {
        out.write_all(format!("{i}\n").as_bytes()).await.unwrap();
    }
    out.write_all(b"end").await.unwrap();
    out.flush().await.unwrap();
    drop(out);
    exit_now()
}

/// The bytes [`write_numbered_lines_and_exit`] writes.
fn numbered_lines(count: usize) -> Vec<u8> {
    let mut lines: Vec<u8> = (0..count)
        .flat_map(|i| format!("{i}\n").into_bytes())
        .collect();
    lines.extend_from_slice(b"end");
    lines
}

#[test]
fn a_mebibyte_goes_through_stdin_and_stdout_unchanged() {
    if child_scenario().as_deref() == Some("echo") {
        mark(io::stdout());
        play(async || {
            let (mut stdin, mut stdout) = (evloop::io::stdin(), evloop::io::stdout());
            evloop::io::copy(&mut stdin, &mut stdout).await?;
            stdout.flush().await
        });
    }
    let input = pattern(1024 * 1024);
    let output = run_ok(
        "a_mebibyte_goes_through_stdin_and_stdout_unchanged",
        "echo",
        input.clone(),
    );
    let echoed = after_marker(&output.stdout, &output);
    assert_eq!(echoed.len(), input.len());
    assert!(echoed == input, "the bytes differ");
}

#[test]
fn small_writes_keep_their_order_and_survive_an_exit_right_after_flush() {
    const LINES: usize = 5_000;
    if child_scenario().as_deref() == Some("stdout") {
        mark(io::stdout());
        play(async || write_numbered_lines_and_exit(evloop::io::stdout(), LINES).await);
    }
    let output = run_ok(
        "small_writes_keep_their_order_and_survive_an_exit_right_after_flush",
        "stdout",
        Vec::new(),
    );
    let written = after_marker(&output.stdout, &output);
    assert!(written == numbered_lines(LINES), "{}", describe(&output));
}

#[test]
fn stderr_writes_arrive_in_order() {
    const LINES: usize = 1_000;
    if child_scenario().as_deref() == Some("stderr") {
        mark(io::stderr());
        play(async || write_numbered_lines_and_exit(evloop::io::stderr(), LINES).await);
    }
    let output = run_ok("stderr_writes_arrive_in_order", "stderr", Vec::new());
    let written = after_marker(&output.stderr, &output);
    assert!(written == numbered_lines(LINES), "{}", describe(&output));
}

#[test]
fn closing_stdin_is_the_end_of_input() {
    if child_scenario().as_deref() == Some("eof") {
        play(async || {
            let mut stdin = evloop::io::stdin();
            let mut buf = [0; 7];
            let mut total = 0;
            for _ in 0..MAX_READS {
                match stdin.read(&mut buf).await? {
                    0 => {
                        // Still the end when asked again.
                        assert_eq!(stdin.read(&mut buf).await?, 0);
                        println!("RESULT bytes={total}");
                        return Ok(());
                    }
                    n => total += n,
                }
            }
            panic!("no end of input after {MAX_READS} reads");
        });
    }
    let input = b"a few bytes, then the end".to_vec();
    let output = run_ok("closing_stdin_is_the_end_of_input", "eof", input.clone());
    assert_eq!(reported(&output, "bytes"), input.len() as u64);
    // And with no bytes at all.
    let output = run_ok("closing_stdin_is_the_end_of_input", "eof", Vec::new());
    assert_eq!(reported(&output, "bytes"), 0);
}

#[test]
fn a_read_dropped_while_its_job_waits_loses_no_bytes() {
    if child_scenario().as_deref() == Some("dropped-read") {
        play(async || {
            let mut stdin = evloop::io::stdin();
            let mut buf = [0; 64];
            let mut read = stdin.read(&mut buf);
            // The parent writes nothing before the marker: the job must wait.
            assert!(futures::poll!(&mut read).is_pending());
            drop(read);
            mark(io::stderr());
            let mut got = Vec::new();
            stdin.read_to_end(&mut got).await?;
            assert_eq!(got, b"bytes sent after the read was dropped");
            Ok(())
        });
    }
    let mut child = spawn_child(
        "a_read_dropped_while_its_job_waits_loses_no_bytes",
        "dropped-read",
    );
    let stdout = collect(child.stdout.take().unwrap());
    let stderr: ChildStderr = wait_for_marker(child.stderr.take().unwrap(), &mut child);
    let stderr = collect(stderr);
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"bytes sent after the read was dropped")
        .unwrap();
    drop(stdin);
    let status = wait(&mut child);
    let output = Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    assert!(output.status.success(), "{}", describe(&output));
}

#[test]
fn writing_to_a_closed_stdout_is_a_broken_pipe_error() {
    if child_scenario().as_deref() == Some("broken-pipe") {
        mark(io::stdout());
        play(async || {
            // The parent closes stdin once it has closed our stdout's reading end.
            let mut stdin = evloop::io::stdin();
            let mut rest = Vec::new();
            stdin.read_to_end(&mut rest).await?;
            let mut stdout = evloop::io::stdout();
            let chunk = [b'x'; 4096];
            // Bounded: 4 MiB is more than a pipe holds, so writes that never fail
            // end in this panic, or block until the parent's timeout kills us.
            for _ in 0..1024 {
                let written = async {
                    stdout.write_all(&chunk).await?;
                    stdout.flush().await
                };
                if let Err(error) = written.await {
                    assert_eq!(error.kind(), io::ErrorKind::BrokenPipe, "{error}");
                    eprintln!("RESULT broken_pipe=1");
                    return Ok(());
                }
            }
            panic!("4 MiB written to a closed pipe without an error");
        });
    }
    let mut child = spawn_child(
        "writing_to_a_closed_stdout_is_a_broken_pipe_error",
        "broken-pipe",
    );
    let stderr = collect(child.stderr.take().unwrap());
    let stdout: ChildStdout = wait_for_marker(child.stdout.take().unwrap(), &mut child);
    drop(stdout);
    drop(child.stdin.take());
    let status = wait(&mut child);
    let stderr = stderr.join().unwrap();
    let output = Output {
        status,
        stdout: Vec::new(),
        stderr,
    };
    assert!(output.status.success(), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("RESULT broken_pipe=1"),
        "{}",
        describe(&output)
    );
}

#[test]
fn stdin_stdout_and_stderr_stay_blocking() {
    if child_scenario().as_deref() == Some("flags") {
        play(async || {
            let mut got = Vec::new();
            evloop::io::stdin().read_to_end(&mut got).await?;
            let mut stdout = evloop::io::stdout();
            stdout.write_all(&got).await?;
            stdout.flush().await?;
            let mut stderr = evloop::io::stderr();
            stderr.write_all(&got).await?;
            stderr.flush().await?;
            for fd in 0..=2 {
                assert!(!is_nonblocking(fd), "fd {fd} is O_NONBLOCK");
            }
            Ok(())
        });
    }
    // The check itself sees the flag where it is set.
    let (socket, _peer) = std::os::unix::net::UnixStream::pair().unwrap();
    assert!(!is_nonblocking(socket.as_raw_fd()));
    socket.set_nonblocking(true).unwrap();
    assert!(is_nonblocking(socket.as_raw_fd()));

    run_ok(
        "stdin_stdout_and_stderr_stay_blocking",
        "flags",
        b"some input\n".to_vec(),
    );
}
