//! Helpers shared by the integration tests that need the loop parked in `epoll_wait`.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

/// The calling thread's id, as /proc names it.
pub fn thread_id() -> libc::pid_t {
    if cfg!(miri) {
        return 0;
    }
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}

/// Whether thread `tid` of this process is blocked in an epoll wait right now, read
/// from /proc (the first field of `syscall` is the number of the call it sits in).
fn is_in_epoll_wait(tid: libc::pid_t) -> bool {
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

/// Waits (bounded) until thread `tid` is parked in epoll. Miri cannot read /proc, so
/// there the wake races the park instead, which is worth testing too.
pub fn wait_until_parked(tid: libc::pid_t) {
    if cfg!(miri) {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !is_in_epoll_wait(tid) {
        assert!(
            Instant::now() < deadline,
            "the loop never parked in epoll_wait"
        );
        thread::yield_now();
    }
}

/// A future that completes once another thread has woken it, and that thread wakes
/// it only after the thread that first polled it is parked in `epoll_wait`: a
/// cross-thread wake into a parked loop, every time.
pub fn woken_once_parked() -> impl Future<Output = ()> {
    let woken = Arc::new(AtomicBool::new(false));
    let mut waker_thread: Option<thread::JoinHandle<()>> = None;
    std::future::poll_fn(move |cx| {
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
