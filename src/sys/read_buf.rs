//! Filling hyper's read buffer, which starts out uninitialised.
//!
//! hyper hands a reader a [`ReadBufCursor`] over memory it has not initialised, and
//! asks the reader to write bytes into it and then say how many it wrote. Both steps
//! are `unsafe` on the cursor, so they live here, where each says why it is sound:
//!
//! - [`read_fd_into`]: the kernel writes into the buffer (`read(2)`), nothing is
//!   zero-filled first. This is what evloop's sockets do.
//! - [`read_initialized_into`]: any other reader wants a `&mut [u8]`, which must be
//!   initialised; at most `max` bytes are zero-filled for it.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::task::{Poll, ready};

use hyper::rt::ReadBufCursor;

use super::cvt;

/// Reads from `fd` into the unfilled part of `buf` and marks what the kernel wrote as
/// filled; returns that count (`0` at end of stream). One `read(2)`: `WouldBlock` and
/// `Interrupted` go to the caller, the reactor's readiness loop.
pub(crate) fn read_fd_into(fd: BorrowedFd<'_>, buf: &mut ReadBufCursor<'_>) -> io::Result<usize> {
    // SAFETY: `as_mut` requires that no uninitialised byte be written into the slice
    // it returns. Only the kernel writes into it, and only bytes it read.
    let unfilled = unsafe { buf.as_mut() };
    // SAFETY: the pointer and length describe `unfilled`, which is valid for writes of
    // `unfilled.len()` bytes for the whole call; `read` writes at most that many.
    let n =
        cvt(unsafe { libc::read(fd.as_raw_fd(), unfilled.as_mut_ptr().cast(), unfilled.len()) })?;
    let n = n as usize; // `cvt` ruled out -1, the only negative result.
    // SAFETY: `read` returned `n`: it initialised the first `n` bytes of the unfilled
    // part, and `n <= unfilled.len()`.
    unsafe { buf.advance(n) };
    Ok(n)
}

/// Hands `read` an initialised slice of at most `max` bytes at the start of `buf`'s
/// unfilled part (zero-filling only what hyper has not initialised), and marks the
/// bytes it reports as filled.
///
/// # Panics
///
/// If `read` reports more bytes than the slice it was given: a broken reader, which
/// would otherwise make hyper read bytes nobody wrote.
pub(crate) fn read_initialized_into(
    buf: &mut ReadBufCursor<'_>,
    max: usize,
    read: impl FnOnce(&mut [u8]) -> Poll<io::Result<usize>>,
) -> Poll<io::Result<usize>> {
    let len = buf.remaining().min(max);
    let n = ready!(read(buf.initialize_unfilled_to(len)))?;
    assert!(
        n <= len,
        "a reader reported {n} bytes read into a {len}-byte buffer"
    );
    // SAFETY: `initialize_unfilled_to(len)` initialised the first `len` bytes of the
    // unfilled part, and `n <= len`.
    unsafe { buf.advance(n) };
    Poll::Ready(Ok(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::rt::ReadBuf;
    use std::io::Write;
    use std::mem::MaybeUninit;
    use std::os::fd::AsFd;

    #[test]
    fn a_read_fills_only_what_the_kernel_wrote() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        writer.write_all(b"hello").unwrap();
        let mut storage = [MaybeUninit::<u8>::uninit(); 16];
        let mut buf = ReadBuf::uninit(&mut storage);
        let n = read_fd_into(reader.as_fd(), &mut buf.unfilled()).unwrap();
        assert_eq!(n, 5);
        assert_eq!(buf.filled(), b"hello");

        drop(writer);
        assert_eq!(
            read_fd_into(reader.as_fd(), &mut buf.unfilled()).unwrap(),
            0
        );
        assert_eq!(buf.filled(), b"hello", "end of stream fills nothing");
    }

    #[test]
    fn a_read_appends_after_what_is_filled() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let mut storage = [MaybeUninit::<u8>::uninit(); 8];
        let mut buf = ReadBuf::uninit(&mut storage);
        writer.write_all(b"abc").unwrap();
        read_fd_into(reader.as_fd(), &mut buf.unfilled()).unwrap();
        writer.write_all(b"defghijk").unwrap();
        let n = read_fd_into(reader.as_fd(), &mut buf.unfilled()).unwrap();
        assert_eq!(n, 5, "no more than the room left");
        assert_eq!(buf.filled(), b"abcdefgh");
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri does not model reading the write end of a pipe")]
    fn a_read_error_fills_nothing() {
        let (reader, writer) = std::io::pipe().unwrap();
        let mut storage = [MaybeUninit::<u8>::uninit(); 4];
        let mut buf = ReadBuf::uninit(&mut storage);
        // The write end of a pipe cannot be read.
        assert!(read_fd_into(writer.as_fd(), &mut buf.unfilled()).is_err());
        assert!(buf.filled().is_empty());
        drop(reader);
    }

    #[test]
    fn an_initialized_read_gets_at_most_max_bytes() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 16];
        let mut buf = ReadBuf::uninit(&mut storage);
        let poll = read_initialized_into(&mut buf.unfilled(), 4, |slice| {
            assert_eq!(slice, [0; 4], "zero-filled, and no longer than max");
            slice[..3].copy_from_slice(b"xyz");
            Poll::Ready(Ok(3))
        });
        assert_eq!(poll.map(Result::unwrap), Poll::Ready(3));
        assert_eq!(buf.filled(), b"xyz");
    }

    #[test]
    fn a_pending_or_failed_initialized_read_fills_nothing() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 8];
        let mut buf = ReadBuf::uninit(&mut storage);
        assert!(read_initialized_into(&mut buf.unfilled(), 8, |_| Poll::Pending).is_pending());
        let failed = read_initialized_into(&mut buf.unfilled(), 8, |_| {
            Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()))
        });
        assert!(matches!(failed, Poll::Ready(Err(_))));
        assert!(buf.filled().is_empty());
    }

    #[test]
    #[should_panic(expected = "reported 9 bytes read into a 8-byte buffer")]
    fn a_reader_that_claims_too_much_is_refused() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 8];
        let mut buf = ReadBuf::uninit(&mut storage);
        let _ = read_initialized_into(&mut buf.unfilled(), 8, |_| Poll::Ready(Ok(9)));
    }
}
