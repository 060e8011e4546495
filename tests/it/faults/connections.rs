//! Hostile and careless connections: clients that connect and say nothing, HTTP/2 clients
//! that send only the preface, keep-alive connections left idle, more clients than
//! `--max-connections`, and blind tunnels that hold their place. Each is closed or held back
//! within its bound, and the server keeps serving.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use super::bounded;
use crate::support::process::Server;
use crate::support::proxy_client;
use crate::support::recorder::{Recorder, forward_mut, forward_options, send};

/// The HTTP/2 connection preface and an empty SETTINGS frame: what a client sends first.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// Send `first` (maybe nothing), then read until the server closes; how long that took.
async fn closed_after(addr: SocketAddr, first: &[u8]) -> Duration {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    stream.write_all(first).await.unwrap();
    let mut sink = vec![0u8; 16 * 1024];
    loop {
        match bounded(Duration::from_secs(60), stream.read(&mut sink)).await {
            Ok(0) | Err(_) => return started.elapsed(),
            Ok(_) => {}
        }
    }
}

/// A GET answered whole (the stub's model list), then the connection left open and idle.
async fn idle_after_a_request(addr: SocketAddr) -> Duration {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /v1/models HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buffer = vec![0u8; 16 * 1024];
    // The answer has a content-length; once it is all here the connection is idle.
    let answered = loop {
        let n = bounded(Duration::from_secs(10), stream.read(&mut buffer))
            .await
            .unwrap();
        assert!(n > 0, "closed before the answer: {got:?}");
        got.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .and_then(|v| v.trim().parse().ok())
                .expect("a content-length");
            if body.len() >= length {
                assert!(head.starts_with("HTTP/1.1 200"), "{head}");
                break Instant::now();
            }
        }
    };
    match bounded(Duration::from_secs(60), stream.read(&mut buffer)).await {
        Ok(0) | Err(_) => answered.elapsed(),
        Ok(_) => panic!("nothing more was asked"),
    }
}

/// An HTTP/2 client that answers pings, sends one request, and then stays idle: the server
/// ends the connection (GOAWAY) and the client's connection task finishes.
async fn h2_idle_after_a_request(addr: SocketAddr) -> Duration {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    let connection = tokio::spawn(connection);
    let mut client = client.ready().await.unwrap();
    let request = http::Request::get(format!("http://{addr}/v1/models"))
        .body(())
        .unwrap();
    let (response, _) = client.send_request(request, true).unwrap();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    while let Some(data) = body.data().await {
        let data = data.unwrap();
        let _ = body.flow_control().release_capacity(data.len());
    }
    let answered = Instant::now();
    let _ = bounded(Duration::from_secs(60), connection).await;
    answered.elapsed()
}

fn stub(extra: &[&str]) -> (Server, tempfile::TempDir) {
    let mut args = vec![
        "record",
        "--stub",
        "--allow-no-token",
        "--listen",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(extra);
    let captures = tempfile::tempdir().unwrap();
    let mut command = crate::support::harness();
    command
        .args(&args)
        .args(["--session", "conn", "--captures"])
        .arg(captures.path());
    (Server::spawn(command), captures)
}

/// Every kind of idle connection is closed once the idle timeout (2 s here) has passed with
/// nothing in flight, and not long after; the recorder serves on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_after_the_idle_timeout() {
    let (mut server, _captures) = stub(&["--connection-idle-timeout", "2"]);
    let addr = server.addr;
    let silent = tokio::spawn(closed_after(addr, b""));
    let preface = tokio::spawn(closed_after(addr, H2_PREFACE));
    let partial = tokio::spawn(closed_after(
        addr,
        b"GET /v1/models HTTP/1.1\r\nhost: t\r\n",
    ));
    let kept_alive = tokio::spawn(idle_after_a_request(addr));
    let h2_idle = tokio::spawn(h2_idle_after_a_request(addr));
    let window = |what: &str, took: Duration| {
        eprintln!("{what}: closed after {took:.1?}");
        assert!(
            took >= Duration::from_millis(1_800) && took <= Duration::from_secs(5),
            "{what} was closed after {took:?}"
        );
    };
    window("silent HTTP/1.1", silent.await.unwrap());
    // An HTTP/2 peer that never answers the server's ping is dropped 2 s after the GOAWAY.
    window("HTTP/2, preface only", preface.await.unwrap());
    window("HTTP/1.1, partial head", partial.await.unwrap());
    window("HTTP/1.1 keep-alive", kept_alive.await.unwrap());
    window("HTTP/2 after a request", h2_idle.await.unwrap());
    let got = send(addr, "GET", "/v1/models", &[], Vec::new(), false).await;
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(server.stop(), Some(0), "{}", server.stderr_text());
}

/// Past `--max-connections`, a new client is not served (it waits to be accepted) until one
/// of the open connections closes; then it is served at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_past_max_connections_wait_until_one_closes() {
    let (mut server, _captures) = stub(&["--max-connections", "2"]);
    let addr = server.addr;
    // Two connections that hold their place with half a request head.
    let mut holders = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /v1/models HTTP/1.1\r\n")
            .await
            .unwrap();
        holders.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = tokio::spawn(async move {
        let got = send(addr, "GET", "/v1/models", &[], Vec::new(), false).await;
        (got.status, Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(
        !waiting.is_finished(),
        "a third client was served past the limit of two"
    );
    let released = Instant::now();
    drop(holders.pop());
    let (status, served) = bounded(Duration::from_secs(5), waiting).await.unwrap();
    assert_eq!(status, 200);
    assert!(
        served - released < Duration::from_secs(2),
        "{:?}",
        served - released
    );
    assert_eq!(server.stop(), Some(0));
    assert!(
        server
            .stderr_text()
            .contains("2 connections are open (--max-connections)"),
        "{}",
        server.stderr_text()
    );
}

/// A blind CONNECT tunnel keeps the place of the connection it took over: with a limit of one,
/// a second tunnel is not even answered until the first one closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blind_tunnel_counts_against_max_connections() {
    // A host that holds each connection until the other side closes it.
    let holder = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = holder.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = holder.accept().await {
            tokio::spawn(async move {
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            });
        }
    });
    let ca = tempfile::tempdir().unwrap();
    let mut options = forward_options(ca.path(), None);
    forward_mut(&mut options).scope =
        cursor_harness::proxy::scope::Scope::parse(&["api.openai.com"]).unwrap();
    options.connections.max_connections = 1;
    let mut recorder = Recorder::start(options).await;
    let authority = target.to_string();
    let (status, first) = proxy_client::connect(recorder.addr, &authority, &[]).await;
    assert_eq!(status, 200);
    let proxy = recorder.addr;
    let second = tokio::spawn(async move { proxy_client::connect(proxy, &authority, &[]).await });
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(
        !second.is_finished(),
        "a second tunnel was opened while the first held the only place"
    );
    drop(first);
    let (status, _second) = bounded(Duration::from_secs(5), second).await.unwrap();
    assert_eq!(status, 200);
    recorder.stop().await;
}
