//! The recorder started in-process on port 0, and a client that timestamps every frame.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cursor_harness::capture::Exchange;
use cursor_harness::capture::input::{self, Candidate};
use cursor_harness::http::client::ClientOptions;
use cursor_harness::proxy::reverse::Limits;
use cursor_harness::proxy::scope::Scope;
use cursor_harness::record::WriterReport;
use cursor_harness::record::console::Collect;
use cursor_harness::record::session::{Destination, ForwardOptions, RecordOptions, run};
use http_body_util::BodyExt as _;
use tokio::sync::oneshot;

pub struct Recorder {
    pub addr: SocketAddr,
    pub captures: tempfile::TempDir,
    pub console: Collect,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<WriterReport>>,
}

/// Options for a test session in a fresh temp folder, forwarding to `upstream` (or stub).
pub fn options(upstream: Option<String>) -> RecordOptions {
    RecordOptions {
        destination: match upstream {
            Some(base) => Destination::Upstream {
                base,
                client: ClientOptions::default(),
            },
            None => Destination::Stub,
        },
        captures: PathBuf::new(),
        session: "test".to_owned(),
        path_token: None,
        tls: None,
        keep_headers: Vec::new(),
        limits: Limits::default(),
        grace: Duration::from_secs(5),
        queue: 1024,
        connections: cursor_harness::http::serve::ConnectionLimits::default(),
        capture_memory: cursor_harness::capture::budget::DEFAULT_CAPTURE_MEMORY,
        lock: None,
    }
}

/// Options for a forward-proxy session with a fresh CA in `ca_dir`, trusting `upstream_ca`
/// for upstream certificates, intercepting every host.
pub fn forward_options(ca_dir: &Path, upstream_ca: Option<&Path>) -> RecordOptions {
    cursor_harness::tls::ca::create(ca_dir, true).unwrap();
    let authority = Arc::new(cursor_harness::tls::ca::Authority::load(ca_dir).unwrap());
    RecordOptions {
        destination: Destination::Forward(ForwardOptions {
            authority,
            scope: Scope::all(),
            auth: None,
            client: ClientOptions {
                extra_cas: upstream_ca.into_iter().map(Path::to_owned).collect(),
                ..ClientOptions::default()
            },
            leaf_cache: 64,
        }),
        ..options(None)
    }
}

/// The forward options inside `options` (to change scope, auth, client).
pub fn forward_mut(options: &mut RecordOptions) -> &mut ForwardOptions {
    match &mut options.destination {
        Destination::Forward(forward) => forward,
        other => panic!("not a forward session: {other:?}"),
    }
}

impl Recorder {
    pub async fn start(mut options: RecordOptions) -> Recorder {
        let captures = tempfile::tempdir().unwrap();
        options.captures = captures.path().to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let console = Collect::default();
        let (stop, stopped) = oneshot::channel::<()>();
        let console_box = Box::new(console.clone());
        let task = tokio::spawn(async move {
            run(listener, options, console_box, async {
                let _ = stopped.await;
            })
            .await
            .expect("recorder runs")
        });
        Recorder {
            addr,
            captures,
            console,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stop (Ctrl-C equivalent) and wait until every capture is written.
    pub async fn stop(&mut self) -> WriterReport {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task
            .take()
            .expect("stopped once")
            .await
            .expect("recorder task")
    }

    pub fn session_dir(&self) -> PathBuf {
        self.captures.path().join("test")
    }

    /// Every capture of the session, in file order.
    pub fn exchanges(&self) -> Vec<(PathBuf, Exchange)> {
        capture_files(&self.session_dir())
            .into_iter()
            .map(|path| {
                let mut loaded = input::load(&Candidate::File(path.clone()));
                let exchange = loaded
                    .remove(0)
                    .result
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                (path, exchange)
            })
            .collect()
    }
}

/// A response read frame by frame, each with its arrival time.
#[derive(Debug)]
pub struct Timed {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub frames: Vec<(Instant, Bytes)>,
    /// The body ended with an error (the connection broke).
    pub error: Option<String>,
}

impl Timed {
    pub fn body(&self) -> Vec<u8> {
        self.frames
            .iter()
            .flat_map(|(_, b)| b.iter().copied())
            .collect()
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body()).into_owned()
    }
}

/// Send one request over a fresh HTTP/1.1 (or HTTP/2 prior-knowledge) connection.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
    http2: bool,
) -> Timed {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = build_request(method, &format!("http://{addr}{path}"), headers, body);
    send_on(stream, request, http2).await
}

pub fn build_request(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> http::Request<http_body_util::Full<Bytes>> {
    let mut request = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
        .body(http_body_util::Full::new(body.into()))
        .unwrap()
}

/// Send one request on an open connection (plain or TLS) and read the answer frame by frame.
pub async fn send_on<IO>(
    io: IO,
    request: http::Request<http_body_util::Full<Bytes>>,
    http2: bool,
) -> Timed
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let io = hyper_util::rt::TokioIo::new(io);
    let response = if http2 {
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(hyper_util::rt::TokioExecutor::new(), io)
                .await
                .unwrap();
        tokio::spawn(conn);
        sender.send_request(request).await.unwrap()
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        sender.send_request(request).await.unwrap()
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = response.into_body();
    let mut frames = Vec::new();
    let mut error = None;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    frames.push((Instant::now(), data));
                }
            }
            Err(err) => {
                error = Some(err.to_string());
                break;
            }
        }
    }
    Timed {
        status,
        headers,
        frames,
        error,
    }
}

/// Assert that every event reached the client before the upstream sent the next one (nothing
/// held back and coalesced on the way).
pub fn assert_not_coalesced(events: &[String], send_times: &[Instant], timed: &Timed) {
    assert_eq!(send_times.len(), events.len());
    let mut arrivals = Vec::new();
    let mut received = 0;
    for (at, bytes) in &timed.frames {
        received += bytes.len();
        arrivals.push((received, *at));
    }
    let mut boundary = 0;
    for (i, event) in events.iter().enumerate() {
        boundary += event.len();
        let arrived = arrivals
            .iter()
            .find(|(n, _)| *n >= boundary)
            .map(|(_, at)| *at)
            .expect("event arrived");
        if let Some(next_send) = send_times.get(i + 1) {
            assert!(
                arrived < *next_send,
                "event {i} was held back until the upstream sent event {}",
                i + 1
            );
        }
    }
}

/// POST a JSON body to the chat completions path.
pub async fn post_chat(addr: SocketAddr, path: &str, body: &serde_json::Value) -> Timed {
    send(
        addr,
        "POST",
        path,
        &[
            ("content-type", "application/json"),
            ("authorization", "Bearer test-key-not-secret"),
        ],
        serde_json::to_vec(body).unwrap(),
        false,
    )
    .await
}

/// Assert that a captured stream rebuilds exactly what was sent, one chunk per upstream write,
/// with the gaps between writes (at least `min_gap_ms`) kept. Returns the chunk times.
pub fn assert_capture_rebuilds(
    response: &cursor_harness::capture::Response,
    events: &[String],
    min_gap_ms: f64,
) -> Vec<f64> {
    assert_eq!(
        response.stream_bytes().unwrap(),
        events.concat().as_bytes(),
        "the capture rebuilds the exact stream"
    );
    let chunks = response.stream.as_ref().unwrap();
    assert_eq!(
        chunks.len(),
        events.len(),
        "one capture chunk per upstream write"
    );
    let times: Vec<f64> = chunks.iter().map(|c| c.at_ms.unwrap()).collect();
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= min_gap_ms,
            "chunk timing lost: gaps {times:?}"
        );
    }
    assert!(response.headers_at_ms.unwrap() <= times[0]);
    times
}

/// Capture files (not the manifest) under a folder, sorted.
pub fn capture_files(dir: &Path) -> Vec<PathBuf> {
    super::json_files(dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "manifest.json"))
        .collect()
}
