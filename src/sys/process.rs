//! `pidfd_open`: a file descriptor that becomes readable when a process exits.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

use super::cvt;

/// Opens a pidfd for the process `pid` (Linux 5.3), close-on-exec.
///
/// epoll reports it readable once the process has exited, which is how
/// `evloop::process` waits for a child without a `SIGCHLD` handler. It is never read
/// (the exit status comes from `waitid` on the pid), so it needs no `O_NONBLOCK`. The caller must
/// own `pid` (a child not yet reaped), so that the number cannot have been reused.
///
/// # Errors
///
/// `ENOSYS` on a kernel older than 5.3 (or `EPERM` under a seccomp filter that does
/// not know the call), `EMFILE` when out of file descriptors, `ESRCH` if there is no
/// such process.
pub(crate) fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    let pid = libc::pid_t::try_from(pid)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pid out of range"))?;
    let no_flags: libc::c_uint = 0;
    // SAFETY: pidfd_open takes a pid and flags, no pointers. The kernel always sets
    // close-on-exec on a pidfd.
    let raw = cvt(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, no_flags) })?;
    let raw = i32::try_from(raw).expect("a file descriptor fits in an i32");
    // SAFETY: `raw` is a freshly created descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

#[cfg(all(test, not(miri)))]
mod tests {
    use super::*;

    #[test]
    fn a_child_pidfd_opens_and_a_bogus_pid_is_an_error() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pidfd = pidfd_open(child.id());
        child.wait().unwrap();
        pidfd.unwrap();
        assert!(pidfd_open(u32::MAX).is_err());
    }
}
