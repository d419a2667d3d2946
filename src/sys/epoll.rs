//! The epoll instance: an interest list the kernel keeps, and a ready list we drain.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::cvt;

/// An owned epoll file descriptor.
#[derive(Debug)]
pub(crate) struct Epoll {
    fd: OwnedFd,
}

/// A reusable buffer that `epoll_wait` fills; allocated once per runtime.
#[derive(Debug)]
pub(crate) struct Events {
    buffer: Vec<libc::epoll_event>,
}

/// One readiness event: the token given at registration and the bits that are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Event {
    /// The `u64` the source was registered with.
    pub(crate) token: u64,
    /// `EPOLLIN`, `EPOLLOUT`, `EPOLLRDHUP`, `EPOLLHUP`, `EPOLLERR` as reported.
    pub(crate) bits: u32,
}

impl Epoll {
    /// Creates a close-on-exec epoll instance.
    pub(crate) fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers; the flag is a valid constant.
        let raw = cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        // SAFETY: `raw` is a freshly created descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        Ok(Epoll { fd })
    }

    /// Adds `fd` to the interest list with `interest` bits and `token`.
    pub(crate) fn add(&self, fd: BorrowedFd<'_>, token: u64, interest: u32) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: interest,
            u64: token,
        };
        // SAFETY: both fds are open (the borrow proves `fd` is), and `event` is a valid,
        // live epoll_event that the kernel only reads.
        cvt(unsafe {
            libc::epoll_ctl(
                self.fd.as_raw_fd(),
                libc::EPOLL_CTL_ADD,
                fd.as_raw_fd(),
                &mut event,
            )
        })?;
        Ok(())
    }

    /// Removes `fd` from the interest list. Must happen before the fd is closed, or a
    /// duplicate of it (after `dup` or `fork`) would keep delivering events.
    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        // SAFETY: both fds are open (the borrow proves `fd` is); a null event pointer
        // is allowed for EPOLL_CTL_DEL since Linux 2.6.9.
        cvt(unsafe {
            libc::epoll_ctl(
                self.fd.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                fd.as_raw_fd(),
                std::ptr::null_mut(),
            )
        })?;
        Ok(())
    }

    /// Waits until at least one event is ready or `timeout` passes (`None`: forever),
    /// and fills `events`. A signal interrupting the wait is retried for what is left
    /// of the timeout: returning early for no reason would make the loop spin, and
    /// starting the whole timeout again would let a steady stream of signals hold a
    /// timer back for as long as it lasts.
    pub(crate) fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.buffer.clear();
        // Forever (or too far away to represent) needs no recomputing, and a zero
        // timeout never sleeps, so it cannot be interrupted: read the clock only for
        // a real timed wait.
        let deadline = timeout
            .filter(|timeout| !timeout.is_zero())
            .and_then(|timeout| Instant::now().checked_add(timeout));
        let mut timeout = timeout;
        loop {
            match self.wait_once(events, timeout) {
                Ok(n) => {
                    // SAFETY: the kernel initialised the first `n` entries, and `n` never
                    // exceeds the capacity we passed it.
                    unsafe { events.buffer.set_len(n) };
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if let Some(deadline) = deadline {
                        timeout = Some(deadline.saturating_duration_since(Instant::now()));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn wait_once(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<usize> {
        if let Some(timeout) = timeout {
            if !timeout.is_zero() && has_epoll_pwait2() {
                match self.pwait2(events, timeout) {
                    Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {
                        PWAIT2_MISSING.store(true, Ordering::Relaxed);
                    }
                    result => return result,
                }
            }
        }
        let capacity = events.buffer.capacity() as libc::c_int;
        // SAFETY: the buffer has room for `capacity` events and stays borrowed mutably
        // for the whole call; the kernel writes at most that many.
        let n = unsafe {
            libc::epoll_wait(
                self.fd.as_raw_fd(),
                events.buffer.as_mut_ptr(),
                capacity,
                millis_rounded_up(timeout),
            )
        };
        Ok(cvt(n)? as usize)
    }

    /// `epoll_pwait2` takes a `timespec`, so a 50 µs timer parks for 50 µs, not 1 ms.
    fn pwait2(&self, events: &mut Events, timeout: Duration) -> io::Result<usize> {
        let timespec = libc::timespec {
            tv_sec: timeout.as_secs().min(libc::time_t::MAX as u64) as libc::time_t,
            tv_nsec: timeout.subsec_nanos() as libc::c_long,
        };
        let capacity = events.buffer.capacity() as libc::c_int;
        // SAFETY: the buffer has room for `capacity` events; `timespec` is a valid,
        // live struct the kernel only reads; a null sigmask means "leave it alone".
        let n = unsafe {
            libc::syscall(
                libc::SYS_epoll_pwait2,
                self.fd.as_raw_fd(),
                events.buffer.as_mut_ptr(),
                capacity,
                &raw const timespec,
                std::ptr::null::<libc::sigset_t>(),
                0usize,
            )
        };
        Ok(cvt(n)? as usize)
    }
}

/// Set once when the kernel answers `ENOSYS` (before Linux 5.11), so we ask only once.
static PWAIT2_MISSING: AtomicBool = AtomicBool::new(false);

/// Whether to try `epoll_pwait2`. Miri does not model raw `syscall` numbers, so under
/// Miri the portable `epoll_wait` is always used.
fn has_epoll_pwait2() -> bool {
    !cfg!(miri) && !PWAIT2_MISSING.load(Ordering::Relaxed)
}

/// `epoll_wait` counts whole milliseconds; rounding down would wake before a timer's
/// deadline, so round up. `None` means wait forever (`-1`).
fn millis_rounded_up(timeout: Option<Duration>) -> libc::c_int {
    match timeout {
        None => -1,
        Some(timeout) => {
            let millis = timeout.as_nanos().div_ceil(1_000_000);
            millis.min(libc::c_int::MAX as u128) as libc::c_int
        }
    }
}

impl Events {
    /// A buffer for up to `capacity` events per wait (at least one).
    pub(crate) fn with_capacity(capacity: usize) -> Events {
        Events {
            buffer: Vec::with_capacity(capacity.max(1)),
        }
    }

    /// How many events the last wait returned.
    pub(crate) fn len(&self) -> usize {
        self.buffer.len()
    }

    /// The events the last wait returned.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.buffer.iter().map(|raw| Event {
            token: raw.u64,
            bits: raw.events,
        })
    }
}
