//! What TCP and Unix listeners share: the default backlog and the accept loop.

#![deny(unsafe_code)]

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::task::{Context, Poll};

use crate::io::Async;

/// The listen backlog `bind` uses: connections the kernel queues before `accept`.
/// Linux caps it at `net.core.somaxconn` (4096 by default).
pub(crate) const DEFAULT_BACKLOG: u32 = 1024;

/// Runs `accept` (an `accept4` wrapper) on the listener's fd until a connection
/// comes, waiting for readability in between.
///
/// A connection the peer gave up on while it was queued (`ECONNABORTED`) is skipped.
/// When the process is out of file descriptors (`EMFILE`, `ENFILE`), the error goes to
/// the caller and the listener waits, without spinning, until this runtime closes an
/// fd: no epoll edge would come for the connection still waiting in the queue.
pub(crate) fn poll_accept<T: AsFd, R>(
    listener: &Async<T>,
    cx: &mut Context<'_>,
    mut accept: impl FnMut(BorrowedFd<'_>) -> io::Result<R>,
) -> Poll<io::Result<R>> {
    let accepted = listener.poll_read_with(cx, |listener| {
        loop {
            match accept(listener.as_fd()) {
                Err(e) if e.raw_os_error() == Some(libc::ECONNABORTED) => continue,
                result => return result,
            }
        }
    });
    if let Poll::Ready(Err(error)) = &accepted {
        if matches!(error.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) {
            listener.wait_for_fd();
        }
    }
    accepted
}
