//! Shared pieces of the whole-process benchmarks: a fast local upstream, process helpers,
//! a stream probe that timestamps every frame, and the external tools (oha, mitmdump).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use serde_json::Value;

/// A fast upstream on loopback: `POST …/chat/completions` answers a small JSON completion, or,
/// with `x-chunks: N` and `x-gap-ms: G`, an SSE stream of N chat chunks G ms apart.
pub struct Upstream {
    pub addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Upstream {
    pub fn start() -> Upstream {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let service = hyper::service::service_fn(answer);
                    let _ = hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection(io, service)
                    .await;
                });
            }
        });
        Upstream {
            addr,
            _runtime: runtime,
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}/v1", self.addr)
    }
}

type BoxBody = http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible>;

async fn answer(
    request: http::Request<Incoming>,
) -> Result<http::Response<BoxBody>, std::convert::Infallible> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    let chunks = header("x-chunks");
    let gap = Duration::from_millis(header("x-gap-ms").unwrap_or(0));
    // Read the whole request, as a gateway must before it can answer.
    let _ = request.into_body().collect().await;
    let response = match chunks {
        Some(n) => {
            let body = Paced::new(n as usize, gap);
            http::Response::builder()
                .header("content-type", "text/event-stream")
                .body(body.boxed())
                .unwrap()
        }
        None => http::Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(COMPLETION)).boxed())
            .unwrap(),
    };
    Ok(response)
}

pub const COMPLETION: &[u8] = br#"{"id":"chatcmpl-bench","object":"chat.completion","created":1767225600,"model":"plainmodel-x","choices":[{"index":0,"message":{"role":"assistant","content":"ok","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}"#;

/// The i-th event of a benchmark stream (role first, `[DONE]` last).
pub fn event(i: usize, total: usize) -> Bytes {
    if i + 1 == total {
        return Bytes::from_static(b"data: [DONE]\n\n");
    }
    let delta = if i == 0 {
        r#"{"role":"assistant","content":""}"#.to_owned()
    } else {
        format!(r#"{{"content":"w{i} "}}"#)
    };
    Bytes::from(format!(
        "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"plainmodel-x\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":null}}]}}\n\n"
    ))
}

struct Paced {
    next: usize,
    total: usize,
    gap: Duration,
    sleep: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl Paced {
    fn new(total: usize, gap: Duration) -> Paced {
        Paced {
            next: 0,
            total,
            gap,
            sleep: None,
        }
    }
}

impl http_body::Body for Paced {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.next >= self.total {
            return std::task::Poll::Ready(None);
        }
        if self.next > 0 && !self.gap.is_zero() {
            let gap = self.gap;
            let sleep = self
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(gap)));
            if sleep.as_mut().poll(cx).is_pending() {
                return std::task::Poll::Pending;
            }
            self.sleep = None;
        }
        let i = self.next;
        self.next += 1;
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(event(i, self.total)))))
    }
}

/// A free loopback port (bound then released; good enough for a benchmark).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Wait until something listens on `port`.
pub fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not start listening on port {port}");
}

/// The release binary under benchmark.
pub fn harness_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cursor-harness"))
}

/// `cursor-harness record` in front of `upstream`, on a free port, captures in `dir`.
pub fn start_recorder(upstream: &str, dir: &Path) -> (Child, u16) {
    start_recorder_with(upstream, dir, &[])
}

/// [`start_recorder`] with more arguments.
pub fn start_recorder_with(upstream: &str, dir: &Path, extra: &[&str]) -> (Child, u16) {
    let port = free_port();
    let child = Command::new(harness_binary())
        .args([
            "record",
            "--upstream",
            upstream,
            "--allow-no-token",
            "--session",
            "bench",
            "--listen",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--captures")
        .arg(dir)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cursor-harness record");
    wait_for_port(port, "cursor-harness record");
    (child, port)
}

/// Stop a child with SIGINT (so a recorder writes its captures) and wait for it.
pub fn interrupt(mut child: Child) {
    unsafe_kill(child.id(), 2);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn unsafe_kill(pid: u32, signal: i32) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status();
}

/// Timings of one streamed response as a client saw it.
#[derive(Debug, Clone)]
pub struct StreamProbe {
    pub ttfb: Duration,
    pub ttft: Duration,
    pub total: Duration,
    pub frames: usize,
    pub events: usize,
    /// Events that arrived in the same frame as an earlier event (held back and merged).
    pub coalesced: usize,
}

/// POST a request for `chunks` events `gap_ms` apart and time every frame.
pub async fn probe_stream(addr: SocketAddr, path: &str, chunks: usize, gap_ms: u64) -> StreamProbe {
    let start = Instant::now();
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = stream.set_nodelay(true);
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let request = http::Request::post(format!("http://{addr}{path}"))
        .header("content-type", "application/json")
        .header("x-chunks", chunks.to_string())
        .header("x-gap-ms", gap_ms.to_string())
        .body(Full::new(Bytes::from_static(br#"{"model":"plainmodel-x","messages":[{"role":"user","content":"hi"}],"stream":true}"#)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    read_probe(start, response).await
}

/// oha's figures for one load run.
#[derive(Debug, Clone)]
pub struct Load {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub success: f64,
}

/// Find oha (PATH or ~/.cargo/bin).
pub fn oha() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    [PathBuf::from("oha"), home.join(".cargo/bin/oha")]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

/// Run oha with `connections` for `seconds` POSTing `body_file`.
pub fn run_oha(
    oha: &Path,
    url: &str,
    body_file: &Path,
    connections: usize,
    seconds: u64,
) -> Option<Load> {
    let output = Command::new(oha)
        .args([
            "--no-tui",
            "--output-format",
            "json",
            "-m",
            "POST",
            "-H",
            "content-type: application/json",
        ])
        .arg("-c")
        .arg(connections.to_string())
        .arg("-z")
        .arg(format!("{seconds}s"))
        .arg("-D")
        .arg(body_file)
        .arg(url)
        .output()
        .ok()?;
    let value: Value = serde_json::from_slice(&output.stdout).ok()?;
    Some(Load {
        rps: value.pointer("/summary/requestsPerSec")?.as_f64()?,
        p50_ms: value.pointer("/latencyPercentiles/p50")?.as_f64()? * 1000.0,
        p99_ms: value.pointer("/latencyPercentiles/p99")?.as_f64()? * 1000.0,
        success: value.pointer("/summary/successRate")?.as_f64()?,
    })
}

/// mitmdump from the benchmark's virtual environment (`bench/.venv`), if installed.
pub fn mitmdump() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/.venv/bin/mitmdump");
    path.exists().then_some(path)
}

/// mitmdump in reverse mode in front of `upstream_addr`; `stream` turns on SSE streaming.
pub fn start_mitmdump(mitmdump: &Path, upstream: SocketAddr, stream: bool) -> (Child, u16) {
    let port = free_port();
    let mut command = Command::new(mitmdump);
    command
        .arg("--mode")
        .arg(format!("reverse:http://{upstream}/"))
        .args(["--listen-host", "127.0.0.1", "-p", &port.to_string(), "-q"]);
    if stream {
        command.args(["--set", "stream_large_bodies=1"]);
    }
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mitmdump");
    wait_for_port(port, "mitmdump");
    (child, port)
}

/// Median of durations.
pub fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Median and (min, max) spread of floats.
pub fn stats(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The same probe over TLS: direct to `upstream` (trusting `ca`), or through a forward proxy
/// with CONNECT (trusting the proxy's CA), so the TLS cost of both paths is in the numbers.
pub async fn probe_stream_tls(
    proxy: Option<SocketAddr>,
    upstream: SocketAddr,
    ca: &Path,
) -> StreamProbe {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let start = Instant::now();
    let mut tcp = tokio::net::TcpStream::connect(proxy.unwrap_or(upstream))
        .await
        .unwrap();
    let _ = tcp.set_nodelay(true);
    if proxy.is_some() {
        let connect = format!("CONNECT {upstream} HTTP/1.1\r\nHost: {upstream}\r\n\r\n");
        tcp.write_all(connect.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            assert_eq!(
                tcp.read(&mut byte).await.unwrap(),
                1,
                "the proxy closed the CONNECT"
            );
            head.push(byte[0]);
        }
        assert!(
            head.starts_with(b"HTTP/1.1 200"),
            "CONNECT refused: {}",
            String::from_utf8_lossy(&head)
        );
    }
    let mut config = cursor_harness::tls::client_config(&[ca], &[]).unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let name = rustls::pki_types::ServerName::IpAddress(upstream.ip().into());
    let tls = connector.connect(name, tcp).await.expect("TLS handshake");
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
            .await
            .unwrap();
    tokio::spawn(conn);
    let request = http::Request::post(format!("https://{upstream}/v1/chat/completions"))
        .header("host", upstream.to_string())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(br#"{"model":"plainmodel-x","messages":[{"role":"user","content":"hi"}],"stream":true}"#)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    read_probe(start, response).await
}

/// Time the frames of a streamed response: TTFB, TTFT (the second event: the first carries
/// only the role), how many events arrived merged into one frame, and the total.
async fn read_probe(start: Instant, response: http::Response<Incoming>) -> StreamProbe {
    let ttfb = start.elapsed();
    let mut body = response.into_body();
    let mut frames = 0;
    let mut events = 0;
    let mut coalesced = 0;
    let mut ttft = None;
    let mut pending = Vec::new();
    while let Some(Ok(frame)) = body.frame().await {
        let Ok(data) = frame.into_data() else {
            continue;
        };
        frames += 1;
        pending.extend_from_slice(&data);
        let mut in_frame: usize = 0;
        while let Some(end) = pending.windows(2).position(|w| w == b"\n\n") {
            pending.drain(..end + 2);
            events += 1;
            in_frame += 1;
            if events == 2 {
                ttft = Some(start.elapsed());
            }
        }
        coalesced += in_frame.saturating_sub(1);
    }
    StreamProbe {
        ttfb,
        ttft: ttft.unwrap_or_default(),
        total: start.elapsed(),
        frames,
        events,
        coalesced,
    }
}

/// `cursor-harness ca init` into `dir`, then `record --forward` trusting `upstream_ca`.
pub fn start_forward_recorder(ca_dir: &Path, upstream_ca: &Path, captures: &Path) -> (Child, u16) {
    let status = Command::new(harness_binary())
        .args(["ca", "init", "--dir"])
        .arg(ca_dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "ca init failed");
    let port = free_port();
    let child = Command::new(harness_binary())
        .args(["record", "--forward", "--session", "bench", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--ca-dir")
        .arg(ca_dir)
        .arg("--upstream-ca")
        .arg(upstream_ca)
        .arg("--captures")
        .arg(captures)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cursor-harness record --forward");
    wait_for_port(port, "cursor-harness record --forward");
    (child, port)
}
