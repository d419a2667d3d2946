//! A self-signed certificate made at start-up with rcgen, and rustls configurations
//! on it, for the TLS examples (`tls_echo`, `hyper_server --tls`). No files, no CA:
//! clients either trust this one certificate or, like `curl --insecure`, none.

use std::io;
use std::sync::Arc;

use futures_rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use futures_rustls::rustls::crypto::{CryptoProvider, ring};
use futures_rustls::rustls::{ClientConfig, RootCertStore, ServerConfig};

/// The names the certificate is valid for.
const NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// rustls on *ring* (aws-lc-rs, its default, needs cmake to build).
///
/// rustls 0.23.48 deprecated ring's provider because it has no post-quantum key
/// exchange; classical X25519 is what these loopback examples need, and the allow can
/// go once ring gains one or the examples move to aws-lc-rs.
#[allow(deprecated)]
fn ring_provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// A fresh certificate for [`NAMES`] and its private key.
pub struct SelfSigned {
    pub certificate: CertificateDer<'static>,
    pub pem: String,
    key: PrivatePkcs8KeyDer<'static>,
}

impl SelfSigned {
    pub fn generate() -> io::Result<SelfSigned> {
        let names = NAMES
            .iter()
            .map(|name| name.to_string())
            .collect::<Vec<_>>();
        let made = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
        Ok(SelfSigned {
            certificate: made.cert.der().clone(),
            pem: made.cert.pem(),
            key: PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()),
        })
    }

    /// A server configuration presenting this certificate, offering `alpn` (most
    /// preferred first).
    pub fn server_config(&self, alpn: &[&[u8]]) -> io::Result<Arc<ServerConfig>> {
        let key = PrivateKeyDer::Pkcs8(self.key.clone_key());
        let mut config = ServerConfig::builder_with_provider(ring_provider())
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(vec![self.certificate.clone()], key)
            .map_err(io::Error::other)?;
        config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
        Ok(Arc::new(config))
    }
}

/// A client configuration that trusts `certificate` alone, offering `alpn`.
pub fn client_config(
    certificate: CertificateDer<'static>,
    alpn: &[&[u8]],
) -> io::Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    roots.add(certificate).map_err(io::Error::other)?;
    let mut config = ClientConfig::builder_with_provider(ring_provider())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    Ok(Arc::new(config))
}
