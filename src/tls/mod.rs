//! TLS: the one crypto provider (ring), chosen here and nowhere else; server configs from PEM
//! files or a self-signed certificate; the client config that verifies upstreams; the CA of
//! the forward proxy ([`ca`]) and its cache of leaf certificates ([`leaf_cache`]).
//!
//! Every rustls config is built with [`provider`] through `builder_with_provider`: with more
//! than one provider in the dependency graph the implicit builders panic, and CI checks that
//! aws-lc-rs stays out of the graph.

pub mod ca;
pub mod leaf_cache;

use std::path::Path;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// ALPN protocol ids a server offers: HTTP/2 first, then HTTP/1.1.
pub const ALPN_H2_H1: [&[u8]; 2] = [b"h2", b"http/1.1"];

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read certificate file {path}: {reason}")]
    Certificate { path: String, reason: String },
    #[error("cannot read private key file {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("certificate and key do not make a usable TLS server config: {0}")]
    Config(rustls::Error),
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
}

/// The crypto provider every config uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server config for a certificate chain and key, offering h2 and HTTP/1.1 by ALPN.
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, TlsError> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(TlsError::Config)?;
    config.alpn_protocols = ALPN_H2_H1.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

/// Load a PEM certificate chain and a PEM private key.
pub fn load_pem_pair(
    cert_path: &Path,
    key_path: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let chain = load_certificates(cert_path).map_err(|reason| TlsError::Certificate {
        path: cert_path.display().to_string(),
        reason,
    })?;
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|err| TlsError::Key {
        path: key_path.display().to_string(),
        reason: format!("{err} (expected a PEM PKCS#8, PKCS#1 or SEC1 key)"),
    })?;
    Ok((chain, key))
}

/// Every certificate in a PEM file; an error when there is none.
pub fn load_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let chain: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|err| err.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|err| err.to_string())?;
    if chain.is_empty() {
        return Err("no PEM CERTIFICATE block in the file".to_owned());
    }
    Ok(chain)
}

/// A self-signed certificate for `names` (DNS names or IP addresses), with its PEM text.
pub struct SelfSigned {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub cert_pem: String,
}

pub fn self_signed(names: &[String]) -> Result<SelfSigned, TlsError> {
    let certified = rcgen::generate_simple_self_signed(names.to_vec())?;
    let cert_pem = certified.cert.pem();
    let key = PrivateKeyDer::try_from(certified.signing_key.serialize_der()).map_err(|reason| {
        TlsError::Key {
            path: "(generated)".to_owned(),
            reason: reason.to_owned(),
        }
    })?;
    Ok(SelfSigned {
        chain: vec![certified.cert.der().clone()],
        key,
        cert_pem,
    })
}

/// A client config that trusts the web PKI roots plus any extra CA files (private gateways,
/// tests), offering `alpn` protocols.
pub fn client_config(extra_cas: &[&Path], alpn: &[&[u8]]) -> Result<ClientConfig, TlsError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for path in extra_cas {
        let certs = load_certificates(path).map_err(|reason| TlsError::CaFile {
            path: path.display().to_string(),
            reason,
        })?;
        for cert in certs {
            roots.add(cert).map_err(|err| TlsError::CaFile {
                path: path.display().to_string(),
                reason: err.to_string(),
            })?;
        }
    }
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

/// Accept any upstream certificate (`--insecure-upstream`). Handshake signatures are still
/// checked, so the connection is encrypted to whoever answered; who that is goes unchecked.
pub fn trust_any_certificate(config: &mut ClientConfig) {
    config
        .dangerous()
        .set_certificate_verifier(Arc::new(AnyCertificate(provider())));
}

#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// SHA-256 fingerprint of a DER certificate, as colon-separated hex.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, cert.as_ref());
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_makes_a_server_config_with_alpn() {
        let cert = self_signed(&["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        assert!(cert.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let config = server_config(cert.chain, cert.key).unwrap();
        assert_eq!(
            config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }

    #[test]
    fn a_missing_ca_file_is_named_in_the_error() {
        let err = client_config(&[Path::new("/nonexistent/ca.pem")], &[]).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }
}
