//! The process-wide half of signal handling: a `sigaction` handler that counts each
//! delivery and rings one eventfd.
//!
//! A signal handler may interrupt any thread at any instruction, so it may only do
//! what is async-signal-safe: no locks, no allocation, no `println!`. This one does two
//! things, in this order:
//!
//! 1. adds one to the signal's delivery counter (an atomic);
//! 2. writes 8 bytes to the eventfd (`write(2)` is on POSIX's async-signal-safe list).
//!
//! Every listener registers its own duplicate of that eventfd with its runtime's
//! reactor, edge-triggered, and compares the counter with the value it saw last. The
//! counter comes first so that whoever is woken by the write finds it already bumped.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::ptr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use super::cvt;
use super::eventfd::EventFd;

/// The highest signal number on Linux (`SIGRTMAX`); 1 is the lowest.
const MAX_SIGNAL: usize = 64;

/// How many times each signal has been delivered since its handler was installed,
/// indexed by signal number (slot 0 is unused). Only ever incremented.
static DELIVERIES: [AtomicU64; MAX_SIGNAL + 1] = [const { AtomicU64::new(0) }; MAX_SIGNAL + 1];

/// The eventfd every handler writes to. Created once, on the first `listen`, before
/// any handler is installed, and never closed.
static EVENTFD: OnceLock<EventFd> = OnceLock::new();

/// `EVENTFD`'s raw fd, for the handler: an atomic load is plainly async-signal-safe,
/// where `OnceLock::get` makes no such promise. Set before any handler is installed.
static EVENTFD_RAW: AtomicI32 = AtomicI32::new(-1);

/// The outcome of installing each signal's handler (`Err` holds the `errno`), indexed
/// by signal number. A handler is installed at most once: a failure (the kernel or libc
/// refusing that signal number) would only repeat, so it is remembered too.
static INSTALLED: [OnceLock<Result<(), i32>>; MAX_SIGNAL + 1] =
    [const { OnceLock::new() }; MAX_SIGNAL + 1];

/// Starts counting `signal` (installing its handler on first use, for the whole
/// process) and returns a new descriptor for the eventfd the handler writes to: a
/// close-on-exec duplicate the caller registers with its reactor and owns.
///
/// # Errors
///
/// `InvalidInput` for a number outside 1..=64; the `sigaction` error for a signal the
/// system does not let a program catch; `EMFILE` and the like from the eventfd or `dup`.
pub(crate) fn listen(signal: libc::c_int) -> io::Result<OwnedFd> {
    let index = usize::try_from(signal)
        .ok()
        .filter(|index| (1..=MAX_SIGNAL).contains(index))
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{signal} is not a signal number (1 to {MAX_SIGNAL})"),
            )
        })?;
    let eventfd = eventfd()?;
    INSTALLED[index]
        .get_or_init(|| install_handler(signal).map_err(|e| e.raw_os_error().unwrap_or(0)))
        .map_err(io::Error::from_raw_os_error)?;
    // std's `try_clone_to_owned` is `fcntl(F_DUPFD_CLOEXEC)`.
    eventfd.as_fd().try_clone_to_owned()
}

/// How many times `signal` has been delivered so far.
///
/// # Panics
///
/// If `signal` is outside 1..=64; [`listen`] has refused such numbers already.
pub(crate) fn deliveries(signal: libc::c_int) -> u64 {
    DELIVERIES[signal as usize].load(Ordering::Acquire)
}

/// The process-wide eventfd, created on first use.
fn eventfd() -> io::Result<&'static EventFd> {
    let eventfd = match EVENTFD.get() {
        Some(eventfd) => eventfd,
        None => {
            // Two threads may both get here; `set` drops (closes) the loser's eventfd.
            let _ = EVENTFD.set(EventFd::new()?);
            EVENTFD.get().expect("EVENTFD was set just above")
        }
    };
    // Every caller stores the (same) fd before it may install a handler, so no
    // handler can run and find -1, whichever thread won the race above.
    EVENTFD_RAW.store(eventfd.as_fd().as_raw_fd(), Ordering::Release);
    Ok(eventfd)
}

/// Replaces `signal`'s disposition with [`on_signal`], for every thread.
///
/// `SA_RESTART`: a system call the signal interrupts in some other thread (a blocking
/// `read` in a library, say) resumes instead of failing with `EINTR`. The mask is
/// empty: other signals may interrupt the handler, which is harmless (it holds no
/// lock), and the kernel already blocks `signal` itself while its handler runs.
fn install_handler(signal: libc::c_int) -> io::Result<()> {
    // SAFETY: `sigaction` is a plain C struct for which all-zero bytes are valid.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `sa_mask` is a valid, writable `sigset_t` inside `action`.
    cvt(unsafe { libc::sigemptyset(&raw mut action.sa_mask) })?;
    // SAFETY: `action` is fully initialised and names a handler that only does
    // async-signal-safe work (see `on_signal`); the old action is not asked for (null).
    cvt(unsafe { libc::sigaction(signal, &raw const action, ptr::null_mut()) })?;
    Ok(())
}

/// The signal handler: count, then ring. Runs on whichever thread the kernel picked,
/// between any two instructions of that thread.
extern "C" fn on_signal(signal: libc::c_int) {
    // `write` may set errno; the interrupted code must find its own value unchanged.
    // SAFETY: `__errno_location` returns this thread's errno slot, valid while the
    // thread lives; reading an int is async-signal-safe.
    let saved_errno = unsafe { *libc::__errno_location() };
    if let Some(count) = DELIVERIES.get(signal as usize) {
        count.fetch_add(1, Ordering::Release);
    }
    let one: u64 = 1;
    // The result is ignored: the only failure possible is `EAGAIN`, when the eventfd
    // counter is full, and then a wake-up is pending anyway (and the counter can only
    // fill after 2^64 - 2 writes, since no one reads it).
    // SAFETY: `write` is async-signal-safe; the buffer is a live `u64`, the 8 bytes an
    // eventfd expects; the fd is the never-closed `EVENTFD`, stored before any handler
    // was installed.
    unsafe {
        libc::write(
            EVENTFD_RAW.load(Ordering::Acquire),
            (&raw const one).cast(),
            size_of::<u64>(),
        )
    };
    // SAFETY: as above, this thread's errno slot.
    unsafe { *libc::__errno_location() = saved_errno };
}
