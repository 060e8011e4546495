//! A TLS test upstream with its own test CA (made with rcgen when the test runs, never
//! committed): HTTP/1.1 and HTTP/2 by ALPN, streams SSE events with controlled gaps, and
//! remembers each request with the HTTP version it came over and when each event was sent.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::BodyExt as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::sync::mpsc;

/// The names the upstream's certificate is valid for.
pub const NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// A request as the upstream received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub version: http::Version,
    pub method: String,
    pub target: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

#[derive(Default)]
struct State {
    seen: Mutex<Vec<Seen>>,
    /// (request index, event index, when the event was handed to the connection).
    sent: Mutex<Vec<(usize, usize, Instant)>>,
}

pub struct TlsUpstream {
    pub addr: SocketAddr,
    /// The test CA's certificate (PEM), for `--upstream-ca` and `curl --cacert`.
    pub ca_pem: PathBuf,
    _dir: tempfile::TempDir,
    state: Arc<State>,
    allow_unused: bool,
    task: tokio::task::JoinHandle<()>,
}

/// A CA and a leaf for [`NAMES`] signed by it.
fn test_pki() -> (String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "test upstream CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(NAMES.map(str::to_owned).to_vec())
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    (
        ca_cert.pem(),
        vec![leaf.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    )
}

/// One self-signed certificate for [`NAMES`] marked CA:TRUE, served as the server's own (the
/// `openssl req -x509` recipe): its PEM is both "the CA" and the leaf.
fn self_signed_ca() -> (String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(NAMES.map(str::to_owned).to_vec()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    (
        cert.pem(),
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

impl TlsUpstream {
    /// An upstream that answers every request with these events, `gap` apart.
    pub async fn sse(events: Vec<String>, gap: Duration) -> TlsUpstream {
        TlsUpstream::serve(events, gap, test_pki()).await
    }

    /// Like [`TlsUpstream::sse`], serving a self-signed CA:TRUE certificate; `ca_pem` is it.
    pub async fn sse_self_signed_ca(events: Vec<String>, gap: Duration) -> TlsUpstream {
        TlsUpstream::serve(events, gap, self_signed_ca()).await
    }

    async fn serve(
        events: Vec<String>,
        gap: Duration,
        (ca_pem, chain, key): (String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
    ) -> TlsUpstream {
        let dir = tempfile::tempdir().unwrap();
        let ca_path = dir.path().join("upstream-ca.pem");
        std::fs::write(&ca_path, ca_pem).unwrap();
        let config = Arc::new(cursor_harness::tls::server_config(chain, key).unwrap());
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let events: Arc<Vec<Bytes>> = Arc::new(events.into_iter().map(Bytes::from).collect());
        let task_state = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let state = task_state.clone();
                let events = events.clone();
                // Without it, Nagle holds a small event back until the last one is acked.
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |request| {
                        respond(request, state.clone(), events.clone(), gap)
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        TlsUpstream {
            addr,
            ca_pem: ca_path,
            _dir: dir,
            state,
            allow_unused: false,
            task,
        }
    }

    /// Don't fail on drop when no request arrived (for tests proving nothing got through).
    pub fn allow_unused(mut self) -> TlsUpstream {
        self.allow_unused = true;
        self
    }

    /// `https://<host>:<port><path>`.
    pub fn url(&self, host: &str, path: &str) -> String {
        format!("https://{host}:{}{path}", self.addr.port())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// When each event of request `index` was handed to the connection.
    pub fn send_times(&self, index: usize) -> Vec<Instant> {
        self.state
            .sent
            .lock()
            .unwrap()
            .iter()
            .filter(|(r, _, _)| *r == index)
            .map(|(_, _, at)| *at)
            .collect()
    }
}

impl Drop for TlsUpstream {
    fn drop(&mut self) {
        self.task.abort();
        if std::thread::panicking() {
            return;
        }
        assert!(
            self.allow_unused || !self.state.seen.lock().unwrap().is_empty(),
            "the TLS test upstream was never called (did the request reach it?)"
        );
    }
}

async fn respond(
    request: http::Request<hyper::body::Incoming>,
    state: Arc<State>,
    events: Arc<Vec<Bytes>>,
    gap: Duration,
) -> Result<http::Response<ChannelBody>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let index = {
        let mut seen = state.seen.lock().unwrap();
        seen.push(Seen {
            version: parts.version,
            method: parts.method.to_string(),
            target: parts
                .uri
                .path_and_query()
                .map_or("/".to_owned(), |pq| pq.to_string()),
            headers: parts.headers,
            body,
        });
        seen.len() - 1
    };
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        for (i, event) in events.iter().enumerate() {
            if i > 0 && !gap.is_zero() {
                tokio::time::sleep(gap).await;
            }
            state.sent.lock().unwrap().push((index, i, Instant::now()));
            if tx.send(event.clone()).await.is_err() {
                return;
            }
        }
    });
    let response = http::Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(ChannelBody(rx))
        .unwrap();
    Ok(response)
}

/// A body fed one event at a time, each a frame of its own.
pub struct ChannelBody(mpsc::Receiver<Bytes>);

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|event| event.map(|bytes| Ok(Frame::data(bytes))))
    }
}
