//! `record --forward`: the MITM proxy with real TLS on loopback (a TLS test upstream with its
//! own CA, the harness CA for the client side), real curl processes, the same streaming
//! guarantees as the reverse mode, blind tunnels, trust failures, credentials, loops.

use std::path::Path;
use std::time::Duration;

use cursor_harness::capture::ErrorKind;
use cursor_harness::proxy::proxy_auth::ProxyAuth;
use cursor_harness::proxy::scope::Scope;
use cursor_harness::tls::ca::CERT_FILE;
use serde_json::json;

use crate::support::proxy_client::{connect, send_tunnelled};
use crate::support::recorder::{
    Recorder, assert_capture_rebuilds, assert_not_coalesced, forward_mut, forward_options,
};
use crate::support::tls_upstream::TlsUpstream;
use crate::support::upstream::{TestUpstream, chat_events};

fn chat_body(model: &str) -> String {
    json!({"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": true})
        .to_string()
}

/// curl through `proxy` (`-N`: print each chunk as it comes); its stdout when it succeeded.
async fn curl(proxy: std::net::SocketAddr, args: &[&str]) -> std::process::Output {
    let mut command = tokio::process::Command::from(crate::support::curl());
    command
        .arg("-N")
        .arg("--proxy")
        .arg(format!("http://{proxy}"))
        .args(args)
        .output()
        .await
        .expect("curl runs")
}

/// The output's stdout, after asserting curl succeeded.
fn stdout_of(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        crate::support::describe(output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn harness_ca(dir: &Path) -> String {
    dir.join(CERT_FILE).display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tunnelled_stream_passes_byte_for_byte_chunk_by_chunk_over_http1_and_http2() {
    let events = chat_events(
        "plainmodel-x",
        &["Hello", " there", ",", " how", " are", "?"],
    );
    let upstream = TlsUpstream::sse(events.clone(), Duration::from_millis(60)).await;
    let ca = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::start(forward_options(ca.path(), Some(&upstream.ca_pem))).await;
    let ca_pem = ca.path().join(CERT_FILE);
    for (index, http2) in [false, true].into_iter().enumerate() {
        let response = send_tunnelled(
            recorder.addr,
            "localhost",
            upstream.addr.port(),
            &ca_pem,
            "POST",
            "/v1/chat/completions?trace=1",
            &[
                ("content-type", "application/json"),
                ("authorization", "Bearer test-key-not-secret"),
            ],
            chat_body("plainmodel-x"),
            http2,
        )
        .await;
        assert_eq!(response.status, 200);
        assert_eq!(
            response.text(),
            events.concat(),
            "bytes unchanged (http2 {http2})"
        );
        assert_not_coalesced(&events, &upstream.send_times(index), &response);
    }
    recorder.stop().await;

    let seen = upstream.seen();
    let versions: Vec<http::Version> = seen.iter().map(|s| s.version).collect();
    assert_eq!(
        versions,
        vec![http::Version::HTTP_11, http::Version::HTTP_2],
        "the upstream is spoken to in the protocol the client negotiated"
    );
    assert_eq!(seen[0].target, "/v1/chat/completions?trace=1");
    assert_eq!(
        seen[0].headers.get("authorization").unwrap(),
        "Bearer test-key-not-secret"
    );
    let exchanges = recorder.exchanges();
    assert_eq!(exchanges.len(), 2);
    for ((path, exchange), version) in exchanges.iter().zip(["HTTP/1.1", "HTTP/2"]) {
        assert!(path.starts_with(recorder.session_dir().join("plainmodel-x")));
        assert_eq!(
            exchange.upstream.as_deref(),
            Some(format!("https://localhost:{}", upstream.addr.port()).as_str())
        );
        assert_eq!(exchange.request.target, "/v1/chat/completions?trace=1");
        assert_eq!(exchange.request.http_version, version);
        assert_capture_rebuilds(exchange.response.as_ref().unwrap(), &events, 40.0);
        let auth = cursor_harness::capture::header(&exchange.request.headers, "authorization");
        assert!(auth.unwrap().starts_with("Bearer [REDACTED:"), "{auth:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_reaches_a_tls_upstream_through_the_proxy_by_name_and_by_address() {
    if !crate::support::have_curl() {
        return;
    }
    let events = chat_events("curl-model", &["one", "two"]);
    let upstream = TlsUpstream::sse(events.clone(), Duration::from_millis(10)).await;
    let ca = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::start(forward_options(ca.path(), Some(&upstream.ca_pem))).await;
    let body = chat_body("curl-model");
    let cases = [
        ("--http1.1", "localhost"),
        ("--http2", "localhost"),
        // No SNI for an address: the leaf is named after the CONNECT host, as an IP SAN.
        ("--http2", "127.0.0.1"),
    ];
    for (http, host) in cases {
        let url = upstream.url(host, "/v1/chat/completions");
        let output = curl(
            recorder.addr,
            &[
                http,
                "--cacert",
                &harness_ca(ca.path()),
                "-H",
                "content-type: application/json",
                "--data-binary",
                &body,
                &url,
            ],
        )
        .await;
        assert_eq!(stdout_of(&output), events.concat(), "{http} {host}");
    }
    recorder.stop().await;
    let exchanges = recorder.exchanges();
    let seen: Vec<(String, String, String)> = exchanges
        .iter()
        .map(|(_, e)| {
            (
                e.request.http_version.clone(),
                e.upstream.clone().unwrap(),
                e.request.target.clone(),
            )
        })
        .collect();
    let port = upstream.addr.port();
    assert_eq!(
        seen,
        vec![
            (
                "HTTP/1.1".into(),
                format!("https://localhost:{port}"),
                "/v1/chat/completions".into()
            ),
            (
                "HTTP/2".into(),
                format!("https://localhost:{port}"),
                "/v1/chat/completions".into()
            ),
            (
                "HTTP/2".into(),
                format!("https://127.0.0.1:{port}"),
                "/v1/chat/completions".into()
            ),
        ]
    );
    for (_, exchange) in &exchanges {
        assert!(exchange.error.is_none(), "{:?}", exchange.error);
        let response = exchange.response.as_ref().unwrap();
        assert_eq!(response.stream_bytes().unwrap(), events.concat().as_bytes());
        assert!(response.headers_at_ms.is_some() && response.ended_at_ms.is_some());
        assert!(
            response
                .stream
                .as_ref()
                .unwrap()
                .iter()
                .all(|c| c.at_ms.is_some())
        );
    }
    assert_eq!(exchanges[0].1.model.as_deref(), Some("curl-model"));
    // One proxy, many hosts: the console line names where each exchange went.
    let mut hosts: Vec<String> = recorder
        .console
        .lines
        .lock()
        .unwrap()
        .iter()
        .map(|line| {
            let shown = line.render_with(true);
            let host = line.host.clone().unwrap();
            assert!(shown.ends_with(&format!("→ {host}")), "{shown}");
            host
        })
        .collect();
    hosts.sort();
    assert_eq!(
        hosts,
        [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("localhost:{port}")
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_not_intercepted_is_tunnelled_blind_and_not_recorded() {
    if !crate::support::have_curl() {
        return;
    }
    let events = chat_events("m", &["blind"]);
    let upstream = TlsUpstream::sse(events.clone(), Duration::ZERO).await;
    let ca = tempfile::tempdir().unwrap();
    let mut options = forward_options(ca.path(), Some(&upstream.ca_pem));
    forward_mut(&mut options).scope =
        Scope::parse(&["api.openai.com,*.gateway.example.com"]).unwrap();
    let mut recorder = Recorder::start(options).await;
    // The client sees the upstream's own certificate: only its CA makes the handshake pass.
    let upstream_ca = upstream.ca_pem.display().to_string();
    let output = curl(
        recorder.addr,
        &[
            "--http2",
            "--cacert",
            &upstream_ca,
            &upstream.url("localhost", "/v1/models"),
        ],
    )
    .await;
    assert_eq!(stdout_of(&output), events.concat());
    let report = recorder.stop().await;
    assert_eq!(report.written, 0);
    assert!(
        recorder.exchanges().is_empty(),
        "a blind tunnel is never recorded"
    );
    assert_eq!(upstream.seen().len(), 1);
    assert_eq!(
        upstream.seen()[0].version,
        http::Version::HTTP_2,
        "end to end h2"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_trust_the_ca_fails_cleanly_and_the_proxy_keeps_serving() {
    if !crate::support::have_curl() {
        return;
    }
    let events = chat_events("m", &["after"]);
    let upstream = TlsUpstream::sse(events.clone(), Duration::ZERO).await;
    let ca = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::start(forward_options(ca.path(), Some(&upstream.ca_pem))).await;
    let url = upstream.url("localhost", "/v1/models");
    // Trusting the upstream's CA, not the harness's: the leaf we present is refused.
    let upstream_ca = upstream.ca_pem.display().to_string();
    let refused = curl(recorder.addr, &["--cacert", &upstream_ca, &url]).await;
    assert_eq!(refused.status.code(), Some(60), "curl: certificate problem");
    let trusted = curl(recorder.addr, &["--cacert", &harness_ca(ca.path()), &url]).await;
    assert_eq!(stdout_of(&trusted), events.concat());
    recorder.stop().await;
    let warnings = recorder.console.warnings.lock().unwrap().clone();
    let refusal = warnings
        .iter()
        .find(|w| w.contains("unknown_ca"))
        .unwrap_or_else(|| panic!("no unknown_ca warning in {warnings:?}"));
    assert!(refusal.contains("localhost"), "{refusal}");
    assert!(
        refusal.contains(&harness_ca(ca.path())),
        "names the fix: {refusal}"
    );
    assert_eq!(
        recorder.exchanges().len(),
        1,
        "only the trusted request was recorded"
    );
    assert_eq!(
        upstream.seen().len(),
        1,
        "the refused one never went upstream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_certificate_that_fails_verification_is_named_with_the_fix() {
    let upstream = TlsUpstream::sse(chat_events("m", &["ok"]), Duration::ZERO).await;
    let ca = tempfile::tempdir().unwrap();
    let ca_pem = ca.path().join(CERT_FILE);
    let send = |recorder: std::net::SocketAddr| {
        let ca_pem = ca_pem.clone();
        let port = upstream.addr.port();
        async move {
            send_tunnelled(
                recorder,
                "localhost",
                port,
                &ca_pem,
                "GET",
                "/v1/models",
                &[],
                "",
                false,
            )
            .await
        }
    };
    // Without --upstream-ca the test upstream's certificate is from an unknown issuer.
    let mut recorder = Recorder::start(forward_options(ca.path(), None)).await;
    let response = send(recorder.addr).await;
    assert_eq!(response.status, 502);
    recorder.stop().await;
    let (_, exchange) = &recorder.exchanges()[0];
    let error = exchange.error.as_ref().unwrap();
    assert_eq!(error.kind, ErrorKind::Tls, "{}", error.message);
    let host = format!("localhost:{}", upstream.addr.port());
    assert!(error.message.contains(&host), "{}", error.message);
    assert!(error.message.contains("UnknownIssuer"), "{}", error.message);
    assert!(error.message.contains("--upstream-ca"), "{}", error.message);
    assert!(response.text().contains(&host), "the client is told too");

    let mut options = forward_options(ca.path(), None);
    forward_mut(&mut options).client.insecure = true;
    let mut recorder = Recorder::start(options).await;
    let response = send(recorder.addr).await;
    assert_eq!(response.status, 200, "--insecure-upstream accepts it");
    recorder.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_absolute_form_requests_are_proxied_and_recorded() {
    if !crate::support::have_curl() {
        return;
    }
    let events = chat_events("plain-http", &["a", "b"]);
    let upstream = TestUpstream::sse(events.clone(), Duration::from_millis(5)).await;
    let ca = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::start(forward_options(ca.path(), None)).await;
    let url = format!(
        "http://127.0.0.1:{}/api/llm/v1/chat/completions?x=1",
        upstream.addr.port()
    );
    let output = curl(
        recorder.addr,
        &[
            "-H",
            "content-type: application/json",
            "--data-binary",
            &chat_body("plain-http"),
            &url,
        ],
    )
    .await;
    assert_eq!(stdout_of(&output), events.concat());
    recorder.stop().await;
    assert_eq!(
        upstream.received()[0].target,
        "/api/llm/v1/chat/completions?x=1"
    );
    let (_, exchange) = &recorder.exchanges()[0];
    assert_eq!(
        exchange.upstream.as_deref(),
        Some(format!("http://127.0.0.1:{}", upstream.addr.port()).as_str())
    );
    assert_eq!(exchange.request.target, "/api/llm/v1/chat/completions?x=1");
    assert_eq!(
        exchange.response.as_ref().unwrap().stream_bytes().unwrap(),
        events.concat().as_bytes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_credentials_are_required_and_never_reach_a_capture() {
    if !crate::support::have_curl() {
        return;
    }
    const PASSWORD: &str = "PLANTEDproxyPW77";
    let upstream = TestUpstream::sse(chat_events("m", &["x"]), Duration::ZERO).await;
    let ca = tempfile::tempdir().unwrap();
    let mut options = forward_options(ca.path(), None);
    forward_mut(&mut options).auth = Some(ProxyAuth::from_pair(&format!("qa:{PASSWORD}")).unwrap());
    let mut recorder = Recorder::start(options).await;
    let (status, _) = connect(
        recorder.addr,
        &format!("localhost:{}", upstream.addr.port()),
        &[],
    )
    .await;
    assert_eq!(status, 407, "CONNECT without credentials");
    let url = format!(
        "http://127.0.0.1:{}/v1/chat/completions",
        upstream.addr.port()
    );
    let body = chat_body("m");
    let args = [
        "-H",
        "content-type: application/json",
        "--data-binary",
        &body,
        &url,
    ];
    let denied = curl(recorder.addr, &args).await;
    assert!(String::from_utf8_lossy(&denied.stdout).contains("proxy_auth_required"));
    let user = format!("qa:{PASSWORD}");
    let mut with_auth = vec!["--proxy-user", &user];
    with_auth.extend(args);
    let allowed = curl(recorder.addr, &with_auth).await;
    stdout_of(&allowed);
    recorder.stop().await;
    assert_eq!(upstream.received().len(), 1);
    assert_eq!(
        upstream.received()[0].header("proxy-authorization"),
        None,
        "proxy credentials stop at the proxy"
    );
    let exchanges = recorder.exchanges();
    assert_eq!(exchanges.len(), 1, "refused requests are not recorded");
    let encoded = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&user)
    };
    for path in crate::support::recorder::capture_files(recorder.captures.path())
        .into_iter()
        .chain([recorder.session_dir().join("manifest.json")])
    {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(PASSWORD) && !text.contains(&encoded),
            "leak in {}",
            path.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_refuses_to_connect_to_itself() {
    let ca = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::start(forward_options(ca.path(), None)).await;
    let port = recorder.addr.port();
    for authority in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let (status, _) = connect(recorder.addr, &authority, &[]).await;
        assert_eq!(status, 508, "CONNECT {authority}");
    }
    let looped =
        crate::support::recorder::send(recorder.addr, "GET", "/v1/models", &[], Vec::new(), false)
            .await;
    assert_eq!(looped.status, 508, "absolute-form to the proxy itself");
    recorder.stop().await;
    assert!(recorder.exchanges().is_empty());
}

/// A TLS handshake inside a CONNECT tunnel to `authority`, asking for `sni`, trusting the
/// harness CA: whether a certificate for that name came back.
async fn handshake(proxy: std::net::SocketAddr, authority: &str, sni: &str, ca: &Path) -> bool {
    let (status, stream) = connect(proxy, authority, &[]).await;
    assert_eq!(status, 200, "CONNECT {authority} is in scope");
    let config = crate::support::proxy_client::client_config(&ca.join(CERT_FILE), false);
    let name = rustls::pki_types::ServerName::try_from(sni.to_owned()).unwrap();
    let tls = tokio_rustls::TlsConnector::from(config).connect(name, stream);
    matches!(
        tokio::time::timeout(Duration::from_secs(10), tls).await,
        Ok(Ok(_))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaf_is_minted_only_for_a_name_in_scope_whatever_the_connect_host() {
    let ca = tempfile::tempdir().unwrap();
    let mut options = forward_options(ca.path(), None);
    forward_mut(&mut options).scope = Scope::parse(&["127.0.0.1,localhost"]).unwrap();
    let mut recorder = Recorder::start(options).await;
    // An in-scope CONNECT host asking for an out-of-scope name gets no certificate at all.
    assert!(
        !handshake(recorder.addr, "127.0.0.1:1", "www.bank.example", ca.path()).await,
        "a leaf for a name outside --intercept"
    );
    // The same tunnel asking for a name in scope does get one: the refusal above is the scope.
    assert!(handshake(recorder.addr, "127.0.0.1:1", "localhost", ca.path()).await);
    recorder.stop().await;
    let warnings = recorder.console.warnings.lock().unwrap().clone();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("www.bank.example") && w.contains("not in --intercept")),
        "{warnings:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_lets_a_stream_in_a_tunnel_finish() {
    let events: Vec<String> = (0..8).map(|i| format!("data: {{\"n\":{i}}}\n\n")).collect();
    let upstream = TlsUpstream::sse(events.clone(), Duration::from_millis(50)).await;
    let ca = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::start(forward_options(ca.path(), Some(&upstream.ca_pem))).await;
    let (addr, port, ca_pem) = (
        recorder.addr,
        upstream.addr.port(),
        ca.path().join(CERT_FILE),
    );
    let client = tokio::spawn(async move {
        send_tunnelled(
            addr,
            "localhost",
            port,
            &ca_pem,
            "GET",
            "/v1/stream",
            &[],
            "",
            true,
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(120)).await;
    let report = recorder.stop().await;
    let response = client.await.unwrap();
    assert_eq!(
        response.text(),
        events.concat(),
        "the stream finished within the grace period"
    );
    assert!(response.error.is_none());
    assert_eq!(report.written, 1);
    let (_, exchange) = &recorder.exchanges()[0];
    assert!(exchange.error.is_none(), "{:?}", exchange.error);
}
