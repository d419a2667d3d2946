//! evloop's io traits beside the `futures` crate's, as a program that uses both
//! imports them. That this file compiles is most of the test: `evloop::io`'s extension
//! traits are futures-util's own, so no call below is ambiguous (E0034), and
//! `stream.split()` is evloop's lock-free split, not futures' lock-based one.

use std::io;

use evloop::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use evloop::net::{TcpListener, TcpStream, UnixStream};

/// A connected pair of TCP streams.
async fn connected_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

/// Both crates' traits in scope under their own names, as in the report that two
/// different `AsyncReadExt`s made `s.read(..)` ambiguous.
mod named_imports {
    use super::*;
    use evloop::io::{AsyncReadExt, AsyncWriteExt};
    #[allow(
        unused_imports,
        reason = "rustc sees that these are the traits imported above, which is the point"
    )]
    use futures::{AsyncReadExt as _, AsyncWriteExt as _};

    #[test]
    fn read_and_write_are_not_ambiguous() -> io::Result<()> {
        evloop::block_on(async {
            let (mut a, mut b) = UnixStream::pair()?;
            a.write_all(b"ping").await?;
            let mut buf = [0; 4];
            let n = b.read(&mut buf).await?;
            b.read_exact(&mut buf[n..]).await?;
            assert_eq!(&buf, b"ping");
            Ok(())
        })
    }

    #[test]
    fn split_is_evloops_lock_free_split() -> io::Result<()> {
        evloop::block_on(async {
            let (client, mut server) = connected_pair().await?;
            // futures' `AsyncReadExt::split(self)` is in scope and applies to any
            // stream; evloop's inherent `split(self)` is found first. The type
            // annotation is the check.
            let (mut reader, mut writer): (OwnedReadHalf, OwnedWriteHalf) = client.split();
            writer.write_all(b"hi").await?;
            let mut got = [0; 2];
            server.read_exact(&mut got).await?;
            server.write_all(b"yo").await?;
            reader.read_exact(&mut got).await?;
            assert_eq!(&got, b"yo");
            Ok(())
        })
    }
}

/// The `futures` prelude (a glob) beside evloop's traits.
mod prelude_glob {
    use super::*;
    use evloop::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    use futures::prelude::*;

    #[test]
    fn buffered_reads_and_streams_mix() -> io::Result<()> {
        evloop::block_on(async {
            let (mut a, b) = UnixStream::pair()?;
            a.write_all(b"one\ntwo\n").await?;
            a.close().await?;
            let mut reader = BufReader::new(b);
            let mut first = String::new();
            reader.read_line(&mut first).await?;
            let rest: Vec<String> = reader.lines().try_collect().await?;
            assert_eq!((first.as_str(), rest), ("one\n", vec!["two".to_string()]));
            let mut nothing = Vec::new();
            a.read_to_end(&mut nothing).await?;
            Ok(())
        })
    }
}

/// The traits are one and the same: a function item has a type of its own, so
/// assigning one trait's `read` to a variable holding the other's compiles only if
/// they are the same function of the same trait.
#[test]
#[allow(
    unused_assignments,
    reason = "each first value is overwritten unread: only the types are compared"
)]
fn the_traits_are_the_same_items() {
    let mut read = <UnixStream as evloop::io::AsyncReadExt>::read;
    read = <UnixStream as futures::io::AsyncReadExt>::read;
    let mut write_all = <UnixStream as evloop::io::AsyncWriteExt>::write_all;
    write_all = <UnixStream as futures::io::AsyncWriteExt>::write_all;
    let mut read_line =
        <evloop::io::BufReader<UnixStream> as evloop::io::AsyncBufReadExt>::read_line;
    read_line = <futures::io::BufReader<UnixStream> as futures::io::AsyncBufReadExt>::read_line;
    let _ = (read, write_all, read_line);
}
