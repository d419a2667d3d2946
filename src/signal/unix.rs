//! Any Unix signal as a stream: [`signal`], [`Signal`] and [`SignalKind`].

#![deny(unsafe_code)]

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::OwnedFd;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::io::Async;
use crate::reactor::Direction;
use crate::sys;

/// Which signal to listen for.
///
/// # Examples
///
/// ```
/// use evloop::signal::unix::SignalKind;
///
/// assert_eq!(SignalKind::terminate().as_raw_value(), libc::SIGTERM);
/// assert_eq!(SignalKind::from_raw(libc::SIGUSR1), SignalKind::user_defined1());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(i32);

impl SignalKind {
    /// Any signal, by number (e.g. `libc::SIGRTMIN() + 1`).
    pub const fn from_raw(signal: i32) -> SignalKind {
        SignalKind(signal)
    }

    /// The signal number.
    pub const fn as_raw_value(&self) -> i32 {
        self.0
    }

    /// `SIGINT`: Ctrl-C in the terminal.
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// `SIGTERM`: the polite request to exit (`kill PID`, `systemctl stop`, Docker).
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGHUP`: the terminal closed; daemons take it as "reload the configuration".
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGQUIT`: Ctrl-\ in the terminal.
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// `SIGUSR1`: no fixed meaning; the program decides.
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`: no fixed meaning; the program decides.
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// `SIGCHLD`: a child process exited or stopped.
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }

    /// `SIGWINCH`: the terminal window changed size.
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
}

/// Signals the kernel does not let a handler catch (`SIGKILL`, `SIGSTOP`), and faults
/// whose handler would return to the faulting instruction and fault again forever.
const FORBIDDEN: [libc::c_int; 6] = [
    libc::SIGKILL,
    libc::SIGSTOP,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGILL,
    libc::SIGFPE,
];

/// Starts listening for `kind` on the current runtime.
///
/// The first listener for a signal installs evloop's handler for it, for the whole
/// process: from then on the signal's default action (such as terminating the
/// process) no longer happens. See the [module docs](super) for the design.
///
/// # Errors
///
/// `InvalidInput` for `SIGKILL`, `SIGSTOP`, `SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`
/// and numbers that are not signals; otherwise the error of `sigaction` or of
/// registering the eventfd (out of file descriptors).
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```no_run
/// use evloop::signal::unix::{SignalKind, signal};
///
/// # evloop::block_on(async {
/// let mut hangups = signal(SignalKind::hangup())?;
/// while hangups.recv().await.is_some() {
///     println!("SIGHUP: reloading the configuration");
/// }
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[track_caller]
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    if FORBIDDEN.contains(&kind.0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("signal {} cannot or must not be caught", kind.0),
        ));
    }
    let eventfd = sys::signal::listen(kind.0)?;
    // Read the count before the first poll can: only deliveries after this are items.
    let seen = sys::signal::deliveries(kind.0);
    Ok(Signal {
        kind,
        eventfd: Async::new_nonblocking(eventfd)?,
        seen,
    })
}

/// A stream of one signal's deliveries, from [`signal`].
///
/// Deliveries that happen while no one polls the listener are merged into one item:
/// an item means "the signal came at least once since the last item".
pub struct Signal {
    kind: SignalKind,
    /// This listener's duplicate of the process-wide eventfd the handler writes to,
    /// registered with this runtime's reactor.
    eventfd: Async<OwnedFd>,
    /// The signal's delivery count when this listener last returned an item (or was
    /// created).
    seen: u64,
}

impl Signal {
    /// Waits for the next delivery. Always `Some(())`; the `Option` keeps the shape of
    /// a stream's `next`, as in tokio.
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// The polling form of [`recv`](Self::recv): `Ready(Some(()))` if the signal came
    /// since the last item, else registers `cx`'s waker.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        // The eventfd is never read: with edge-triggered epoll, each handler `write`
        // is a fresh event, even if the eventfd's counter is already non-zero.
        //
        // No delivery can be missed, because the handler bumps the delivery count
        // *before* it writes the eventfd:
        // - a delivery whose write the reactor has already turned into readiness has
        //   its count visible; the loop below clears that readiness and only then
        //   reads the count, so it sees it;
        // - a delivery whose write comes later produces an event after the waker is
        //   stored (the reactor runs on this thread, never in the middle of this poll),
        //   so it wakes the task.
        loop {
            let deliveries = sys::signal::deliveries(self.kind.0);
            if deliveries != self.seen {
                self.seen = deliveries;
                return Poll::Ready(Some(()));
            }
            match self.eventfd.poll_readable(cx) {
                Poll::Pending => return Poll::Pending,
                // Readiness of a registered fd never fails; either way, look again.
                Poll::Ready(_) => self.eventfd.clear_ready(Direction::Read),
            }
        }
    }
}

impl Stream for Signal {
    type Item = ();

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.get_mut().poll_recv(cx)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("kind", &self.kind)
            .field("seen", &self.seen)
            .finish()
    }
}
