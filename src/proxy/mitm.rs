//! Inside an intercepted tunnel: read the client's TLS ClientHello, present a leaf for the name
//! it asked for (SNI, or the CONNECT host when the client sends none, as clients do for IP
//! addresses) when that name is in the intercept scope too (else the tunnel is closed: no
//! certificate is ever minted for a name outside it), and serve HTTP/1.1 or HTTP/2 as
//! negotiated by ALPN. Each request goes upstream
//! over the same protocol the client chose, through the shared recording pipeline.
//!
//! A client that does not trust our CA aborts the handshake with an alert; that is logged
//! with the one-line fix, and the proxy goes on serving everyone else.

use std::sync::Arc;
use std::time::Duration;

use rustls::AlertDescription;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::LazyConfigAcceptor;

use super::forward::{ForwardProxy, origin};

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl ForwardProxy {
    /// Terminate the client's TLS inside a CONNECT tunnel to `host:port` and serve it.
    pub(super) async fn intercept<IO>(self: Arc<Self>, io: IO, host: String, port: u16)
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let acceptor = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), io);
        let start = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor).await {
            Ok(Ok(start)) => start,
            Ok(Err(err)) => {
                self.notices.warn(&format!(
                    "the client in the tunnel to {host}:{port} did not start TLS ({err}); a host spoken to in plain text through CONNECT cannot be intercepted: leave it out of --intercept"
                ));
                return;
            }
            Err(_) => return,
        };
        let name = start
            .client_hello()
            .server_name()
            .map_or_else(|| host.clone(), super::forward::bare_host);
        // The CONNECT host was in scope; the name the leaf would be minted for must be too, or
        // one allowed host would buy a CA-signed certificate for any site. Refused: the bytes
        // of the ClientHello are read, so the tunnel cannot go on blind.
        if !self.scope.intercepts(&name) {
            self.notices.warn(&format!(
                "refused a tunnel to {}:{port} that asked for a certificate for {}: that name is not in --intercept, and no certificate is made for a name outside it",
                crate::text::terminal::line(&host),
                crate::text::terminal::line(&name)
            ));
            return;
        }
        let config = match self.leaves.get(&name) {
            Ok(config) => config,
            Err(err) => {
                self.notices.warn(&format!(
                    "no certificate for the tunnel to {host}:{port}: {err}"
                ));
                return;
            }
        };
        let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, start.into_stream(config)).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(err)) => {
                let ca = self.leaves.authority().paths.cert.display().to_string();
                self.notices.warn(&handshake_failure(&name, &err, &ca));
                return;
            }
            Err(_) => return,
        };
        let http2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
        let origin = Arc::<str>::from(origin("https", &host, port));
        let proxy = self.clone();
        let service = move |request| {
            let proxy = proxy.clone();
            let origin = origin.clone();
            async move { Ok(proxy.tunnelled(request, &origin, http2).await) }
        };
        let draining = self.detached.draining();
        let limits = self.detached.limits();
        if let Err(err) =
            crate::http::serve::serve_detached(&self.builder, tls, service, limits, draining).await
        {
            tracing::debug!(%host, error = %err, "tunnelled connection ended with an error");
        }
    }
}

/// What to tell the user when a client's handshake with our leaf fails.
pub fn handshake_failure(name: &str, err: &std::io::Error, ca_path: &str) -> String {
    let fix = format!(
        "fix: make the client trust {ca_path} (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, curl --cacert; see `cursor-harness ca export`), or leave {name} out of --intercept"
    );
    let rustls_error = err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::AlertReceived(
            alert @ (AlertDescription::UnknownCA
            | AlertDescription::BadCertificate
            | AlertDescription::CertificateUnknown
            | AlertDescription::AccessDenied),
        )) => format!(
            "a client refused the certificate for {name} (TLS alert {}): it does not trust the cursor-harness CA; {fix}",
            alert_name(*alert)
        ),
        Some(other) => format!("TLS handshake with a client for {name} failed: {other}"),
        None if err.kind() == std::io::ErrorKind::UnexpectedEof => format!(
            "a client closed the connection during the TLS handshake for {name}, perhaps because it does not trust the cursor-harness CA; {fix}"
        ),
        None => format!("TLS handshake with a client for {name} failed: {err}"),
    }
}

/// The alert's name as the TLS RFCs and OpenSSL write it.
fn alert_name(alert: AlertDescription) -> String {
    match alert {
        AlertDescription::UnknownCA => "unknown_ca".to_owned(),
        AlertDescription::BadCertificate => "bad_certificate".to_owned(),
        AlertDescription::CertificateUnknown => "certificate_unknown".to_owned(),
        AlertDescription::AccessDenied => "access_denied".to_owned(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_ca_alert_names_the_host_and_the_fix() {
        let err = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::AlertReceived(AlertDescription::UnknownCA),
        );
        let message = handshake_failure("api.openai.com", &err, "/ca/cursor-harness-ca.pem");
        assert!(message.contains("TLS alert unknown_ca"), "{message}");
        assert!(message.contains("api.openai.com"), "{message}");
        assert!(message.contains("/ca/cursor-harness-ca.pem"), "{message}");
        assert!(!message.contains('\n'), "one line: {message}");
    }
}
