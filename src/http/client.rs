//! The client side: one pooled hyper client per upstream, speaking HTTP/1.1 or HTTP/2 (by ALPN
//! over TLS), verifying certificates against the web roots plus any CA the user adds, and
//! turning failures into named transport errors.

use std::path::PathBuf;
use std::time::Duration;

use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::body::ProxyBody;
use super::failure::ErrorKind;
use super::failure::{error_chain, next_cause};
use crate::tls::{self, TlsError};

pub type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, ProxyBody>;

/// How to reach upstreams.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Extra CA certificates to trust (private gateways, tests).
    pub extra_cas: Vec<PathBuf>,
    pub connect_timeout: Duration,
    /// Speak HTTP/2 when the upstream offers it by ALPN.
    pub http2: bool,
    /// Accept any upstream certificate (`--insecure-upstream`).
    pub insecure: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            extra_cas: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            http2: true,
            insecure: false,
        }
    }
}

/// Build the pooled upstream client.
pub fn client(options: &ClientOptions) -> Result<HttpsClient, TlsError> {
    let cas: Vec<&std::path::Path> = options.extra_cas.iter().map(PathBuf::as_path).collect();
    // The connector sets ALPN itself from the enabled protocols.
    let mut config = tls::client_config(&cas, &[])?;
    if options.insecure {
        tls::trust_any_certificate(&mut config);
    }
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(options.connect_timeout));
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1();
    let connector = if options.http2 {
        builder.enable_http2().wrap_connector(http)
    } else {
        builder.wrap_connector(http)
    };
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .build(connector))
}

/// Name a failed upstream request: what kind, and a sentence for the capture and the client
/// that names the upstream (`host:port`) and, for a certificate it does not trust, the fix.
pub fn classify(err: &hyper_util::client::legacy::Error, upstream: &str) -> (ErrorKind, String) {
    let chain = error_chain(err);
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = current {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            let message = match tls {
                // webpki's name for it, carried inside rustls' `Other`: matched by name, as
                // rustls exposes no variant of its own.
                rustls::Error::InvalidCertificate(reason)
                    if format!("{reason:?}").contains("CaUsedAsEndEntity") =>
                {
                    format!(
                        "the certificate of {upstream} is a CA certificate (basicConstraints CA:TRUE, what `openssl req -x509` makes unless told otherwise) used as the server's own certificate; TLS clients refuse that even when they trust it. Give the server a certificate signed by that CA, or make its self-signed one with `-addext basicConstraints=critical,CA:FALSE` and trust that with --upstream-ca FILE"
                    )
                }
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
                    format!(
                        "the certificate of {upstream} failed verification ({tls}): no trusted CA signed it; if it is a private gateway, trust the CA that signed it with --upstream-ca FILE (a file given there holds another CA)"
                    )
                }
                rustls::Error::InvalidCertificate(_) => format!(
                    "the certificate of {upstream} failed verification ({tls}); if it is a private gateway, trust its CA with --upstream-ca FILE"
                ),
                _ => format!("TLS with {upstream} failed: {tls}"),
            };
            return (ErrorKind::Tls, message);
        }
        if let Some(hyper_err) = cause.downcast_ref::<hyper::Error>() {
            if hyper_err.is_parse() {
                return (
                    ErrorKind::InvalidHttp,
                    format!("the upstream did not answer with valid HTTP: {chain}"),
                );
            }
            if hyper_err.is_incomplete_message() {
                return (
                    ErrorKind::Reset,
                    format!("the upstream closed the connection before answering: {chain}"),
                );
            }
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return (
                ErrorKind::Timeout,
                format!("connecting to the upstream {upstream} timed out: {chain}"),
            );
        }
        current = next_cause(cause);
    }
    if err.is_connect() {
        return (
            ErrorKind::Connect,
            format!("cannot connect to the upstream {upstream}: {chain}"),
        );
    }
    (
        ErrorKind::Reset,
        format!("the upstream request failed: {chain}"),
    )
}
