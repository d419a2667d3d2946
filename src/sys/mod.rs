//! The only module that calls libc.
//!
//! Everything above this line of the crate speaks `io::Result` and owned file
//! descriptors; everything below it is a thin, checked wrapper over one Linux system
//! call. Keeping the `unsafe` calls here lets every other module deny `unsafe_code`.

pub(crate) mod epoll;
pub(crate) mod eventfd;
pub(crate) mod process;
#[cfg(feature = "hyper")]
pub(crate) mod read_buf;
pub(crate) mod signal;
mod sockaddr;
pub(crate) mod socket;
pub(crate) mod thread;

use std::io;

/// Turns the C convention "`-1` means look at `errno`" into an `io::Result`.
///
/// Every raw system call in `sys/` goes through this one helper, so the error path is
/// written once.
pub(crate) fn cvt<T: IsMinusOne>(result: T) -> io::Result<T> {
    if result.is_minus_one() {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// Integer types that system calls return, with `-1` meaning failure.
pub(crate) trait IsMinusOne: Copy {
    /// Whether the value is the C error sentinel `-1`.
    fn is_minus_one(self) -> bool;
}

impl IsMinusOne for i32 {
    fn is_minus_one(self) -> bool {
        self == -1
    }
}

impl IsMinusOne for isize {
    fn is_minus_one(self) -> bool {
        self == -1
    }
}

impl IsMinusOne for i64 {
    fn is_minus_one(self) -> bool {
        self == -1
    }
}
