//! TLS from the tests' side: a certificate file an example writes (`--cert-out`), and
//! a rustls client on evloop that trusts it.

use std::path::PathBuf;

use evloop::net::TcpStream;
use futures_rustls::TlsConnector;
use futures_rustls::client::TlsStream;
use futures_rustls::pki_types::pem::PemObject;
use futures_rustls::pki_types::{CertificateDer, ServerName};

use crate::self_signed;

/// A path for an example's certificate, unique to the test, deleted when dropped.
pub struct CertFile(PathBuf);

impl CertFile {
    pub fn new(test: &str) -> CertFile {
        let name = format!("evloop-{}-{test}.pem", std::process::id());
        CertFile(std::env::temp_dir().join(name))
    }

    pub fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }

    /// The certificate the example wrote.
    pub fn certificate(&self) -> CertificateDer<'static> {
        let pem = std::fs::read(&self.0).expect("the example wrote its certificate");
        CertificateDer::from_pem_slice(&pem).expect("a PEM certificate")
    }
}

impl Drop for CertFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A TLS connection to `127.0.0.1:port` that trusts only `certificate` and offers
/// `alpn`. Call inside an evloop runtime.
pub async fn connect(
    port: u16,
    certificate: CertificateDer<'static>,
    alpn: &[&[u8]],
) -> std::io::Result<TlsStream<TcpStream>> {
    let config = self_signed::client_config(certificate, alpn)?;
    let stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let name = ServerName::try_from("localhost").expect("a valid name");
    TlsConnector::from(config).connect(name, stream).await
}

/// Whether `program` can be run here; if not, says so, for a test to skip.
pub fn installed(program: &str, test: &str) -> bool {
    let found = std::process::Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if !found {
        println!("{test}: skipped, `{program}` is not installed");
    }
    found
}
