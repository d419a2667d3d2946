//! `tls_echo`: its own rustls client, ours, a client that resets mid-handshake, and
//! `openssl s_client`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::time::timeout;

use crate::support::{PATIENCE, Server, run_to_completion};
use crate::tls::{self, CertFile};

/// The first bytes of a TLS ClientHello: a handshake record header and the start of
/// the message, and nothing after them.
const HALF_A_CLIENT_HELLO: &[u8] = &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03];

#[test]
fn its_own_client_echoes_a_mebibyte() {
    let output = run_to_completion("tls_echo");
    assert_eq!(output, "tls_echo: 1048576 bytes echoed over TLSv1_3\n");
}

/// Sends 1 MiB through the server in 64 KiB pieces and checks it comes back.
async fn echo_a_mebibyte(server: &Server, cert: &CertFile) -> std::io::Result<()> {
    let mut stream = tls::connect(server.port(), cert.certificate(), &[]).await?;
    let mut back = vec![0; 64 * 1024];
    for round in 0..16u8 {
        let piece = vec![round; back.len()];
        stream.write_all(&piece).await?;
        stream.flush().await?;
        stream.read_exact(&mut back).await?;
        assert_eq!(back, piece, "piece {round} came back changed");
    }
    stream.close().await
}

#[test]
fn a_client_that_resets_mid_handshake_harms_no_one() {
    let cert = CertFile::new("tls-reset");
    let server = Server::start("tls_echo", &["--cert-out", cert.path()]);
    evloop::block_on(async {
        let work = async {
            for hello in [&[][..], HALF_A_CLIENT_HELLO] {
                let mut rude =
                    evloop::net::TcpStream::connect(("127.0.0.1", server.port())).await?;
                rude.write_all(hello).await?;
                // Linger zero: closing sends a reset, not a FIN.
                rude.set_linger(Some(Duration::ZERO))?;
                drop(rude);
            }
            echo_a_mebibyte(&server, &cert).await
        };
        timeout(PATIENCE, work)
            .await
            .expect("in time")
            .expect("echo");
    });
}

#[test]
fn openssl_s_client_gets_its_line_back() {
    if !tls::installed("openssl", "openssl_s_client_gets_its_line_back") {
        return;
    }
    let cert = CertFile::new("tls-openssl");
    let server = Server::start("tls_echo", &["--cert-out", cert.path()]);
    let mut client = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-verify_return_error",
            "-servername",
            "localhost",
        ])
        .args(["-connect", &format!("127.0.0.1:{}", server.port())])
        .args(["-CAfile", cert.path()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start openssl");
    let mut stdin = client.stdin.take().unwrap();
    let stdout = BufReader::new(client.stdout.take().unwrap());
    let (line_tx, line) = mpsc::channel();
    thread::spawn(move || {
        let first = stdout
            .lines()
            .next()
            .map(|line| line.expect("read openssl's output"));
        let _ = line_tx.send(first);
    });
    stdin.write_all(b"hello over TLS\n").unwrap();
    let echoed = line.recv_timeout(PATIENCE);
    let _ = client.kill();
    let _ = client.wait();
    assert_eq!(
        echoed.expect("an answer in time").as_deref(),
        Some("hello over TLS")
    );
}
