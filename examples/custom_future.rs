//! For library authors: futures written by hand, with `Future::poll` and no `async fn`.
//!
//! 1. `ReadLine`, a leaf future: it reads a line from a socket registered with
//!    evloop's reactor through [`Async<T>`], the way evloop's own sockets are built.
//! 2. `CountPolls`, a future that wraps another and counts its polls, which shows that
//!    the executor polls a task again only after something woke it.
//! 3. `Delay`, a future that another thread completes: it keeps the task's `Waker`
//!    and that thread calls `wake()` on it.
//!
//! The rule all three follow, the contract of `Poll::Pending`: a future that returns
//! `Pending` has made sure that something will call `wake()` on the waker in the
//! `Context` it was given (the reactor when the fd becomes ready, a timer, another
//! thread). Nothing else will ever poll it again: return `Pending` without arranging a
//! wake-up, and the task sleeps forever.
//!
//! Run with `cargo run --example custom_future`; it needs no server and exits when
//! done.

use std::future::Future;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use evloop::io::Async;

/// The lines the writer thread sends, one every [`LINE_GAP`].
const LINES: [&str; 3] = ["hello from another thread", "one line at a time", "bye"];
/// Long enough that each line arrives after the reader has gone to sleep waiting.
const LINE_GAP: Duration = Duration::from_millis(50);
/// How long `Delay` waits.
const DELAY: Duration = Duration::from_millis(100);

fn main() -> io::Result<()> {
    evloop::block_on(async {
        println!("1. ReadLine: a leaf future on Async<UnixStream>");
        let (ours, theirs) = UnixStream::pair()?;
        // Makes the socket non-blocking and registers it with this runtime's epoll.
        let ours = Async::new(ours)?;
        let writer = thread::spawn(move || write_slowly(theirs));
        let mut buffered = Vec::new();
        loop {
            let (line, polls) = CountPolls::new(ReadLine::new(&ours, &mut buffered)).await;
            match line? {
                Some(line) => println!("   read {line:?} ({polls} polls)"),
                None => {
                    println!("   end of stream ({polls} polls)");
                    break;
                }
            }
        }
        writer.join().expect("the writer thread does not panic")?;

        println!("2. Delay: a future woken from another thread");
        let start = Instant::now();
        let ((), polls) = CountPolls::new(Delay::new(DELAY)).await;
        println!(
            "   woken after {} ms ({polls} polls)",
            start.elapsed().as_millis()
        );
        Ok(())
    })
}

/// The other end of the socket, on a plain thread with blocking writes.
fn write_slowly(mut socket: UnixStream) -> io::Result<()> {
    for line in LINES {
        thread::sleep(LINE_GAP);
        socket.write_all(format!("{line}\n").as_bytes())?;
    }
    thread::sleep(LINE_GAP);
    // Dropping the socket closes it: the reader sees end of stream.
    Ok(())
}

/// Reads one line (without its `\n`) from `socket`; `None` at end of stream.
///
/// `buffered` holds bytes read past the end of a line, for the next `ReadLine`.
struct ReadLine<'a> {
    socket: &'a Async<UnixStream>,
    buffered: &'a mut Vec<u8>,
}

impl<'a> ReadLine<'a> {
    fn new(socket: &'a Async<UnixStream>, buffered: &'a mut Vec<u8>) -> ReadLine<'a> {
        ReadLine { socket, buffered }
    }
}

impl Future for ReadLine<'_> {
    type Output = io::Result<Option<String>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Every field is `Unpin` (references), so the future may be moved: unpin it.
        let this = self.get_mut();
        loop {
            if let Some(newline) = this.buffered.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = this.buffered.drain(..=newline).collect();
                let line = String::from_utf8_lossy(&line[..newline]).into_owned();
                return Poll::Ready(Ok(Some(line)));
            }
            let mut chunk = [0; 256];
            // `poll_read_with` runs the closure (a non-blocking `read`) and:
            // - returns `Ready` with its result, unless that result is `WouldBlock`;
            // - on `WouldBlock`, clears the fd's "readable" flag, stores `cx`'s waker
            //   with the reactor for this fd, and returns `Pending`. When epoll later
            //   reports the fd readable, the reactor calls `wake()`, the executor puts
            //   our task back on its run queue, and it polls this future again.
            // So returning its `Pending` keeps the contract: the wake-up is arranged.
            let read = this
                .socket
                .poll_read_with(cx, |mut socket| socket.read(&mut chunk));
            match read {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Ready(Ok(0)) if this.buffered.is_empty() => return Poll::Ready(Ok(None)),
                Poll::Ready(Ok(0)) => {
                    // End of stream after a last line without `\n`.
                    let rest = std::mem::take(this.buffered);
                    return Poll::Ready(Ok(Some(String::from_utf8_lossy(&rest).into_owned())));
                }
                // Got bytes: look for a newline again, and read again if there is none.
                // Never return `Pending` here: no one has been asked to wake us.
                Poll::Ready(Ok(n)) => this.buffered.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// Polls `inner` and counts the polls; the output is `inner`'s with the count.
///
/// A combinator adds no wake-up of its own: it passes `cx` down, so the inner future
/// stores the very waker the executor gave, and returns `Pending` only when the inner
/// future did.
struct CountPolls<F> {
    inner: F,
    polls: u32,
}

impl<F> CountPolls<F> {
    fn new(inner: F) -> CountPolls<F> {
        CountPolls { inner, polls: 0 }
    }
}

// `F: Unpin` keeps this simple: `inner` can be polled through `Pin::new(&mut ..)`. A
// wrapper for any future would project the pin, e.g. with the `pin-project-lite` crate.
impl<F: Future + Unpin> Future for CountPolls<F> {
    type Output = (F::Output, u32);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.polls += 1;
        match Pin::new(&mut self.inner).poll(cx) {
            Poll::Ready(output) => Poll::Ready((output, self.polls)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Completes `duration` after its first poll. A thread does the waiting: the future
/// hands it the task's `Waker`, and the thread wakes the task when the time is up.
///
/// (evloop's own [`sleep`](evloop::time::sleep) needs no thread: the loop keeps timers
/// and sleeps in `epoll_wait` until the nearest one. This shows the pattern for any
/// completion that happens off the loop's thread: a callback, a thread pool, a device.)
struct Delay {
    duration: Duration,
    /// `None` until the first poll starts the thread.
    shared: Option<Arc<Mutex<Shared>>>,
}

/// What the future and the thread share; a `Mutex` because two threads touch it.
struct Shared {
    done: bool,
    /// The waker of the last poll, for the thread to wake.
    waker: Waker,
}

impl Delay {
    fn new(duration: Duration) -> Delay {
        Delay {
            duration,
            shared: None,
        }
    }
}

impl Future for Delay {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(shared) = &self.shared else {
            let shared = Arc::new(Mutex::new(Shared {
                done: false,
                waker: cx.waker().clone(),
            }));
            let theirs = shared.clone();
            let duration = self.duration;
            thread::spawn(move || {
                thread::sleep(duration);
                let waker = {
                    let mut shared = theirs.lock().expect("never poisoned");
                    shared.done = true;
                    shared.waker.clone()
                };
                // Wake after unlocking. `Waker` is `Send`: from this thread, `wake()`
                // pushes the task onto the runtime's cross-thread queue and, if the
                // loop is asleep in `epoll_wait`, writes to its eventfd to rouse it.
                waker.wake();
            });
            self.shared = Some(shared);
            // The thread holds our waker and will wake it: `Pending` is allowed.
            return Poll::Pending;
        };
        let mut shared = shared.lock().expect("never poisoned");
        if shared.done {
            return Poll::Ready(());
        }
        // Polled again before the thread finished (a spurious wake-up, or a wrapping
        // future that polls more often). The task's waker may have changed, e.g. if the
        // future moved to another task: keep the newest, without a clone when it is
        // the same.
        if !shared.waker.will_wake(cx.waker()) {
            shared.waker = cx.waker().clone();
        }
        Poll::Pending
    }
}
