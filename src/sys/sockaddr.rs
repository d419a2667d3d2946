//! Socket addresses in the C layout the kernel reads and writes: IP addresses from
//! std's `SocketAddr`, and Unix socket paths.

use std::io;
use std::mem;
use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// An address in the C layout the kernel reads, with its length.
pub(crate) struct RawAddr {
    pub(super) storage: libc::sockaddr_storage,
    pub(super) len: libc::socklen_t,
}

impl RawAddr {
    /// Room for any address the kernel may write (e.g. `accept`'s peer).
    pub(super) fn empty() -> RawAddr {
        RawAddr {
            // SAFETY: all-zero bytes are a valid sockaddr_storage (an unspecified family).
            storage: unsafe { mem::zeroed() },
            len: mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t,
        }
    }

    pub(super) fn as_ptr(&self) -> *const libc::sockaddr {
        (&raw const self.storage).cast()
    }

    /// The C form of an IP socket address.
    pub(crate) fn from_ip(addr: &SocketAddr) -> RawAddr {
        let mut raw = RawAddr::empty();
        let len = match addr {
            SocketAddr::V4(v4) => {
                let sin = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: v4.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(v4.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
                unsafe {
                    (&raw mut raw.storage)
                        .cast::<libc::sockaddr_in>()
                        .write(sin)
                };
                mem::size_of::<libc::sockaddr_in>()
            }
            SocketAddr::V6(v6) => {
                let sin6 = libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: v6.port().to_be(),
                    sin6_flowinfo: v6.flowinfo(),
                    sin6_addr: libc::in6_addr {
                        s6_addr: v6.ip().octets(),
                    },
                    sin6_scope_id: v6.scope_id(),
                };
                // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
                unsafe {
                    (&raw mut raw.storage)
                        .cast::<libc::sockaddr_in6>()
                        .write(sin6)
                };
                mem::size_of::<libc::sockaddr_in6>()
            }
        };
        raw.len = len as libc::socklen_t;
        raw
    }

    /// The C form of a Unix socket path (a file system path, NUL-terminated).
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the path is empty, does not fit `sun_path`, or holds a NUL
    /// byte.
    pub(crate) fn from_unix_path(path: &Path) -> io::Result<RawAddr> {
        let bytes = path.as_os_str().as_bytes();
        // SAFETY: all-zero bytes are a valid sockaddr_un (family 0, empty path).
        let mut sun: libc::sockaddr_un = unsafe { mem::zeroed() };
        let invalid = |message: String| Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        if bytes.is_empty() {
            // With only the terminating NUL, the kernel would read a name in the
            // abstract namespace (a leading NUL byte), not a file.
            return invalid("a Unix socket path may not be empty".into());
        }
        if bytes.contains(&0) {
            return invalid(format!(
                "a Unix socket path may not contain a NUL byte: {path:?}"
            ));
        }
        // One byte stays for the terminating NUL.
        if bytes.len() >= sun.sun_path.len() {
            return invalid(format!(
                "a Unix socket path must be shorter than {} bytes; {path:?} has {}",
                sun.sun_path.len(),
                bytes.len()
            ));
        }
        sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
        for (dst, src) in sun.sun_path.iter_mut().zip(bytes) {
            *dst = *src as libc::c_char;
        }
        let mut raw = RawAddr::empty();
        // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_un.
        unsafe {
            (&raw mut raw.storage)
                .cast::<libc::sockaddr_un>()
                .write(sun)
        };
        raw.len =
            (mem::offset_of!(libc::sockaddr_un, sun_path) + bytes.len() + 1) as libc::socklen_t;
        Ok(raw)
    }

    /// Reads back an IP address the kernel wrote.
    pub(super) fn to_ip(&self) -> io::Result<SocketAddr> {
        match self.storage.ss_family as libc::c_int {
            libc::AF_INET => {
                // SAFETY: the kernel said AF_INET, so it wrote a sockaddr_in.
                let sin = unsafe { &*self.as_ptr().cast::<libc::sockaddr_in>() };
                // `s_addr` holds the four octets in network order, as they lie in memory.
                Ok(SocketAddr::V4(SocketAddrV4::new(
                    sin.sin_addr.s_addr.to_ne_bytes().into(),
                    u16::from_be(sin.sin_port),
                )))
            }
            libc::AF_INET6 => {
                // SAFETY: the kernel said AF_INET6, so it wrote a sockaddr_in6.
                let sin6 = unsafe { &*self.as_ptr().cast::<libc::sockaddr_in6>() };
                Ok(SocketAddr::V6(SocketAddrV6::new(
                    sin6.sin6_addr.s6_addr.into(),
                    u16::from_be(sin6.sin6_port),
                    sin6.sin6_flowinfo,
                    sin6.sin6_scope_id,
                )))
            }
            family => Err(io::Error::other(format!(
                "the kernel returned an address of family {family}, not IPv4 or IPv6"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_addresses_round_trip_through_the_c_layout() {
        for text in ["127.0.0.1:8080", "[::1]:9", "[fe80::1%3]:443", "0.0.0.0:0"] {
            let addr: SocketAddr = text.parse().unwrap();
            assert_eq!(RawAddr::from_ip(&addr).to_ip().unwrap(), addr);
        }
    }

    #[test]
    fn unix_paths_that_do_not_fit_are_refused() {
        let raw = RawAddr::from_unix_path(Path::new("/tmp/evloop.sock")).unwrap();
        let offset = mem::offset_of!(libc::sockaddr_un, sun_path);
        assert_eq!(raw.len as usize, offset + "/tmp/evloop.sock".len() + 1);
        assert_eq!(raw.storage.ss_family as libc::c_int, libc::AF_UNIX);
        assert!(RawAddr::from_unix_path(Path::new(&"x".repeat(107))).is_ok());
        for bad in [
            "x".repeat(108),
            "x".repeat(200),
            "a\0b".into(),
            String::new(),
        ] {
            let error = RawAddr::from_unix_path(Path::new(&bad)).err().unwrap();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
    }
}
