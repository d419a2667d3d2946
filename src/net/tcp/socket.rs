//! `TcpSocket`: a TCP socket not yet listening or connected, to set options first.

#![deny(unsafe_code)]

use std::io;
use std::net::{self, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use super::{TcpListener, TcpStream};
use crate::sys::socket::{self, RawAddr};

/// A TCP socket before `listen` or `connect`: the place for options that must be set
/// first, such as `SO_REUSEPORT` (several listeners, e.g. one runtime per core, sharing
/// one port) or a custom backlog.
///
/// # Examples
///
/// ```no_run
/// use evloop::net::TcpSocket;
///
/// # evloop::block_on(async {
/// let socket = TcpSocket::new_v4()?;
/// socket.set_reuseport(true)?;
/// socket.bind("127.0.0.1:7778".parse().unwrap())?;
/// let listener = socket.listen(4096)?;
/// println!("listening on {}", listener.local_addr()?);
/// # std::io::Result::Ok(()) })?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug)]
pub struct TcpSocket {
    fd: OwnedFd,
}

impl TcpSocket {
    /// An IPv4 TCP socket (non-blocking, close-on-exec).
    pub fn new_v4() -> io::Result<TcpSocket> {
        Self::new(libc::AF_INET)
    }

    /// An IPv6 TCP socket (non-blocking, close-on-exec).
    pub fn new_v6() -> io::Result<TcpSocket> {
        Self::new(libc::AF_INET6)
    }

    /// A socket of the family `addr` needs.
    pub(crate) fn for_addr(addr: &SocketAddr) -> io::Result<TcpSocket> {
        Self::new(socket::domain_of(addr))
    }

    fn new(domain: libc::c_int) -> io::Result<TcpSocket> {
        Ok(TcpSocket {
            fd: socket::socket(domain, libc::SOCK_STREAM)?,
        })
    }

    /// `SO_REUSEADDR`: bind a port that still has connections in `TIME_WAIT`.
    pub fn set_reuseaddr(&self, reuse: bool) -> io::Result<()> {
        socket::set_int_option(
            self.fd.as_fd(),
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            reuse.into(),
        )
    }

    /// Whether `SO_REUSEADDR` is set.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        Ok(socket::int_option(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR)? != 0)
    }

    /// `SO_REUSEPORT`: let several sockets bind the same address; the kernel spreads
    /// incoming connections across their listeners.
    pub fn set_reuseport(&self, reuse: bool) -> io::Result<()> {
        socket::set_int_option(
            self.fd.as_fd(),
            libc::SOL_SOCKET,
            libc::SO_REUSEPORT,
            reuse.into(),
        )
    }

    /// Whether `SO_REUSEPORT` is set.
    pub fn reuseport(&self) -> io::Result<bool> {
        Ok(socket::int_option(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEPORT)? != 0)
    }

    /// Binds the socket to a local address.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        socket::bind(self.fd.as_fd(), &RawAddr::from_ip(&addr))
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        net::TcpListener::from(self.fd.try_clone()?).local_addr()
    }

    /// Starts listening with room for `backlog` queued connections, registered with
    /// the current runtime.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        socket::listen(self.fd.as_fd(), backlog)?;
        TcpListener::from_listening(net::TcpListener::from(self.fd))
    }

    /// Connects to `addr`; see [`TcpStream::connect`].
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        TcpStream::connect_socket(self.fd, addr).await
    }
}

impl AsFd for TcpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
