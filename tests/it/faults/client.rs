//! Clients that misbehave: leave mid-stream or before the head, send 50 MB, lie about the
//! body's length, come 500 at once, reset one HTTP/2 stream among several.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cursor_harness::capture::ErrorKind;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::{
    Answer, Outcome, assert_clean, assert_exchange, assert_fault, assert_healthy,
    assert_keeps_serving, body, bounded, by_marker, call, healthy_events, path,
    recorder_process_with, upstream,
};
use crate::support::recorder::{Recorder, Timed, options, send};
use crate::support::upstream::{Script, chat_events};

fn numbered(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("data: {{\"n\":{i}}}\n\n").into_bytes())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_disconnects_mid_stream() {
    let events = numbered(50);
    let sent = events.concat();
    let upstream = upstream(move |_| Script::Sse {
        events: events.clone(),
        gap: Duration::from_millis(20),
    })
    .await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let addr = recorder.addr;
    let client = tokio::spawn(async move { call(addr, "gone").await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    client.abort();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    recorder.stop().await;
    let gone = upstream
        .received()
        .iter()
        .position(|r| r.query("fault") == Some("gone"));
    assert_eq!(
        upstream.cancelled(),
        vec![gone.unwrap()],
        "the upstream request was cancelled too"
    );
    let root = recorder.captures.path();
    let exchange = assert_fault(
        root,
        "gone",
        None,
        Answer::Abandoned(&sent),
        Outcome::Failed(ErrorKind::ClientDisconnected),
    );
    let error = exchange.error.clone().unwrap();
    assert!(
        error.message.contains("upstream request was cancelled"),
        "{}",
        error.message
    );
    assert!(
        !super::captured_bytes(&exchange).is_empty(),
        "the bytes before are kept"
    );
    assert_healthy(root, &healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_disconnects_before_the_response_head() {
    let upstream = upstream(|_| Script::StallBeforeHead(Duration::from_secs(10))).await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let addr = recorder.addr;
    let client = tokio::spawn(async move { call(addr, "gone-early").await });
    let deadline = Instant::now() + Duration::from_secs(5);
    while upstream.received().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the request never reached the upstream"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    client.abort();
    while upstream.cancelled().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the upstream request was not cancelled"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    recorder.stop().await;
    let root = recorder.captures.path();
    let exchange = assert_fault(
        root,
        "gone-early",
        None,
        Answer::Abandoned(&[]),
        Outcome::Failed(ErrorKind::ClientDisconnected),
    );
    assert!(exchange.response.is_none());
    let message = exchange.error.unwrap().message;
    assert!(message.contains("before the response head"), "{message}");
    assert_healthy(root, &healthy);
}

/// A chat request whose one message is `size` bytes of text, naming its marker.
fn huge_body(marker: &str, size: usize) -> Vec<u8> {
    let mut body = format!(
        "{{\"model\":\"fault-model\",\"stream\":true,\"messages\":[{{\"role\":\"user\",\"content\":\"{marker} "
    )
    .into_bytes();
    body.resize(body.len() + size, b'x');
    body.extend_from_slice(b"\"}]}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_sends_a_50_mb_body() {
    let events = healthy_events();
    let sent = events.concat();
    let upstream = upstream(move |_| Script::Sse {
        events: events.clone(),
        gap: Duration::ZERO,
    })
    .await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let huge = huge_body("huge", 50 * 1024 * 1024);
    let started = Instant::now();
    let got = bounded(
        Duration::from_secs(30),
        send(
            recorder.addr,
            "POST",
            &path("huge"),
            &[("content-type", "application/json")],
            huge.clone(),
            false,
        ),
    )
    .await;
    eprintln!("50 MB through the proxy in {:?}", started.elapsed());
    let received = upstream.received();
    assert!(
        received[0].body == huge,
        "the upstream got the 50 MB unchanged"
    );
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    bounded(Duration::from_secs(60), recorder.stop()).await;
    eprintln!("… and written in {:?}", started.elapsed());
    let root = recorder.captures.path();
    let exchange = assert_fault(
        root,
        "huge",
        Some(&got),
        Answer::Whole(&sent),
        Outcome::Complete,
    );
    let captured = exchange.request.body.as_ref().unwrap().to_bytes();
    assert!(captured == huge, "the capture keeps the request body whole");
    assert_healthy(root, &healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_sends_a_50_mb_body_over_the_limit() {
    let upstream = upstream(|_| unreachable!("an oversized body must not be forwarded")).await;
    let mut opts = options(Some(upstream.url()));
    opts.limits.max_request_body = 1024 * 1024;
    let mut recorder = Recorder::start(opts).await;
    // Like most HTTP/1 clients, this one sends its whole body before it reads the answer: the
    // answer must still be there to read, not lost to a reset of a connection closed early.
    let huge = huge_body("too-large", 50 * 1024 * 1024);
    let mut bytes = head("too-large", huge.len());
    bytes.extend_from_slice(&huge);
    let got = raw(recorder.addr, &bytes, true).await;
    let healthy = assert_keeps_serving(recorder.addr, "healthy").await;
    recorder.stop().await;
    assert_eq!(
        upstream.received().len(),
        1,
        "only the healthy request was forwarded"
    );
    let root = recorder.captures.path();
    assert_fault(
        root,
        "too-large",
        Some(&got),
        Answer::Error(413),
        Outcome::Failed(ErrorKind::RequestBody),
    );
    assert_healthy(root, &healthy);
}

/// Send raw bytes, then either half-close (`close`) or stay silent, and read the answer.
async fn raw(addr: SocketAddr, bytes: &[u8], close: bool) -> Timed {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    bounded(Duration::from_secs(20), stream.write_all(bytes))
        .await
        .expect("the proxy takes every byte the client sends");
    if close {
        stream.shutdown().await.unwrap();
    }
    let mut answer = Vec::new();
    let _ = bounded(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    parse_answer(&answer)
}

/// The first HTTP/1.1 answer in `bytes` (a content-length or chunked body).
fn parse_answer(bytes: &[u8]) -> Timed {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer head: {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut rest = &bytes[end + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut headers = http::HeaderMap::new();
    for (name, value) in lines.filter_map(|line| line.split_once(':')) {
        let name: http::HeaderName = name.trim().to_ascii_lowercase().parse().unwrap();
        headers.append(name, value.trim().parse().unwrap());
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut body = Vec::new();
    if header("transfer-encoding") == Some("chunked") {
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16).unwrap();
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            body.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
    } else {
        let length = header("content-length").map_or(rest.len(), |v| v.parse().unwrap());
        body.extend_from_slice(&rest[..length]);
    }
    Timed {
        status,
        headers,
        frames: vec![(Instant::now(), Bytes::from(body))],
        error: None,
    }
}

fn head(marker: &str, length: usize) -> Vec<u8> {
    format!(
        "POST {} HTTP/1.1\r\nhost: recorder\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n",
        path(marker)
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_sends_a_content_length_that_lies() {
    let events = healthy_events();
    let sent = events.concat();
    let upstream = upstream(move |_| Script::Sse {
        events: events.clone(),
        gap: Duration::ZERO,
    })
    .await;
    let mut opts = options(Some(upstream.url()));
    opts.limits.idle_timeout = Duration::from_millis(500);
    let mut recorder = Recorder::start(opts).await;
    let addr = recorder.addr;

    // Longer than the body, then the client closes its side: the body can never complete.
    let short = body("short-then-close");
    let mut bytes = head("short-then-close", short.len() + 100);
    bytes.extend_from_slice(&short);
    let short_then_close = raw(addr, &bytes, true).await;

    // Longer than the body, then silence with the connection open: the wait must end.
    let silent = body("short-then-silent");
    let mut bytes = head("short-then-silent", silent.len() + 100);
    bytes.extend_from_slice(&silent);
    let started = Instant::now();
    let short_then_silent = raw(addr, &bytes, false).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // Shorter than the body: what it declares is the request; the rest is the next one on
    // the connection, which is not HTTP.
    let full = body("long");
    let declared = full.len() - 10;
    let mut bytes = head("long", declared);
    bytes.extend_from_slice(&full);
    let long = raw(addr, &bytes, true).await;

    let healthy = assert_keeps_serving(addr, "healthy").await;
    recorder.stop().await;
    let root = recorder.captures.path();
    // What arrived before the body broke off or stalled is kept, with the error.
    for (marker, got, status, arrived) in [
        ("short-then-close", &short_then_close, 400, &short),
        ("short-then-silent", &short_then_silent, 408, &silent),
    ] {
        let exchange = assert_fault(
            root,
            marker,
            Some(got),
            Answer::Error(status),
            Outcome::Failed(ErrorKind::RequestBody),
        );
        let kept = exchange
            .request
            .body
            .as_ref()
            .map(|b| b.to_bytes().into_owned());
        assert_eq!(
            kept.as_ref(),
            Some(arrived),
            "{marker}: the bytes that arrived"
        );
        let message = &exchange.error.as_ref().unwrap().message;
        assert!(
            message.contains(&format!("after {} bytes", arrived.len())),
            "{marker}: {message}"
        );
    }
    let exchange = assert_fault(
        root,
        "long",
        Some(&long),
        Answer::Whole(&sent),
        Outcome::Complete,
    );
    assert_eq!(
        exchange.request.body.as_ref().unwrap().to_bytes().as_ref(),
        &full[..declared],
        "the declared length is the request"
    );
    assert!(
        upstream
            .received()
            .iter()
            .any(|r| r.body == full[..declared])
    );
    assert_eq!(super::captured_bytes(&exchange), sent);
    assert_healthy(root, &healthy);
}

/// 500 clients streaming at once through the recorder as users run it: a child process whose
/// soft limit on open files is 512 (macOS's default is 256, most Linux distributions' 1,024),
/// when `prlimit` is there to set it. Each stream is two sockets in the recorder, so it must
/// raise its own limit to get through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_connections() {
    const CLIENTS: usize = 500;
    // This process holds both other ends of every stream.
    cursor_harness::http::serve::raise_open_files_limit();
    let hard = rustix::process::getrlimit(rustix::process::Resource::Nofile).maximum;
    if hard.is_some_and(|hard| hard < 4096) {
        eprintln!("SKIPPED: the hard limit on open files ({hard:?}) is below 4096");
        return;
    }
    let arrived = Arc::new(tokio::sync::Barrier::new(CLIENTS));
    let events: Vec<Vec<u8>> = chat_events("fault-model", &["all", " at", " once"])
        .into_iter()
        .map(String::into_bytes)
        .collect();
    let sent = events.concat();
    let upstream = upstream(move |_| Script::AllAtOnce {
        arrived: arrived.clone(),
        events: events.clone(),
        gap: Duration::from_millis(10),
    })
    .await;
    let captures = tempfile::tempdir().unwrap();
    let command = if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_ok()
    {
        crate::support::harness_via(&["prlimit", "--nofile=512:", "--"])
    } else {
        eprintln!("prlimit is not installed: the recorder runs with this process's limits");
        crate::support::harness()
    };
    let mut server = recorder_process_with(command, &upstream.url(), captures.path(), &[]);
    let addr = server.addr;
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| tokio::spawn(async move { (i, call(addr, &format!("many-{i}")).await) }))
        .collect();
    let mut answers = Vec::new();
    for client in clients {
        answers.push(bounded(Duration::from_secs(30), client).await.unwrap());
    }
    eprintln!("{CLIENTS} concurrent streams in {:?}", started.elapsed());
    assert_eq!(upstream.peak_concurrency(), CLIENTS, "all open at once");
    let healthy = assert_keeps_serving(addr, "healthy").await;
    server.signal("TERM");
    let code = tokio::task::block_in_place(|| server.wait(Duration::from_secs(30)));
    assert_eq!(code, Ok(Some(0)), "{}", server.stderr_text());
    let root = captures.path();
    let mut found = by_marker(&root.join(super::SESSION));
    for (i, got) in &answers {
        let marker = format!("many-{i}");
        let captured = found.remove(&marker).unwrap_or_default();
        assert_eq!(captured.len(), 1, "exactly one capture for {marker}");
        assert_exchange(
            &captured[0],
            &marker,
            Some(got),
            Answer::Whole(&sent),
            Outcome::Complete,
        );
    }
    let whole = healthy_events().concat();
    let captured = found.remove("healthy").unwrap_or_default();
    assert_eq!(captured.len(), 1);
    assert_exchange(
        &captured[0],
        "healthy",
        Some(&healthy),
        Answer::Whole(&whole),
        Outcome::Complete,
    );
    assert!(found.is_empty(), "no other captures: {:?}", found.keys());
    assert_clean(root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_client_resets_one_stream_while_others_continue() {
    let events = numbered(20);
    let sent = events.concat();
    let upstream = upstream(move |_| Script::Sse {
        events: events.clone(),
        gap: Duration::from_millis(25),
    })
    .await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let tcp = TcpStream::connect(recorder.addr).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    let connection = tokio::spawn(connection);
    let markers = ["h2-a", "h2-reset", "h2-b", "h2-c"];
    let mut streams = Vec::new();
    for marker in markers {
        let mut client = client.clone().ready().await.unwrap();
        let request = http::Request::post(format!("http://{}{}", recorder.addr, path(marker)))
            .header("content-type", "application/json")
            .body(())
            .unwrap();
        let (response, mut send) = client.send_request(request, false).unwrap();
        send.send_data(Bytes::from(body(marker)), true).unwrap();
        streams.push((marker, response, send));
    }
    let mut tasks = Vec::new();
    for (marker, response, mut send) in streams {
        tasks.push(tokio::spawn(async move {
            let response = response.await.unwrap();
            let status = response.status().as_u16();
            let mut body = response.into_body();
            let mut got = Vec::new();
            let mut error = None;
            while let Some(data) = body.data().await {
                match data {
                    Ok(data) => {
                        let _ = body.flow_control().release_capacity(data.len());
                        got.extend_from_slice(&data);
                        if marker == "h2-reset" {
                            send.send_reset(h2::Reason::CANCEL);
                            break;
                        }
                    }
                    Err(err) => {
                        error = Some(err.to_string());
                        break;
                    }
                }
            }
            (marker, status, got, error)
        }));
    }
    for task in tasks {
        let (marker, status, got, error) = bounded(Duration::from_secs(20), task).await.unwrap();
        assert_eq!(status, 200, "{marker}");
        if marker != "h2-reset" {
            assert!(error.is_none(), "{marker}: {error:?}");
            assert!(got == sent, "{marker}: the other streams get every byte");
        }
    }
    // The same connection goes on serving new streams after the reset.
    let mut client = client.ready().await.unwrap();
    let request = http::Request::post(format!("http://{}{}", recorder.addr, path("healthy-h2")))
        .body(())
        .unwrap();
    let (response, mut send) = client.send_request(request, false).unwrap();
    send.send_data(Bytes::from(body("healthy-h2")), true)
        .unwrap();
    let mut healthy = response.await.unwrap().into_body();
    let mut got = Vec::new();
    while let Some(data) = healthy.data().await {
        got.extend_from_slice(&data.unwrap());
    }
    assert_eq!(got, healthy_events().concat());
    drop(client);
    connection.abort();
    recorder.stop().await;

    let reset = upstream
        .received()
        .iter()
        .position(|r| r.query("fault") == Some("h2-reset"));
    assert_eq!(
        upstream.cancelled(),
        vec![reset.unwrap()],
        "only the reset stream's upstream request was cancelled"
    );
    let root = recorder.captures.path();
    let mut captures = by_marker(&root.join(super::SESSION));
    for marker in markers {
        let found = captures.remove(marker).unwrap_or_default();
        assert_eq!(found.len(), 1, "exactly one capture for {marker}");
        let (answer, outcome) = if marker == "h2-reset" {
            (
                Answer::Abandoned(&sent),
                Outcome::Failed(ErrorKind::ClientDisconnected),
            )
        } else {
            (Answer::Whole(&sent), Outcome::Complete)
        };
        assert_exchange(&found[0], marker, None, answer, outcome);
        assert_eq!(found[0].request.http_version, "HTTP/2");
    }
    assert_eq!(captures.remove("healthy-h2").map(|c| c.len()), Some(1));
    assert_clean(root);
}

/// The OpenAI Python SDK stops reading at `data: [DONE]` and closes the connection, before the
/// body's terminating chunk: the client got the whole stream, so the capture is complete (no
/// `client-disconnected`), `check` passes it, and the console notes how it ended. A client that
/// leaves in the middle is still recorded as gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_closes_right_after_done_got_a_complete_stream() {
    let events: Vec<Vec<u8>> = chat_events("fault-model", &["Hello", " there"])
        .into_iter()
        .map(String::into_bytes)
        .collect();
    let upstream = upstream(move |_| Script::StallAfter {
        events: events.clone(),
        stall: Duration::from_secs(3),
    })
    .await;
    let mut recorder = Recorder::start(options(Some(upstream.url()))).await;
    let request = body("after-done");
    let mut stream = TcpStream::connect(recorder.addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nhost: gateway.example\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        path("after-done"),
        request.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&request).await.unwrap();
    let mut received = Vec::new();
    bounded(Duration::from_secs(10), async {
        let mut buffer = [0u8; 4096];
        while !String::from_utf8_lossy(&received).contains("data: [DONE]") {
            let n = stream.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the stream ended before [DONE]");
            received.extend_from_slice(&buffer[..n]);
        }
    })
    .await;
    assert!(
        !String::from_utf8_lossy(&received).ends_with("0\r\n\r\n"),
        "the upstream is still holding the body open"
    );
    drop(stream);
    tokio::time::sleep(Duration::from_millis(300)).await;
    recorder.stop().await;
    let exchange = super::one_capture(&recorder.session_dir(), "after-done");
    assert!(
        exchange.error.is_none(),
        "a complete stream is no transport failure: {:?}",
        exchange.error
    );
    let response = exchange.response.as_ref().unwrap();
    assert!(response.stream_complete());
    assert!(response.ended_at_ms.is_some());
    let checked = cursor_harness::check::check_exchange(
        &exchange,
        "after-done".into(),
        cursor_harness::conformance::Profile::Strict,
    );
    assert!(!checked.failed(), "{checked:?}");
    let lines = recorder.console.lines.lock().unwrap().clone();
    let line = lines
        .iter()
        .find(|l| l.model.as_deref() == Some("fault-model"))
        .expect("a console line");
    let note = line.error.as_deref().unwrap_or_default();
    assert!(
        note.starts_with("note:") && note.contains("client-disconnected"),
        "{note}"
    );
}
