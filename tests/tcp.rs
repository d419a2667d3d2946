//! TCP on the reactor: real sockets on 127.0.0.1.

use std::io;
use std::net::Shutdown;
use std::rc::Rc;

mod common;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpSocket, TcpStream};

/// A listener on a free port and a stream connected to it, with the accepted side.
async fn connected_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let client = evloop::spawn(async move { TcpStream::connect(addr).await });
    let (server, peer) = listener.accept().await?;
    let client = client.await??;
    assert_eq!(peer, client.local_addr()?);
    assert_eq!(client.peer_addr()?, addr);
    Ok((client, server))
}

#[test]
fn echo_round_trip() -> io::Result<()> {
    evloop::block_on(async {
        let (mut client, mut server) = connected_pair().await?;
        client.set_nodelay(true)?;
        assert!(client.nodelay()?);
        client.write_all(b"hello").await?;
        let mut buf = [0; 5];
        server.read_exact(&mut buf).await?;
        server.write_all(&buf).await?;
        let mut reply = [0; 5];
        client.read_exact(&mut reply).await?;
        assert_eq!(&reply, b"hello");
        Ok(())
    })
}

#[test]
fn one_task_reads_while_another_writes_through_shared_references() -> io::Result<()> {
    const MESSAGES: usize = 200;
    evloop::block_on(async {
        let (client, mut server) = connected_pair().await?;
        // The server echoes everything back.
        let echo = evloop::spawn(async move {
            let mut buf = [0; 1024];
            loop {
                match server.read(&mut buf).await? {
                    0 => return io::Result::Ok(()),
                    n => server.write_all(&buf[..n]).await?,
                }
            }
        });
        let client = Rc::new(client);
        let writer = client.clone();
        let sender = evloop::spawn(async move {
            for i in 0..MESSAGES {
                (&*writer).write_all(&(i as u32).to_le_bytes()).await?;
            }
            writer.shutdown(Shutdown::Write)
        });
        let mut received = Vec::new();
        (&*client).read_to_end(&mut received).await?;
        sender.await??;
        echo.await??;
        let numbers: Vec<u32> = received
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(numbers, (0..MESSAGES as u32).collect::<Vec<_>>());
        Ok(())
    })
}

#[test]
fn split_halves_read_and_write_concurrently() -> io::Result<()> {
    evloop::block_on(async {
        let (client, server) = connected_pair().await?;
        let (mut server_read, mut server_write) = server.split();
        let echo = evloop::spawn(async move {
            let copied = evloop::io::copy(&mut server_read, &mut server_write).await?;
            // Dropping the owned write half shuts the write side down.
            drop(server_write);
            io::Result::Ok(copied)
        });
        // Borrowed halves: two shared references, with no split at all.
        let (mut read_half, mut write_half) = (&client, &client);
        let payload = vec![7u8; 200_000];
        let writing = async {
            write_half.write_all(&payload).await?;
            write_half.close().await
        };
        let mut echoed = Vec::new();
        let reading = read_half.read_to_end(&mut echoed);
        let (written, read) = futures::future::join(writing, reading).await;
        written?;
        assert_eq!(read?, payload.len());
        assert_eq!(echoed, payload);
        assert_eq!(echo.await??, payload.len() as u64);
        Ok(())
    })
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    evloop::block_on(async {
        // Bind a port, then close it: nothing listens there now.
        let addr = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let error = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn malformed_addresses_are_errors_not_panics() {
    evloop::block_on(async {
        for bad in [
            "not an address",
            "127.0.0.1",
            "127.0.0.1:99999",
            "[::1:80",
            ":80",
        ] {
            let error = TcpStream::connect(bad).await.unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad}");
            let error = TcpListener::bind(bad).await.unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad}");
        }
    });
}

#[test]
fn host_names_resolve_off_the_loop() -> io::Result<()> {
    evloop::block_on(async {
        let listener = TcpListener::bind("localhost:0").await?;
        let port = listener.local_addr()?.port();
        let accept = evloop::spawn(async move { listener.accept().await.map(|_| ()) });
        TcpStream::connect(("localhost", port)).await?;
        accept.await??;
        // A label longer than DNS allows fails inside the resolver, without a query.
        let unresolvable = format!("{}.invalid:80", "a".repeat(70));
        assert!(TcpStream::connect(unresolvable.as_str()).await.is_err());
        Ok(())
    })
}

#[test]
fn peer_half_close_reads_zero_and_writing_still_works() -> io::Result<()> {
    evloop::block_on(async {
        let (mut client, mut server) = connected_pair().await?;
        client.write_all(b"last words").await?;
        client.shutdown(Shutdown::Write)?;
        let mut received = Vec::new();
        server.read_to_end(&mut received).await?;
        assert_eq!(received, b"last words");
        assert_eq!(
            server.read(&mut [0; 8]).await?,
            0,
            "end of stream stays end of stream"
        );
        server.write_all(b"still here").await?;
        server.close().await?;
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await?;
        assert_eq!(reply, b"still here");
        Ok(())
    })
}

#[test]
fn tcp_socket_with_reuseport_serves_one_port_from_two_listeners() -> io::Result<()> {
    evloop::block_on(async {
        let first = TcpSocket::new_v4()?;
        first.set_reuseport(true)?;
        assert!(first.reuseport()?);
        first.bind("127.0.0.1:0".parse().unwrap())?;
        let addr = first.local_addr()?;
        let second = TcpSocket::new_v4()?;
        second.set_reuseport(true)?;
        second.bind(addr)?;
        let (first, second) = (first.listen(128)?, second.listen(128)?);
        assert_eq!(first.local_addr()?, second.local_addr()?);
        Ok(())
    })
}

#[test]
fn try_read_and_try_write_do_not_wait() -> io::Result<()> {
    evloop::block_on(async {
        let (client, server) = connected_pair().await?;
        let mut buf = [0; 16];
        let error = server.try_read(&mut buf).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(client.try_write(b"abc")?, 3);
        server.readable().await?;
        assert_eq!(server.peek(&mut buf).await?, 3);
        assert_eq!(server.try_read(&mut buf)?, 3);
        assert_eq!(&buf[..3], b"abc");
        Ok(())
    })
}

#[test]
fn std_conversions_round_trip() -> io::Result<()> {
    evloop::block_on(async {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let addr = std_listener.local_addr()?;
        let listener = TcpListener::from_std(std_listener)?;
        let std_stream = std::net::TcpStream::connect(addr)?;
        let stream = TcpStream::from_std(std_stream)?;
        let (accepted, _) = listener.accept().await?;
        let std_back = stream.into_std()?;
        assert_eq!(std_back.peer_addr()?, addr);
        assert_eq!(listener.into_std()?.local_addr()?, addr);
        drop(accepted);
        Ok(())
    })
}
