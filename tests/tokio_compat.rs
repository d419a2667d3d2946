//! Libraries written against tokio's io traits, on evloop's streams through
//! tokio-util's `compat` adapters, with no tokio runtime anywhere: tokio's own
//! extension traits, and the `Framed` codec with `LinesCodec`.

use std::io;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream, UnixStream};
use futures::{SinkExt, StreamExt, TryStreamExt};
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};
use tokio_util::compat::FuturesAsyncReadCompatExt;

mod common;

const LIMIT: Duration = Duration::from_secs(20);

/// A connected pair of TCP streams: (client, server).
async fn connected_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

/// A "library" function, generic over tokio's traits as many clients are.
async fn tokio_request<S>(stream: &mut S, request: &[u8]) -> io::Result<Vec<u8>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request).await?;
    stream.shutdown().await?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await?;
    Ok(reply)
}

#[test]
fn tokio_io_code_runs_on_evloop_streams() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (client, mut server) = connected_pair().await?;
            let echo = evloop::spawn(async move {
                let (mut reader, mut writer) = (&server, &server);
                evloop::io::copy(&mut reader, &mut writer).await?;
                // tokio's `shutdown` became futures-io's `close`: the write side ends.
                evloop::io::AsyncWriteExt::close(&mut server).await
            });
            let request = vec![b'q'; 100_000];
            let reply = tokio_request(&mut client.compat(), &request).await?;
            assert_eq!(reply, request);
            echo.await.unwrap()
        })
    })
    .unwrap();
}

#[test]
fn framed_lines_over_an_evloop_stream() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (client, server) = connected_pair().await?;
            // The server: reads lines, answers each in upper case, until the client
            // stops sending.
            let server = evloop::spawn(async move {
                let mut lines = Framed::new(server.compat(), LinesCodec::new());
                while let Some(line) = lines.try_next().await? {
                    lines.send(line.to_uppercase()).await?;
                }
                Ok::<_, LinesCodecError>(())
            });
            let mut client = Framed::new(client.compat(), LinesCodec::new());
            let words: Vec<String> = (0..1000).map(|n| format!("word {n}")).collect();
            // `send_all` writes them all before it reads any answer: a thousand lines
            // in flight, buffered by the codec and the sockets.
            let mut outgoing = futures::stream::iter(words.clone()).map(Ok);
            client.send_all(&mut outgoing).await.unwrap();
            let answers: Vec<String> = (&mut client).take(1000).try_collect().await.unwrap();
            let expected: Vec<String> = words.iter().map(|w| w.to_uppercase()).collect();
            assert_eq!(answers, expected);
            SinkExt::<String>::close(&mut client).await.unwrap();
            server.await.unwrap().unwrap();
            io::Result::Ok(())
        })
    })
    .unwrap();
}

#[test]
fn framed_lines_report_a_line_too_long_as_an_error() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let (mut a, b) = UnixStream::pair()?;
            evloop::io::AsyncWriteExt::write_all(&mut a, &[b'x'; 100]).await?;
            let mut lines = Framed::new(b.compat(), LinesCodec::new_with_max_length(64));
            match lines.next().await {
                Some(Err(LinesCodecError::MaxLineLengthExceeded)) => {}
                other => panic!("expected a line-length error, got {other:?}"),
            }
            io::Result::Ok(())
        })
    })
    .unwrap();
}
