//! An eventfd: the doorbell another thread rings to wake the loop out of `epoll_wait`.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use super::cvt;

/// A non-blocking, close-on-exec eventfd.
///
/// The reactor registers it edge-triggered and never reads it: with `EPOLLET`, every
/// `write` produces a fresh edge even when the counter is already non-zero, so one
/// `write` is the whole cost of a wake-up (the counter would need 2^64 writes to fill).
#[derive(Debug)]
pub(crate) struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    /// Creates the eventfd with a zero counter.
    pub(crate) fn new() -> io::Result<EventFd> {
        // SAFETY: eventfd takes no pointers; the flags are valid constants.
        let raw = cvt(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
        // SAFETY: `raw` is a freshly created descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        Ok(EventFd { fd })
    }

    /// Adds one to the counter, which makes the fd readable and wakes `epoll_wait`.
    pub(crate) fn notify(&self) -> io::Result<()> {
        let one: u64 = 1;
        loop {
            // SAFETY: the buffer is a valid, live `u64`, exactly the 8 bytes eventfd expects.
            let written = unsafe {
                libc::write(
                    self.fd.as_raw_fd(),
                    (&raw const one).cast(),
                    size_of::<u64>(),
                )
            };
            match cvt(written) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // The counter is full: the loop has a wake-up pending already. Reset it so
                // later notifications keep working; the edge is not lost because the
                // next successful write makes a new one.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.reset()?,
                Err(e) => return Err(e),
            }
        }
    }

    /// Sets the counter back to zero.
    fn reset(&self) -> io::Result<()> {
        let mut value: u64 = 0;
        // SAFETY: the buffer is a valid, writable `u64`, exactly the 8 bytes eventfd writes.
        let read = unsafe {
            libc::read(
                self.fd.as_raw_fd(),
                (&raw mut value).cast(),
                size_of::<u64>(),
            )
        };
        match cvt(read) {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(e),
        }
    }
}

impl AsFd for EventFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_many_times_never_fails() {
        let eventfd = EventFd::new().unwrap();
        for _ in 0..1000 {
            eventfd.notify().unwrap();
        }
        eventfd.reset().unwrap();
    }
}
