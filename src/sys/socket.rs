//! Socket system calls that std does not offer in the form a non-blocking runtime
//! needs: sockets (and Unix socket pairs) created non-blocking and close-on-exec in
//! one call, `accept4`, a `connect` that may answer `EINPROGRESS`, sends that never
//! raise `SIGPIPE`, and the socket options std leaves out. Addresses are converted
//! to and from the C layout in `sockaddr.rs`.

use std::io::{self, IoSlice};
use std::mem::{self, MaybeUninit};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::ptr;

use super::cvt;
pub(crate) use super::sockaddr::RawAddr;

/// Creates a socket that is non-blocking and close-on-exec from its first moment.
pub(crate) fn socket(domain: libc::c_int, kind: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: socket takes no pointers; unknown values are rejected with EINVAL.
    let fd =
        cvt(unsafe { libc::socket(domain, kind | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The address family for an IP socket address.
pub(crate) fn domain_of(addr: &SocketAddr) -> libc::c_int {
    match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    }
}

pub(crate) fn bind(fd: BorrowedFd<'_>, addr: &RawAddr) -> io::Result<()> {
    // SAFETY: `addr` points at `len` initialised bytes of a socket address.
    cvt(unsafe { libc::bind(fd.as_raw_fd(), addr.as_ptr(), addr.len) })?;
    Ok(())
}

pub(crate) fn listen(fd: BorrowedFd<'_>, backlog: u32) -> io::Result<()> {
    let backlog = backlog.min(libc::c_int::MAX as u32) as libc::c_int;
    // SAFETY: listen takes no pointers.
    cvt(unsafe { libc::listen(fd.as_raw_fd(), backlog) })?;
    Ok(())
}

/// Starts connecting. On a non-blocking socket the usual answer is `EINPROGRESS`,
/// returned as `Ok(false)`: wait until writable, then read `SO_ERROR`.
pub(crate) fn connect(fd: BorrowedFd<'_>, addr: &RawAddr) -> io::Result<bool> {
    // SAFETY: `addr` points at `len` initialised bytes of a socket address.
    match cvt(unsafe { libc::connect(fd.as_raw_fd(), addr.as_ptr(), addr.len) }) {
        Ok(_) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(false),
        // Interrupted by a signal: the handshake goes on in the background, exactly
        // as after EINPROGRESS (retrying would answer EALREADY).
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
        Err(e) => Err(e),
    }
}

/// Accepts a connection as a non-blocking, close-on-exec socket, with the peer's
/// address if it is an IP one.
pub(crate) fn accept(fd: BorrowedFd<'_>) -> io::Result<(OwnedFd, Option<SocketAddr>)> {
    let mut peer = RawAddr::empty();
    let new = accept4(fd, (&raw mut peer.storage).cast(), &mut peer.len)?;
    Ok((new, peer.to_ip().ok()))
}

/// Accepts a connection on a Unix listener, without the peer's address (usually
/// unnamed; read it from the new socket if wanted).
pub(crate) fn accept_unix(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    accept4(fd, ptr::null_mut(), ptr::null_mut())
}

/// `accept4` making the new socket non-blocking and close-on-exec, retried on `EINTR`.
/// `addr` and `len` are both null, or point at writable storage of `*len` bytes.
fn accept4(
    fd: BorrowedFd<'_>,
    addr: *mut libc::sockaddr,
    len: *mut libc::socklen_t,
) -> io::Result<OwnedFd> {
    loop {
        // SAFETY: by this function's contract, `addr` and `len` are null (the kernel
        // then writes no address) or valid for the kernel to write `*len` bytes.
        let result = cvt(unsafe {
            libc::accept4(
                fd.as_raw_fd(),
                addr,
                len,
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        });
        match result {
            // SAFETY: `new` is a new descriptor that nothing else owns.
            Ok(new) => return Ok(unsafe { OwnedFd::from_raw_fd(new) }),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Creates a pair of connected Unix sockets of type `kind` (`SOCK_STREAM` or
/// `SOCK_DGRAM`), non-blocking and close-on-exec.
pub(crate) fn pair(kind: libc::c_int) -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1; 2];
    // SAFETY: `fds` is writable room for the two descriptors socketpair returns.
    cvt(unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            kind | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    })?;
    // SAFETY: socketpair succeeded: both are new descriptors that nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// `send` with `MSG_NOSIGNAL`: a write to a closed peer is an `EPIPE` error, never a
/// `SIGPIPE` that kills the process.
pub(crate) fn send(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes.
    let n = cvt(unsafe {
        libc::send(
            fd.as_raw_fd(),
            buf.as_ptr().cast(),
            buf.len(),
            libc::MSG_NOSIGNAL,
        )
    })?;
    Ok(n as usize)
}

/// `sendto` with `MSG_NOSIGNAL`: one datagram to `addr`.
pub(crate) fn send_to(fd: BorrowedFd<'_>, buf: &[u8], addr: &RawAddr) -> io::Result<usize> {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes, and `addr` points at
    // `len` initialised bytes of a socket address.
    let n = cvt(unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            buf.as_ptr().cast(),
            buf.len(),
            libc::MSG_NOSIGNAL,
            addr.as_ptr(),
            addr.len,
        )
    })?;
    Ok(n as usize)
}

/// Vectored `send` (`sendmsg`), also with `MSG_NOSIGNAL` (plain `writev` has no flag).
pub(crate) fn send_vectored(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    // SAFETY: all-zero bytes are a valid msghdr (no name, no control data).
    let mut message: libc::msghdr = unsafe { mem::zeroed() };
    // `IoSlice` is guaranteed ABI-compatible with `iovec` on Unix.
    message.msg_iov = bufs.as_ptr().cast_mut().cast();
    message.msg_iovlen = bufs.len().min(libc::c_int::MAX as usize) as _;
    // SAFETY: the iovecs point into live buffers for the duration of the call, and the
    // kernel only reads through them.
    let n = cvt(unsafe { libc::sendmsg(fd.as_raw_fd(), &message, libc::MSG_NOSIGNAL) })?;
    Ok(n as usize)
}

/// Sets an integer socket option (`SO_REUSEADDR`, `SO_REUSEPORT`, ...).
pub(crate) fn set_int_option(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    set_option(fd, level, name, &value)
}

/// Reads an integer socket option.
pub(crate) fn int_option(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
) -> io::Result<libc::c_int> {
    let mut value = MaybeUninit::<libc::c_int>::zeroed();
    let mut len = mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` is writable storage of `len` bytes.
    cvt(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            value.as_mut_ptr().cast(),
            &mut len,
        )
    })?;
    // SAFETY: zero-initialised, and the kernel wrote at most an int.
    Ok(unsafe { value.assume_init() })
}

/// Takes the socket's pending error (`SO_ERROR`), e.g. the outcome of a `connect`.
pub(crate) fn take_error(fd: BorrowedFd<'_>) -> io::Result<Option<io::Error>> {
    let code = int_option(fd, libc::SOL_SOCKET, libc::SO_ERROR)?;
    Ok((code != 0).then(|| io::Error::from_raw_os_error(code)))
}

/// `SO_LINGER`: `Some(duration)` makes `close` wait for unsent data (a zero duration
/// resets the connection instead); `None` restores the default.
pub(crate) fn set_linger(
    fd: BorrowedFd<'_>,
    linger: Option<std::time::Duration>,
) -> io::Result<()> {
    let value = libc::linger {
        l_onoff: linger.is_some() as libc::c_int,
        l_linger: linger.map_or(0, |d| {
            d.as_secs().min(libc::c_int::MAX as u64) as libc::c_int
        }),
    };
    set_option(fd, libc::SOL_SOCKET, libc::SO_LINGER, &value)
}

/// Reads `SO_LINGER` back.
pub(crate) fn linger(fd: BorrowedFd<'_>) -> io::Result<Option<std::time::Duration>> {
    let mut value = MaybeUninit::<libc::linger>::zeroed();
    let mut len = mem::size_of::<libc::linger>() as libc::socklen_t;
    // SAFETY: `value` is writable storage of `len` bytes.
    cvt(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            value.as_mut_ptr().cast(),
            &mut len,
        )
    })?;
    // SAFETY: zero-initialised, and the kernel wrote at most a linger struct.
    let value = unsafe { value.assume_init() };
    Ok((value.l_onoff != 0).then(|| std::time::Duration::from_secs(value.l_linger as u64)))
}

fn set_option<T>(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: &T,
) -> io::Result<()> {
    // SAFETY: `value` points at a live `T` of the size we pass; the kernel only reads it.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast(),
            mem::size_of::<T>() as libc::socklen_t,
        )
    })?;
    Ok(())
}

/// Sets `O_NONBLOCK` on any descriptor (for fds the runtime did not create).
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: F_GETFL takes no pointer argument.
    let flags = cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    if flags & libc::O_NONBLOCK == 0 {
        // SAFETY: F_SETFL takes an integer argument.
        cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) })?;
    }
    Ok(())
}
