//! Helpers shared by the integration tests: bounded waits, fd counting, child
//! processes, thread CPU time, a seeded random generator, a wake from another
//! thread into a parked loop, and futures polled by hand ([`probe`]).

#![allow(
    dead_code,
    reason = "each test binary compiles this module and uses a different subset"
)]

pub mod probe;

use std::future::{Future, poll_fn};
use std::os::fd::RawFd;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::task::{Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// Runs `f` on its own thread and fails the test if it takes longer than `limit`: a
/// lost wake-up or a starved task shows up as a failure, not as a hung test run.
pub fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    let runner = thread::spawn(move || done.send(f()).unwrap());
    match result.recv_timeout(limit) {
        Ok(value) => {
            runner.join().unwrap();
            value
        }
        // The thread panicked: re-raise its panic, with its message.
        Err(mpsc::RecvTimeoutError::Disconnected) => match runner.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the runner sends before it returns"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {limit:?}"),
    }
}

/// Serialises the tests of one binary that call [`isolated`]: they count this
/// process's fds, which a test running beside them would disturb.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `f` [`within`] `limit`, alone among this binary's isolated tests, and asserts
/// that the process has exactly as many open fds afterwards as before: every socket,
/// epoll instance and eventfd the scenario opened was closed.
pub fn isolated<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    // A failed test poisons the lock; the next one may still run.
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let before = open_fds();
    let value = within(limit, f);
    let after = open_fds();
    assert_eq!(
        before, after,
        "the scenario leaked file descriptors (before / after)"
    );
    value
}

/// The fds open in this process, from /proc/self/fd, without the one used to list them.
pub fn open_fds() -> Vec<RawFd> {
    let listed: Vec<RawFd> = std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd is readable")
        .map(|entry| {
            let name = entry.unwrap().file_name();
            name.to_str().unwrap().parse().unwrap()
        })
        .collect();
    // The directory's own fd is closed by now: keep the fds that are still open.
    listed.into_iter().filter(|&fd| is_open(fd)).collect()
}

fn is_open(fd: RawFd) -> bool {
    // SAFETY: F_GETFD only reads the descriptor's flags; a closed fd gives EBADF.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit, for tests with many sockets.
pub fn raise_fd_limit() -> libc::rlim_t {
    let mut limit = fd_limit();
    limit.rlim_cur = limit.rlim_max;
    set_fd_limit(limit);
    limit.rlim_cur
}

/// The soft and hard `RLIMIT_NOFILE`.
pub fn fd_limit() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid out-pointer for one rlimit struct.
    let result = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(result, 0, "getrlimit: {}", std::io::Error::last_os_error());
    limit
}

/// Sets `RLIMIT_NOFILE` for the whole process.
pub fn set_fd_limit(limit: libc::rlimit) {
    // SAFETY: `limit` is a valid rlimit struct the kernel only reads.
    let result = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(result, 0, "setrlimit: {}", std::io::Error::last_os_error());
}

/// The calling thread's kernel id (0 under Miri, which cannot read /proc anyway).
pub fn thread_id() -> libc::pid_t {
    if cfg!(miri) {
        return 0;
    }
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}

/// Waits (bounded) until thread `tid` is parked in epoll. Miri cannot read /proc, so
/// there the wake races the park instead, which is worth testing too.
pub fn wait_until_parked(tid: libc::pid_t) {
    if cfg!(miri) {
        return;
    }
    wait_until(
        Duration::from_secs(10),
        "the loop parks in epoll_wait",
        || is_in_epoll_wait(tid),
    );
}

/// Whether thread `tid` of this process is blocked in an epoll wait right now, read
/// from /proc (the first field of `syscall` is the number of the call it sits in).
pub fn is_in_epoll_wait(tid: libc::pid_t) -> bool {
    let Ok(text) = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")) else {
        return false;
    };
    let number: i64 = text
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(-1);
    [
        libc::SYS_epoll_wait,
        libc::SYS_epoll_pwait,
        libc::SYS_epoll_pwait2,
    ]
    .contains(&number)
}

/// Waits (bounded) until `condition` holds, checking it between `yield_now`s; fails
/// the test with `what` once `limit` has passed.
#[track_caller]
pub fn wait_until(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        thread::yield_now();
    }
}

/// A future that completes once another thread has woken it, and that thread wakes
/// it only after the thread that first polled it is parked in `epoll_wait`: a
/// cross-thread wake into a parked loop, every time.
pub fn woken_once_parked() -> impl Future<Output = ()> {
    let woken = Arc::new(AtomicBool::new(false));
    let mut waker_thread: Option<thread::JoinHandle<()>> = None;
    poll_fn(move |cx| {
        if woken.load(Ordering::Acquire) {
            if let Some(handle) = waker_thread.take() {
                handle.join().unwrap();
            }
            return Poll::Ready(());
        }
        if waker_thread.is_none() {
            let (loop_tid, waker, woken) = (thread_id(), cx.waker().clone(), woken.clone());
            waker_thread = Some(thread::spawn(move || {
                wait_until_parked(loop_tid);
                woken.store(true, Ordering::Release);
                waker.wake();
            }));
        }
        Poll::Pending
    })
}

/// The CPU time (user + system) the calling thread has used.
pub fn thread_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: `usage` is a valid out-pointer for one rusage struct.
    let result = unsafe { libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()) };
    assert_eq!(result, 0);
    // SAFETY: getrusage succeeded, so it filled the struct.
    let usage = unsafe { usage.assume_init() };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

/// The environment variable that tells a re-run test binary which scenario to play.
const CHILD_ENV: &str = "EVLOOP_CHILD";

/// The scenario this process was started to play, if it is a child.
pub fn child_scenario() -> Option<String> {
    std::env::var(CHILD_ENV).ok()
}

/// Re-runs this test binary for test `test_name` alone with `scenario` in
/// [`CHILD_ENV`], and returns its output. Kills it and fails if it takes longer than
/// `limit`.
pub fn run_child(test_name: &str, scenario: &str, limit: Duration) -> Output {
    run_child_with_env(test_name, scenario, &[], limit)
}

/// A command that re-runs this test binary for test `test_name` alone with `scenario`
/// in [`CHILD_ENV`]; where its stdin, stdout and stderr go is the caller's choice.
pub fn child_command(test_name: &str, scenario: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, scenario)
        .env("RUST_BACKTRACE", "0");
    command
}

/// [`run_child`], with the environment variables in `env` set (`Some`) or removed
/// (`None`) in the child.
pub fn run_child_with_env(
    test_name: &str,
    scenario: &str,
    env: &[(&str, Option<&str>)],
    limit: Duration,
) -> Output {
    let mut command = child_command(test_name, scenario);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for &(name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let child = command.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let (done, result) = mpsc::channel();
    let waiter = thread::spawn(move || done.send(child.wait_with_output().unwrap()).unwrap());
    let output = match result.recv_timeout(limit) {
        Ok(output) => output,
        Err(_) => {
            // SAFETY: kill takes no pointers; `pid` is our own child, not yet reaped
            // (its waiter has not returned), so the id cannot name another process.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let output = result.recv().unwrap();
            panic!(
                "child {scenario:?} did not finish within {limit:?}:\n{}",
                describe(&output)
            );
        }
    };
    waiter.join().unwrap();
    output
}

/// [`run_child_with_env`] for a child that must succeed: returns its stderr, or fails
/// the test with everything the child printed.
#[track_caller]
pub fn successful_child_stderr(
    test_name: &str,
    scenario: &str,
    env: &[(&str, Option<&str>)],
    limit: Duration,
) -> String {
    let output = run_child_with_env(test_name, scenario, env, limit);
    assert!(
        output.status.success(),
        "child failed:\n{}",
        describe(&output)
    );
    String::from_utf8(output.stderr).unwrap()
}

/// A child's exit status, stdout and stderr, for failure messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The value of `key` in the child's `RESULT key=value ...` lines on stdout.
#[track_caller]
pub fn reported(output: &Output, key: &str) -> u64 {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        // The harness prints "test name ... " on the line the first report continues.
        .filter_map(|line| Some(line.split_once("RESULT ")?.1))
        .flat_map(str::split_whitespace)
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("the child did not report {key}:\n{}", describe(output)))
        .parse()
        .unwrap()
}

/// A flag one thread sets and a task awaits: the cross-thread wake-up of the tests.
#[derive(Clone, Debug, Default)]
pub struct Signal(Arc<SignalState>);

#[derive(Debug, Default)]
struct SignalState {
    set: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Signal {
    /// Sets the flag and wakes the waiting task, from any thread.
    pub fn set(&self) {
        self.0.set.store(true, Ordering::Release);
        if let Some(waker) = self.0.waker.lock().unwrap().take() {
            waker.wake();
        }
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.0.set.load(Ordering::Acquire)
    }

    /// Completes once the flag is set.
    pub async fn wait(&self) {
        poll_fn(|cx| {
            if self.is_set() {
                return Poll::Ready(());
            }
            *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
            // Checked again after storing the waker: a `set` in between is not lost.
            if self.is_set() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

/// Yields to the loop until `condition` holds, at most `max_yields` times.
pub async fn yield_until(max_yields: usize, what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..max_yields {
        if condition() {
            return;
        }
        evloop::task::yield_now().await;
    }
    assert!(
        condition(),
        "{what} did not happen within {max_yields} yields"
    );
}

/// xorshift64*: a small, fixed-seed generator, so every run sends the same bytes.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator for stream `seed`; distinct seeds give unrelated sequences.
    pub fn new(seed: u64) -> XorShift {
        // splitmix64 of the seed: never zero, and neighbouring seeds spread apart.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        XorShift((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + (self.next_u64() % (high - low + 1) as u64) as usize
    }

    /// Replaces `buf`'s contents with `len` random bytes.
    pub fn fill(&mut self, buf: &mut Vec<u8>, len: usize) {
        buf.clear();
        while buf.len() < len {
            let word = self.next_u64().to_le_bytes();
            let take = word.len().min(len - buf.len());
            buf.extend_from_slice(&word[..take]);
        }
    }
}

/// FNV-1a over a byte stream: order-sensitive, and the same however the stream was
/// cut into reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checksum {
    pub bytes: u64,
    pub hash: u64,
}

impl Default for Checksum {
    fn default() -> Checksum {
        Checksum {
            bytes: 0,
            hash: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl Checksum {
    pub fn update(&mut self, data: &[u8]) {
        for &byte in data {
            self.hash = (self.hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.bytes += data.len() as u64;
    }
}
