//! The io helpers (futures-util's, re-exported by `evloop::io`) and evloop's
//! `copy_bidirectional`, over real sockets on 127.0.0.1.

use std::io;
use std::time::Duration;

use evloop::io::{
    AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter, copy, copy_bidirectional,
};
use evloop::net::{TcpListener, TcpStream};
use futures::{StreamExt, TryStreamExt};

mod common;

/// How long any one scenario may take; only reached when something is broken.
const LIMIT: Duration = Duration::from_secs(20);

/// A connected pair of streams: (the client's end, the server's end).
async fn connected_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

#[test]
fn buf_reader_reads_lines_and_up_to_delimiters() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (mut client, server) = connected_pair().await?;
            let writer = evloop::spawn(async move {
                client.write_all(b"first line\nsecond;").await?;
                client.write_all(b"rest\nline three\nline four").await?;
                client.close().await
            });
            let mut reader = BufReader::new(server);
            let mut line = String::new();
            assert_eq!(reader.read_line(&mut line).await?, 11);
            assert_eq!(line, "first line\n");
            let mut field = Vec::new();
            reader.read_until(b';', &mut field).await?;
            assert_eq!(field, b"second;");
            // `lines` is a `Stream` of the remaining lines, without their `\n`, and the
            // last one need not end in one.
            let lines: Vec<String> = reader.lines().try_collect().await?;
            assert_eq!(lines, ["rest", "line three", "line four"]);
            writer.await.unwrap()
        })
    })
    .unwrap();
}

#[test]
fn buf_writer_sends_nothing_until_full_or_flushed() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (client, mut server) = connected_pair().await?;
            let mut writer = BufWriter::new(client);
            for word in ["one ", "two ", "three"] {
                writer.write_all(word.as_bytes()).await?;
            }
            let early = server.try_read(&mut [0; 16]).unwrap_err();
            assert_eq!(early.kind(), io::ErrorKind::WouldBlock, "still buffered");
            writer.flush().await?;
            let mut buf = [0; 13];
            server.read_exact(&mut buf).await?;
            assert_eq!(&buf, b"one two three");
            // Closing flushes first, then shuts the stream's write side down.
            writer.write_all(b"!").await?;
            writer.close().await?;
            let mut rest = String::new();
            server.read_to_string(&mut rest).await?;
            assert_eq!(rest, "!");
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn take_chain_and_copy_move_exactly_what_they_say() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (mut client, server) = connected_pair().await?;
            let header: &[u8] = b"HEAD ";
            let body = vec![b'x'; 100_000];
            let sender = evloop::spawn(async move {
                let mut source = header.chain(&body[..]).take(50_005);
                let copied = copy(&mut source, &mut client).await?;
                client.close().await?;
                io::Result::Ok(copied)
            });
            let mut received = String::new();
            BufReader::new(server).read_to_string(&mut received).await?;
            assert_eq!(sender.await.unwrap()?, 50_005);
            assert_eq!(received.len(), 50_005);
            assert!(received.starts_with("HEAD xxx"));
            assert!(received[5..].bytes().all(|b| b == b'x'));
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn read_to_string_rejects_invalid_utf8_with_an_error() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (mut client, mut server) = connected_pair().await?;
            client.write_all(&[b'o', b'k', 0xff, 0xfe]).await?;
            client.close().await?;
            let mut text = String::new();
            let error = server.read_to_string(&mut text).await.unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidData);
            assert!(text.is_empty(), "nothing is appended on an error");
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn lock_based_split_serves_any_stream_type() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (client, mut server) = connected_pair().await?;
            // A buffered stream has no lock-free split of its own; futures-util's works
            // on anything that reads and writes.
            let (mut reader, mut writer) = AsyncReadExt::split(BufReader::new(client));
            writer.write_all(b"ping\n").await?;
            let mut line = String::new();
            BufReader::new(&mut server).read_line(&mut line).await?;
            assert_eq!(line, "ping\n");
            server.write_all(b"pong").await?;
            let mut reply = [0; 4];
            reader.read_exact(&mut reply).await?;
            assert_eq!(&reply, b"pong");
            let client = reader.reunite(writer).expect("halves of one stream");
            assert!(client.buffer().is_empty());
            io::Result::Ok(())
        })
    })
    .unwrap();
}

/// A client, a proxy running `copy_bidirectional`, and a server: bytes both ways,
/// and each side's end of stream passed on to the other.
#[test]
fn copy_bidirectional_relays_both_ways_and_passes_half_closes_on() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (mut client, mut front) = connected_pair().await?;
            let (mut back, mut server) = connected_pair().await?;
            let proxy =
                evloop::spawn(async move { copy_bidirectional(&mut front, &mut back).await });

            let request = vec![1u8; 300_000];
            let response = vec![2u8; 200_000];
            let client_side = async {
                client.write_all(&request).await?;
                client.close().await?;
                let mut echoed = Vec::new();
                client.read_to_end(&mut echoed).await?;
                io::Result::Ok(echoed)
            };
            let server_side = async {
                let mut got = Vec::new();
                // Ends only when the proxy passed the client's half-close on.
                server.read_to_end(&mut got).await?;
                server.write_all(&response).await?;
                server.close().await?;
                io::Result::Ok(got)
            };
            let (echoed, got) = futures::try_join!(client_side, server_side)?;
            assert_eq!(got, request);
            assert_eq!(echoed, response);
            assert_eq!(proxy.await.unwrap()?, (300_000, 200_000));
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn copy_bidirectional_reports_a_reset_peer() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (mut client, mut front) = connected_pair().await?;
            let (mut back, server) = connected_pair().await?;
            let proxy =
                evloop::spawn(async move { copy_bidirectional(&mut front, &mut back).await });
            client.write_all(b"hello").await?;
            let mut server = BufReader::new(server);
            let mut greeting = [0; 5];
            server.read_exact(&mut greeting).await?;
            // Closing with SO_LINGER 0 sends a reset instead of a FIN.
            let server = server.into_inner();
            server.set_linger(Some(Duration::ZERO))?;
            drop(server);
            let error = proxy.await.unwrap().unwrap_err();
            assert!(
                matches!(
                    error.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
                ),
                "{error:?}"
            );
            // The proxy's streams closed with its task: the client's read returns (end
            // of stream, or a reset) instead of waiting forever.
            let _ = client.read_to_end(&mut Vec::new()).await;
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn lines_of_a_stream_end_with_the_connection() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (mut client, server) = connected_pair().await?;
            let sender = evloop::spawn(async move {
                for n in 0..1000 {
                    client.write_all(format!("line {n}\n").as_bytes()).await?;
                }
                client.close().await
            });
            let mut lines = BufReader::new(server).lines().enumerate();
            let mut count = 0;
            while let Some((n, line)) = lines.next().await {
                assert_eq!(line?, format!("line {n}"));
                count += 1;
            }
            assert_eq!(count, 1000);
            sender.await.unwrap()
        })
    })
    .unwrap();
}
