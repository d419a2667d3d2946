//! Turning what the user wrote ("localhost:8080", a `SocketAddr`, `("::1", 9)`) into
//! socket addresses, without blocking the loop on DNS.
//!
//! Literal IP addresses are parsed in place. A host name needs `getaddrinfo`, which
//! blocks (it may wait on a DNS server), so it runs on the blocking pool while the task
//! waits for the answer.

#![deny(unsafe_code)]

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::vec;

/// Things that name one or more socket addresses, like std's trait of the same name,
/// but resolved without blocking the runtime.
///
/// Implemented for `SocketAddr` (and its V4/V6 forms), `(IpAddr, u16)`, `(&str, u16)`,
/// `(String, u16)`, `&str` and `String` as `"host:port"`, and `&[SocketAddr]`.
///
/// # Examples
///
/// ```no_run
/// # evloop::block_on(async {
/// let by_name = evloop::net::TcpStream::connect("localhost:7778").await?;
/// let by_ip = evloop::net::TcpStream::connect(("127.0.0.1", 7778)).await?;
/// # drop((by_name, by_ip));
/// # std::io::Result::Ok(()) })?;
/// # std::io::Result::Ok(())
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

mod sealed {
    use super::Target;

    /// Hidden from users: how each address form becomes a [`Target`].
    pub trait Sealed {
        fn to_target(&self) -> std::io::Result<Target>;
    }
}

/// What resolving needs to do.
#[doc(hidden)]
#[derive(Debug)]
pub enum Target {
    /// The addresses are known already.
    Addrs(Vec<SocketAddr>),
    /// A host name to look up, with the port.
    Lookup(String, u16),
}

/// Resolves `addr` to one or more socket addresses.
pub(crate) async fn resolve(addr: &impl ToSocketAddrs) -> io::Result<vec::IntoIter<SocketAddr>> {
    let addrs = match addr.to_target()? {
        Target::Addrs(addrs) => addrs,
        Target::Lookup(host, port) => lookup_on_pool(host, port).await?,
    };
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to nothing",
        ));
    }
    Ok(addrs.into_iter())
}

/// Tries `f` on each address in turn; returns the first success or the last error.
pub(crate) async fn for_each_addr<T, F, Fut>(addr: &impl ToSocketAddrs, mut f: F) -> io::Result<T>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last_error = None;
    for addr in resolve(addr).await? {
        match f(addr).await {
            Ok(value) => return Ok(value),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.expect("resolve returns at least one address"))
}

/// `getaddrinfo` blocks, so it runs on the blocking pool.
async fn lookup_on_pool(host: String, port: u16) -> io::Result<Vec<SocketAddr>> {
    let lookup = crate::task::spawn_blocking(move || {
        std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)).map(Iterator::collect)
    });
    lookup.await?
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Parses `"host:port"` (IPv6 literals in brackets): literal addresses become
/// `Addrs`, names become `Lookup`.
fn parse_host_port(text: &str) -> io::Result<Target> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(Target::Addrs(vec![addr]));
    }
    let Some((host, port)) = text.rsplit_once(':') else {
        return Err(invalid(format!(
            "invalid socket address {text:?}: expected \"host:port\""
        )));
    };
    let port: u16 = port
        .parse()
        .map_err(|_| invalid(format!("invalid port {port:?} in socket address {text:?}")))?;
    host_and_port(host, port)
}

fn host_and_port(host: &str, port: u16) -> io::Result<Target> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Target::Addrs(vec![SocketAddr::new(ip, port)]));
    }
    if host.is_empty() || host.contains(['[', ']', '/', ' ']) {
        return Err(invalid(format!("invalid host name {host:?}")));
    }
    Ok(Target::Lookup(host.to_owned(), port))
}

macro_rules! literal_addr {
    ($($t:ty),*) => {$(
        impl ToSocketAddrs for $t {}
        impl sealed::Sealed for $t {
            fn to_target(&self) -> io::Result<Target> {
                Ok(Target::Addrs(vec![SocketAddr::from(*self)]))
            }
        }
    )*};
}

literal_addr!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16)
);

impl ToSocketAddrs for str {}
impl sealed::Sealed for str {
    fn to_target(&self) -> io::Result<Target> {
        parse_host_port(self)
    }
}

impl ToSocketAddrs for String {}
impl sealed::Sealed for String {
    fn to_target(&self) -> io::Result<Target> {
        parse_host_port(self)
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl sealed::Sealed for (&str, u16) {
    fn to_target(&self) -> io::Result<Target> {
        host_and_port(self.0, self.1)
    }
}

impl ToSocketAddrs for (String, u16) {}
impl sealed::Sealed for (String, u16) {
    fn to_target(&self) -> io::Result<Target> {
        host_and_port(&self.0, self.1)
    }
}

impl ToSocketAddrs for [SocketAddr] {}
impl sealed::Sealed for [SocketAddr] {
    fn to_target(&self) -> io::Result<Target> {
        Ok(Target::Addrs(self.to_vec()))
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrs + ?Sized> sealed::Sealed for &T {
    fn to_target(&self) -> io::Result<Target> {
        (**self).to_target()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealed::Sealed;

    fn addrs(target: io::Result<Target>) -> Vec<SocketAddr> {
        match target.unwrap() {
            Target::Addrs(addrs) => addrs,
            Target::Lookup(host, port) => panic!("unexpected lookup of {host}:{port}"),
        }
    }

    #[test]
    fn literals_need_no_lookup() {
        assert_eq!(
            addrs("127.0.0.1:80".to_target()),
            ["127.0.0.1:80".parse().unwrap()]
        );
        assert_eq!(addrs("[::1]:9".to_target()), ["[::1]:9".parse().unwrap()]);
        assert_eq!(
            addrs(("10.0.0.1", 5).to_target()),
            ["10.0.0.1:5".parse().unwrap()]
        );
    }

    #[test]
    fn names_are_looked_up() {
        assert!(
            matches!("localhost:80".to_target(), Ok(Target::Lookup(h, 80)) if h == "localhost")
        );
    }

    #[test]
    fn malformed_addresses_are_invalid_input() {
        for bad in [
            "",
            "no port",
            "host:",
            "host:99999",
            "host:-1",
            ":80",
            "[::1:80",
            "a b:1",
        ] {
            let error = bad.to_target().unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
    }
}
