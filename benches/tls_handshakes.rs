//! What the forward proxy costs, on loopback: TLS handshakes per second through the MITM with
//! the leaf cache warm (one host name) and cold (a new name, so a new leaf, every time), and
//! the time to first byte it adds over a direct TLS connection to the same local upstream.
//!
//! `cargo bench --bench tls_handshakes` (release build). Every handshake is a full one (client
//! session resumption off), over a fresh TCP connection, with a CONNECT first when proxied.
//! The proxy, the upstream and the client share this process and the machine's cores, so the
//! numbers are what one machine does end to end, not the proxy alone.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cursor_harness::http::client::ClientOptions;
use cursor_harness::proxy::scope::Scope;
use cursor_harness::record::console::Collect;
use cursor_harness::record::session::{Destination, ForwardOptions, RecordOptions, run};
use cursor_harness::tls::ca::{Authority, CERT_FILE};
use http_body_util::{BodyExt as _, Empty};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

#[path = "../tests/it/support/tls_upstream.rs"]
#[allow(dead_code)]
mod tls_upstream;

const WARM: usize = 400;
const COLD: usize = 200;
const TTFB: usize = 200;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench());
}

async fn bench() {
    let upstream =
        tls_upstream::TlsUpstream::sse(vec!["data: {}\n\n".to_owned()], Duration::ZERO).await;
    let ca_dir = tempfile::tempdir().unwrap();
    let captures = tempfile::tempdir().unwrap();
    cursor_harness::tls::ca::create(ca_dir.path(), false).unwrap();
    let options = RecordOptions {
        destination: Destination::Forward(ForwardOptions {
            authority: Arc::new(Authority::load(ca_dir.path()).unwrap()),
            scope: Scope::all(),
            auth: None,
            client: ClientOptions {
                extra_cas: vec![upstream.ca_pem.clone()],
                ..ClientOptions::default()
            },
            leaf_cache: 4096,
        }),
        captures: captures.path().to_owned(),
        session: "bench".to_owned(),
        path_token: None,
        tls: None,
        keep_headers: Vec::new(),
        limits: Default::default(),
        grace: Duration::from_secs(5),
        queue: 4096,
        connections: cursor_harness::http::serve::ConnectionLimits::default(),
        capture_memory: cursor_harness::capture::budget::DEFAULT_CAPTURE_MEMORY,
        lock: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let session = tokio::spawn(run(
        listener,
        options,
        Box::new(Collect::default()),
        async {
            let _ = stopped.await;
        },
    ));
    let harness_ca = client_config(&ca_dir.path().join(CERT_FILE));
    let upstream_ca = client_config(&upstream.ca_pem);
    let port = upstream.addr.port();

    println!("tls_handshakes: {} cores; loopback; release build", cores());
    // Warm up the code paths and the upstream pool before measuring anything.
    for _ in 0..20 {
        handshake(Some(proxy), "localhost", port, &harness_ca).await;
        ttfb(Some(proxy), port, &harness_ca).await;
    }

    let (to_upstream, to_proxy) = (&upstream_ca, &harness_ca);
    let direct = rate(WARM, move |_| {
        handshake(None, "localhost", port, to_upstream)
    })
    .await;
    let warm = rate(WARM, move |_| {
        handshake(Some(proxy), "warm.bench.test", port, to_proxy)
    })
    .await;
    let cold = rate(COLD, move |i| async move {
        let name = format!("h{i}.cold.bench.test");
        handshake(Some(proxy), &name, port, to_proxy).await
    })
    .await;
    println!("handshakes/s (sequential, full handshakes, fresh TCP each):");
    let direct_rate = direct;
    println!("  direct to the upstream (no proxy)    {direct:>8.0}");
    println!("  through the MITM, leaf cache warm    {warm:>8.0}");
    println!("  through the MITM, leaf cache cold    {cold:>8.0}   (a new leaf minted each time)");

    let mut direct = Vec::new();
    let mut proxied = Vec::new();
    for _ in 0..TTFB {
        direct.push(ttfb(None, port, &upstream_ca).await);
        proxied.push(ttfb(Some(proxy), port, &harness_ca).await);
    }
    let (direct_conn, direct_first) = medians(&direct);
    let (proxied_conn, proxied_first) = medians(&proxied);
    println!(
        "time to first byte, median of {TTFB} (new connection: TCP [+ CONNECT] + TLS + request):"
    );
    println!(
        "  direct                 {:>7.3} ms   (request alone on the open connection {:>6.3} ms)",
        direct_conn, direct_first
    );
    println!(
        "  through record --forward {:>5.3} ms   (request alone on the open connection {:>6.3} ms)",
        proxied_conn, proxied_first
    );
    println!(
        "  added by the proxy     {:>7.3} ms   (request alone {:>6.3} ms)",
        proxied_conn - direct_conn,
        proxied_first - direct_first
    );

    let _ = stop.send(());
    let report = session.await.unwrap().unwrap();
    println!("captures written during the run: {}", report.written);
    write_json(serde_json::json!({
        "bench": "tls_handshakes",
        "handshakes_per_s": {"direct": direct_rate, "mitm_warm": warm, "mitm_cold": cold},
        "ttfb_ms": {
            "direct_new_connection": direct_conn, "forward_new_connection": proxied_conn,
            "added_new_connection": proxied_conn - direct_conn,
            "direct_open_connection": direct_first, "forward_open_connection": proxied_first,
            "added_open_connection": proxied_first - direct_first,
        },
    }));
}

/// `--json FILE` writes the figures for `bench/run.sh`.
fn write_json(value: serde_json::Value) {
    let args: Vec<String> = std::env::args().collect();
    if let Some(path) = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
    {
        cursor_harness::fsio::write_json_atomically(Path::new(path), &value).unwrap();
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Operations per second over `n` sequential runs of `op`.
async fn rate<F, Fut>(n: usize, mut op: F) -> f64
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let start = Instant::now();
    for i in 0..n {
        op(i).await;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn client_config(ca: &Path) -> Arc<rustls::ClientConfig> {
    let mut config = cursor_harness::tls::client_config(&[ca], &[b"http/1.1"]).unwrap();
    config.resumption = rustls::client::Resumption::disabled();
    Arc::new(config)
}

/// TCP to the upstream, or to the proxy plus `CONNECT name:port`.
async fn open(proxy: Option<SocketAddr>, name: &str, port: u16) -> TcpStream {
    let Some(proxy) = proxy else {
        let stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        stream.set_nodelay(true).unwrap();
        return stream;
    };
    let mut stream = TcpStream::connect(proxy).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let request = format!("CONNECT {name}:{port} HTTP/1.1\r\nHost: {name}:{port}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "proxy closed");
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    stream
}

async fn tls(
    proxy: Option<SocketAddr>,
    name: &str,
    port: u16,
    config: &Arc<rustls::ClientConfig>,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let stream = open(proxy, name, port).await;
    let server_name = rustls::pki_types::ServerName::try_from(name.to_owned()).unwrap();
    tokio_rustls::TlsConnector::from(config.clone())
        .connect(server_name, stream)
        .await
        .unwrap()
}

async fn handshake(
    proxy: Option<SocketAddr>,
    name: &str,
    port: u16,
    config: &Arc<rustls::ClientConfig>,
) {
    let stream = tls(proxy, name, port, config).await;
    drop(stream);
}

/// (new connection to first response byte, a second request on the open connection to its
/// first byte), in milliseconds.
async fn ttfb(
    proxy: Option<SocketAddr>,
    port: u16,
    config: &Arc<rustls::ClientConfig>,
) -> (f64, f64) {
    let start = Instant::now();
    let stream = tls(proxy, "localhost", port, config).await;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let request = || {
        http::Request::builder()
            .uri("/v1/bench")
            .header("host", format!("localhost:{port}"))
            .body(Empty::<Bytes>::new())
            .unwrap()
    };
    let response = sender.send_request(request()).await.unwrap();
    let connection = start.elapsed().as_secs_f64() * 1000.0;
    response.into_body().collect().await.unwrap();
    sender.ready().await.unwrap();
    let again = Instant::now();
    let response = sender.send_request(request()).await.unwrap();
    let first = again.elapsed().as_secs_f64() * 1000.0;
    response.into_body().collect().await.unwrap();
    (connection, first)
}

fn medians(samples: &[(f64, f64)]) -> (f64, f64) {
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    (
        median(samples.iter().map(|s| s.0).collect()),
        median(samples.iter().map(|s| s.1).collect()),
    )
}
