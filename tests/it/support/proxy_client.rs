//! A client of the forward proxy: opens a CONNECT tunnel by hand, speaks TLS inside it
//! trusting a given CA, and sends one request over HTTP/1.1 or HTTP/2, timestamping every
//! frame (like `recorder::send` does in clear text).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::recorder::{Timed, build_request, send_on};

/// Send `CONNECT host:port` (with extra header lines) and return the status code and the
/// connection, positioned after the proxy's answer head.
pub async fn connect(
    proxy: SocketAddr,
    authority: &str,
    extra: &[(&str, &str)],
) -> (u16, TcpStream) {
    let mut stream = TcpStream::connect(proxy).await.unwrap();
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let head = read_head(&mut stream).await;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {head:?}"));
    (status, stream)
}

/// Read up to the blank line ending an answer head, one byte at a time so nothing after it
/// (the start of TLS) is consumed.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        if stream.read(&mut byte).await.unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A TLS client config trusting only the CA in `ca_pem`, offering h2 or HTTP/1.1.
pub fn client_config(ca_pem: &Path, http2: bool) -> Arc<rustls::ClientConfig> {
    let mut config = cursor_harness::tls::client_config(&[ca_pem], &[]).unwrap();
    // Only the given CA: a certificate from the web roots must not make a test pass.
    let mut roots = rustls::RootCertStore::empty();
    for cert in cursor_harness::tls::load_certificates(ca_pem).unwrap() {
        roots.add(cert).unwrap();
    }
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        cursor_harness::tls::provider(),
    )
    .build()
    .unwrap();
    config.dangerous().set_certificate_verifier(verifier);
    config.alpn_protocols = vec![if http2 {
        b"h2".to_vec()
    } else {
        b"http/1.1".to_vec()
    }];
    Arc::new(config)
}

/// One request to `https://host:port/path` through the proxy's tunnel, trusting `ca_pem`.
#[allow(clippy::too_many_arguments)]
pub async fn send_tunnelled(
    proxy: SocketAddr,
    host: &str,
    port: u16,
    ca_pem: &Path,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
    http2: bool,
) -> Timed {
    let (status, stream) = connect(proxy, &format!("{host}:{port}"), &[]).await;
    assert_eq!(status, 200, "CONNECT {host}:{port}");
    let name = rustls::pki_types::ServerName::try_from(host.to_owned()).unwrap();
    let tls = tokio_rustls::TlsConnector::from(client_config(ca_pem, http2))
        .connect(name, stream)
        .await
        .unwrap_or_else(|err| panic!("TLS through the tunnel to {host}: {err}"));
    let negotiated = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
    let expected: &[u8] = if http2 { b"h2" } else { b"http/1.1" };
    assert_eq!(
        negotiated.as_deref(),
        Some(expected),
        "ALPN inside the tunnel"
    );
    let uri = if http2 {
        format!("https://{host}:{port}{path}")
    } else {
        path.to_owned()
    };
    let mut request = build_request(method, &uri, headers, body);
    if !http2 {
        request
            .headers_mut()
            .insert("host", format!("{host}:{port}").parse().unwrap());
    }
    send_on(tls, request, http2).await
}
