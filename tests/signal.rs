//! Signals raised at this test process arrive as stream items, whichever thread the
//! kernel delivers them to.
//!
//! Every test creates its listener before it raises: until then the signal's default
//! action (for most, terminating the process) is still in place. The tests run in
//! parallel in one process, so each uses its own signal where it counts deliveries.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Barrier, mpsc};
use std::task::Poll;
use std::thread;
use std::time::Duration;

use evloop::runtime::Handle;
use evloop::signal::unix::{Signal, SignalKind, signal};
use evloop::task::{self, JoinHandle, spawn_blocking};
use futures_core::Stream;

/// Long enough for a loaded machine; a lost wake-up shows up as this timeout.
const LIMIT: Duration = Duration::from_secs(10);

/// How many blocking-pool threads are alive (and blocked) while a signal is raised.
const POOL_THREADS: usize = 4;

/// Runs `f` on its own thread and fails the test if it takes longer than `limit`:
/// a lost wake-up shows up as a timeout, not as a hung test run.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    thread::spawn(move || done.send(f()).unwrap());
    result
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not finish within {limit:?}: a wake-up was lost"))
}

/// Sends `signal` to this whole process; the kernel picks a thread that does not
/// block it.
fn raise(signal: i32) {
    // SAFETY: kill has no memory-safety preconditions; the caller has installed a
    // handler for `signal` (created a listener), so the default action does not run.
    let result = unsafe { libc::kill(libc::getpid(), signal) };
    assert_eq!(result, 0, "kill: {}", io::Error::last_os_error());
}

/// Blocks `signal` in the calling thread only, so the kernel must deliver it to
/// another thread: the case signalfd gets wrong.
fn block_in_this_thread(signal: i32) {
    // SAFETY: `set` is a valid sigset_t, initialised by sigemptyset before use;
    // pthread_sigmask only changes this thread's mask (the old one is not asked for).
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        assert_eq!(libc::sigemptyset(&mut set), 0);
        assert_eq!(libc::sigaddset(&mut set, signal), 0);
        assert_eq!(
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()),
            0
        );
    }
}

/// Polls `signal` once: whether an item was ready.
fn poll_once(signal: &mut Signal) -> impl Future<Output = bool> + '_ {
    poll_fn(|cx| Poll::Ready(signal.poll_recv(cx).is_ready()))
}

/// Starts `POOL_THREADS` blocking jobs and returns once every one runs on its own
/// pool thread, blocked until `release` is waited on by the caller too.
fn occupy_blocking_pool(release: &Arc<Barrier>) -> Vec<JoinHandle<()>> {
    let started = Arc::new(Barrier::new(POOL_THREADS + 1));
    let jobs = (0..POOL_THREADS)
        .map(|_| {
            let (started, release) = (started.clone(), release.clone());
            spawn_blocking(move || {
                started.wait();
                release.wait();
            })
        })
        .collect();
    started.wait();
    assert!(Handle::current().metrics().blocking_threads >= POOL_THREADS);
    jobs
}

/// Raises `kind` with blocking-pool threads alive and blocked, and waits for it to
/// arrive as a stream item. With `away_from_loop`, the loop's thread blocks the signal
/// (after the pool threads started, so they do not inherit the mask): the kernel
/// must deliver it to some other thread.
fn arrives_with_pool_threads_alive(kind: SignalKind, away_from_loop: bool) {
    within(LIMIT, move || {
        evloop::block_on(async move {
            let mut signals = signal(kind).unwrap();
            let release = Arc::new(Barrier::new(POOL_THREADS + 1));
            let jobs = occupy_blocking_pool(&release);
            if away_from_loop {
                block_in_this_thread(kind.as_raw_value());
            }
            raise(kind.as_raw_value());
            let item = poll_fn(|cx| Pin::new(&mut signals).poll_next(cx)).await;
            assert_eq!(item, Some(()));
            release.wait();
            for job in jobs {
                job.await.unwrap();
            }
        })
    });
}

#[test]
fn sigint_arrives_as_a_stream_item_with_pool_threads_alive() {
    arrives_with_pool_threads_alive(SignalKind::interrupt(), false);
}

#[test]
fn sigterm_arrives_when_delivered_to_another_thread() {
    arrives_with_pool_threads_alive(SignalKind::terminate(), true);
}

#[test]
fn ctrl_c_completes_on_sigint() {
    within(LIMIT, || {
        evloop::block_on(async {
            let mut ctrl_c = Box::pin(evloop::signal::ctrl_c());
            // One poll creates the listener (and installs the handler) before the raise.
            poll_fn(|cx| {
                assert!(ctrl_c.as_mut().poll(cx).is_pending());
                Poll::Ready(())
            })
            .await;
            raise(libc::SIGINT);
            ctrl_c.await.unwrap();
        })
    });
}

#[test]
fn two_listeners_for_one_signal_both_see_it() {
    within(LIMIT, || {
        evloop::block_on(async {
            let mut first = signal(SignalKind::user_defined2()).unwrap();
            let mut second = signal(SignalKind::user_defined2()).unwrap();
            let waiting = evloop::spawn(async move { second.recv().await });
            task::yield_now().await;
            raise(libc::SIGUSR2);
            assert_eq!(first.recv().await, Some(()));
            assert_eq!(waiting.await.unwrap(), Some(()));
        })
    });
}

#[test]
fn listeners_in_two_runtimes_on_two_threads_both_see_one_raise() {
    within(LIMIT, || {
        let (ready, listening) = mpsc::channel();
        let runtimes: Vec<_> = (0..2)
            .map(|_| {
                let ready = ready.clone();
                thread::spawn(move || {
                    evloop::block_on(async move {
                        let mut hangups = signal(SignalKind::hangup()).unwrap();
                        ready.send(()).unwrap();
                        hangups.recv().await
                    })
                })
            })
            .collect();
        listening.recv().unwrap();
        listening.recv().unwrap();
        raise(libc::SIGHUP);
        for runtime in runtimes {
            assert_eq!(runtime.join().unwrap(), Some(()));
        }
    });
}

#[test]
fn a_burst_of_raises_yields_between_one_and_that_many_items() {
    const RAISES: usize = 100;
    let items = within(LIMIT, || {
        evloop::block_on(async {
            let mut signals = signal(SignalKind::user_defined1()).unwrap();
            for _ in 0..RAISES {
                raise(libc::SIGUSR1);
            }
            signals.recv().await;
            let mut items = 1;
            // Let the reactor dispatch any edge still queued, then take what is ready.
            loop {
                task::yield_now().await;
                if !poll_once(&mut signals).await {
                    break items;
                }
                items += 1;
            }
        })
    });
    assert!((1..=RAISES).contains(&items), "{items} items");
}

#[test]
fn uncatchable_and_fault_signals_are_refused() {
    evloop::block_on(async {
        for raw in [
            libc::SIGKILL,
            libc::SIGSTOP,
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGILL,
            libc::SIGFPE,
            0,
            65,
            -1,
        ] {
            let error = signal(SignalKind::from_raw(raw)).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "signal {raw}");
        }
    });
}
