//! UDP on the reactor: real sockets on 127.0.0.1.

use std::io;
use std::net::SocketAddr;

use evloop::net::UdpSocket;

/// Two sockets on free ports of 127.0.0.1.
async fn two_sockets() -> io::Result<(UdpSocket, UdpSocket)> {
    Ok((
        UdpSocket::bind("127.0.0.1:0").await?,
        UdpSocket::bind("127.0.0.1:0").await?,
    ))
}

#[test]
fn send_to_and_recv_from_round_trip() -> io::Result<()> {
    evloop::block_on(async {
        let (a, b) = two_sockets().await?;
        assert_eq!(a.send_to(b"ping", b.local_addr()?).await?, 4);
        let mut buf = [0; 64];
        let (n, from) = b.recv_from(&mut buf).await?;
        assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
        // The reply names its target as a string, resolved on the way.
        b.send_to(b"pong", from.to_string()).await?;
        let (n, from) = a.recv_from(&mut buf).await?;
        assert_eq!((&buf[..n], from), (&b"pong"[..], b.local_addr()?));
        Ok(())
    })
}

#[test]
fn connected_sockets_send_and_recv() -> io::Result<()> {
    evloop::block_on(async {
        let (a, b) = two_sockets().await?;
        a.connect(b.local_addr()?).await?;
        b.connect(a.local_addr()?).await?;
        assert_eq!(a.peer_addr()?, b.local_addr()?);
        a.send(b"hello").await?;
        let mut buf = [0; 64];
        let n = b.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"hello");
        b.send(b"back").await?;
        let n = a.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"back");
        Ok(())
    })
}

#[test]
fn peek_from_leaves_the_datagram_queued() -> io::Result<()> {
    evloop::block_on(async {
        let (a, b) = two_sockets().await?;
        a.send_to(b"twice", b.local_addr()?).await?;
        let mut buf = [0; 64];
        let peeked = b.peek_from(&mut buf).await?;
        assert_eq!(peeked, (5, a.local_addr()?));
        assert_eq!(b.peek(&mut buf).await?, 5);
        let received = b.recv_from(&mut buf).await?;
        assert_eq!(received, peeked);
        assert_eq!(&buf[..5], b"twice");
        assert_eq!(
            b.try_recv_from(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock,
            "the datagram was received once"
        );
        Ok(())
    })
}

/// The size and contents of datagram `i`: its number, then a pattern derived from it.
fn datagram(i: u32) -> Vec<u8> {
    // 4 to 1,003 bytes: 100 in flight stay well inside the default receive buffer.
    let len = 4 + (i as usize * 7_919) % 1_000;
    let mut data = i.to_le_bytes().to_vec();
    data.extend((4..len).map(|j| (j as u32 ^ i) as u8));
    data
}

#[test]
fn a_thousand_datagrams_of_varying_sizes_arrive_intact() -> io::Result<()> {
    const COUNT: u32 = 1_000;
    /// The sender waits for an ack after this many datagrams, so the receiver's
    /// buffer never overflows (loopback UDP drops only when the receiver lags).
    const WINDOW: u32 = 100;
    evloop::block_on(async {
        let (sender, receiver) = two_sockets().await?;
        sender.connect(receiver.local_addr()?).await?;
        receiver.connect(sender.local_addr()?).await?;
        let sending = evloop::spawn(async move {
            let mut ack = [0; 4];
            for i in 0..COUNT {
                let data = datagram(i);
                assert_eq!(sender.send(&data).await?, data.len());
                if (i + 1) % WINDOW == 0 {
                    assert_eq!(sender.recv(&mut ack).await?, 4);
                    assert_eq!(u32::from_le_bytes(ack), i);
                }
            }
            io::Result::Ok(())
        });
        let mut buf = vec![0; 2048];
        for i in 0..COUNT {
            let n = receiver.recv(&mut buf).await?;
            assert_eq!(buf[..n], datagram(i), "datagram {i}");
            if (i + 1) % WINDOW == 0 {
                receiver.send(&i.to_le_bytes()).await?;
            }
        }
        sending.await??;
        Ok(())
    })
}

#[test]
fn try_recv_on_an_empty_socket_would_block() -> io::Result<()> {
    evloop::block_on(async {
        let (a, b) = two_sockets().await?;
        a.connect(b.local_addr()?).await?;
        let mut buf = [0; 16];
        assert_eq!(
            a.try_recv(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        assert_eq!(
            a.try_recv_from(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        assert_eq!(b.try_send_to(b"x", a.local_addr()?)?, 1);
        a.readable().await?;
        assert_eq!(a.try_recv(&mut buf)?, 1);
        assert_eq!(a.try_send(b"y")?, 1);
        b.writable().await?;
        Ok(())
    })
}

#[test]
fn malformed_addresses_are_invalid_input() {
    evloop::block_on(async {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        for bad in ["not an address", "127.0.0.1", "127.0.0.1:99999", "[::1:80"] {
            let kind = |result: io::Result<()>| result.unwrap_err().kind();
            let invalid = io::ErrorKind::InvalidInput;
            assert_eq!(kind(UdpSocket::bind(bad).await.map(drop)), invalid, "{bad}");
            assert_eq!(kind(socket.connect(bad).await), invalid, "{bad}");
            assert_eq!(kind(socket.send_to(b"x", bad).await.map(drop)), invalid);
        }
    });
}

#[test]
fn a_connected_socket_learns_that_nobody_listens() -> io::Result<()> {
    /// Bound on datagrams sent: loopback answers the first one with ICMP "port
    /// unreachable" at once; the retries only guard against a lost reply.
    const ATTEMPTS: usize = 100;
    evloop::block_on(async {
        // Bind a port, then close it: nothing listens there now.
        let closed: SocketAddr = UdpSocket::bind("127.0.0.1:0").await?.local_addr()?;
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        socket.connect(closed).await?;
        let mut buf = [0; 16];
        let mut refused = false;
        for _ in 0..ATTEMPTS {
            match socket.send(b"anyone?").await {
                // An earlier datagram's refusal, reported by this call instead.
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                result => result?,
            };
            // Let the reactor deliver the error event.
            evloop::task::yield_now().await;
            match socket.try_recv(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    refused = true;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(refused, "no ConnectionRefused after {ATTEMPTS} datagrams");

        // The error was reported once; the socket goes on waiting for datagrams
        // instead of spinning on its old error.
        let listener = UdpSocket::bind(closed).await?;
        let local = socket.local_addr()?;
        let reply = evloop::spawn(async move { listener.send_to(b"here", local).await });
        let n = socket.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"here");
        reply.await??;
        Ok(())
    })
}

#[test]
fn options_and_std_conversions() -> io::Result<()> {
    evloop::block_on(async {
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        socket.set_broadcast(true)?;
        assert!(socket.broadcast()?);
        socket.set_ttl(7)?;
        assert_eq!(socket.ttl()?, 7);
        assert!(socket.take_error()?.is_none());
        assert!(format!("{socket:?}").contains("UdpSocket"));
        let addr = socket.local_addr()?;
        let std_socket = socket.into_std()?;
        assert_eq!(std_socket.local_addr()?, addr);
        let socket = UdpSocket::from_std(std_socket)?;
        socket.send_to(b"self", addr).await?;
        let mut buf = [0; 8];
        assert_eq!(socket.recv_from(&mut buf).await?, (4, addr));
        Ok(())
    })
}
