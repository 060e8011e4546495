//! A test upstream that misbehaves on request: a raw HTTP/1.1 server (so it can send invalid
//! HTTP, reset mid-stream or stall) that streams SSE with controlled gaps, remembers what it
//! received, when it sent each event, which responses a client abandoned and how many it served
//! at once, and checks on drop that it was called. [`malformed`] builds broken event streams.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A request as the upstream received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    /// Names lowercased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter of the request target (no percent-decoding: tests use plain values).
    pub fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }
}

/// What to do with a request.
#[derive(Debug, Clone)]
pub enum Script {
    /// 200 `text/event-stream`, chunked; each event written and flushed, then `gap`.
    Sse { events: Vec<Vec<u8>>, gap: Duration },
    /// Like `Sse` with extra response headers (e.g. content-encoding) and raw event bytes.
    SseWith {
        headers: Vec<(String, String)>,
        events: Vec<Vec<u8>>,
        gap: Duration,
    },
    /// A whole response with a content-length.
    Json { status: u16, body: Vec<u8> },
    /// These bytes as they are, then close (invalid HTTP and the like).
    Raw(Vec<u8>),
    /// Send the head and the first `after` events, then reset the connection.
    ResetAfter {
        events: Vec<Vec<u8>>,
        after: usize,
        gap: Duration,
    },
    /// Send nothing for this long (or until the client closes), then close.
    StallBeforeHead(Duration),
    /// Send the head, wait until every request sharing `arrived` has come in (at most 30 s),
    /// then stream like `Sse`: proof that that many responses were open at once.
    AllAtOnce {
        arrived: Arc<tokio::sync::Barrier>,
        events: Vec<Vec<u8>>,
        gap: Duration,
    },
    /// Send the head and these events, then nothing for this long, then close.
    StallAfter {
        events: Vec<Vec<u8>>,
        stall: Duration,
    },
}

type Handler = dyn Fn(&Received) -> Script + Send + Sync;

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    /// When each event of each response was written: (request index, event index, time).
    sent: Mutex<Vec<(usize, usize, Instant)>>,
    /// Set when a client went away before a response was complete.
    cancelled: AtomicBool,
    /// Indexes of the requests whose response a client abandoned.
    cancelled_requests: Mutex<Vec<usize>>,
    /// Responses being written right now, and the most at once.
    active: AtomicUsize,
    peak: AtomicUsize,
    panicked: AtomicBool,
}

pub struct TestUpstream {
    pub addr: SocketAddr,
    state: Arc<State>,
    allow_unused: bool,
    task: tokio::task::JoinHandle<()>,
}

impl TestUpstream {
    pub async fn start(
        handler: impl Fn(&Received) -> Script + Send + Sync + 'static,
    ) -> TestUpstream {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind test upstream");
        TestUpstream::start_on(listener, handler)
    }

    /// Like [`TestUpstream::start`] on a listener the test bound (a port chosen in advance).
    pub fn start_on(
        listener: TcpListener,
        handler: impl Fn(&Received) -> Script + Send + Sync + 'static,
    ) -> TestUpstream {
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let handler: Arc<Handler> = Arc::new(handler);
        let task_state = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = task_state.clone();
                let handler = handler.clone();
                tokio::spawn(async move {
                    let result =
                        tokio::spawn(serve_connection(stream, state.clone(), handler)).await;
                    if result.as_ref().is_err_and(|e| e.is_panic()) {
                        state.panicked.store(true, Ordering::SeqCst);
                    }
                });
            }
        });
        TestUpstream {
            addr,
            state,
            allow_unused: false,
            task,
        }
    }

    /// An upstream that always streams these events with this gap.
    pub async fn sse(events: Vec<String>, gap: Duration) -> TestUpstream {
        let events: Vec<Vec<u8>> = events.into_iter().map(String::into_bytes).collect();
        TestUpstream::start(move |_| Script::Sse {
            events: events.clone(),
            gap,
        })
        .await
    }

    /// Don't fail on drop when no request arrived (for tests proving nothing got through).
    pub fn allow_unused(mut self) -> TestUpstream {
        self.allow_unused = true;
        self
    }

    pub fn url(&self) -> String {
        format!("http://{}/api/llm/v1", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// When each event was written, for the given request index.
    pub fn send_times(&self, request: usize) -> Vec<Instant> {
        let sent = self.state.sent.lock().unwrap();
        sent.iter()
            .filter(|(r, _, _)| *r == request)
            .map(|(_, _, t)| *t)
            .collect()
    }

    /// Whether a client hung up while a response was still being sent.
    pub fn saw_cancellation(&self) -> bool {
        self.state.cancelled.load(Ordering::SeqCst)
    }

    /// The requests (by index into [`TestUpstream::received`]) whose response was abandoned.
    pub fn cancelled(&self) -> Vec<usize> {
        self.state.cancelled_requests.lock().unwrap().clone()
    }

    /// The most responses this upstream was writing at the same time.
    pub fn peak_concurrency(&self) -> usize {
        self.state.peak.load(Ordering::SeqCst)
    }
}

impl Drop for TestUpstream {
    fn drop(&mut self) {
        self.task.abort();
        if std::thread::panicking() {
            return;
        }
        assert!(
            !self.state.panicked.load(Ordering::SeqCst),
            "a test upstream handler panicked"
        );
        assert!(
            self.allow_unused || !self.state.received.lock().unwrap().is_empty(),
            "the test upstream was never called (did the request reach it?)"
        );
    }
}

async fn serve_connection(mut stream: TcpStream, state: Arc<State>, handler: Arc<Handler>) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let index = {
            let mut received = state.received.lock().unwrap();
            received.push(request.clone());
            received.len() - 1
        };
        let active = state.active.fetch_add(1, Ordering::SeqCst) + 1;
        state.peak.fetch_max(active, Ordering::SeqCst);
        let keep_going = respond(&mut stream, handler(&request), index, &state).await;
        state.active.fetch_sub(1, Ordering::SeqCst);
        if !keep_going {
            return;
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Received> {
    let head_end = loop {
        if let Some(at) = find(buffer, b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    buffer.drain(..head_end + 4);
    while buffer.len() < length {
        let mut chunk = vec![0u8; 65536];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body: Vec<u8> = buffer.drain(..length).collect();
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Write one scripted response; `false` when the connection must not be reused.
async fn respond(stream: &mut TcpStream, script: Script, index: usize, state: &State) -> bool {
    match script {
        Script::Json { status, body } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await.is_ok() && stream.write_all(&body).await.is_ok()
        }
        Script::Sse { events, gap } => {
            stream_events(stream, &[], &events, events.len(), gap, index, state).await
        }
        Script::SseWith {
            headers,
            events,
            gap,
        } => stream_events(stream, &headers, &events, events.len(), gap, index, state).await,
        Script::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
            false
        }
        Script::ResetAfter { events, after, gap } => {
            stream_events(stream, &[], &events, after, gap, index, state).await;
            // Linger 0 makes close send RST instead of FIN.
            let _ = stream.set_zero_linger();
            false
        }
        Script::StallBeforeHead(stall) => {
            // A client that gives up closes the connection: that shows as EOF on a read.
            let mut byte = [0u8; 1];
            tokio::select! {
                () = tokio::time::sleep(stall) => {}
                read = stream.read(&mut byte) => if matches!(read, Ok(0) | Err(_)) {
                    state.cancelled.store(true, Ordering::SeqCst);
                    state.cancelled_requests.lock().unwrap().push(index);
                }
            }
            false
        }
        Script::AllAtOnce {
            arrived,
            events,
            gap,
        } => {
            stream_head(stream, &[]).await
                && tokio::time::timeout(Duration::from_secs(30), arrived.wait())
                    .await
                    .is_ok()
                && stream_body(stream, &events, events.len(), gap, index, state).await
        }
        Script::StallAfter { events, stall } => {
            // All events but no terminating chunk: the response is open and silent.
            stream_events(
                stream,
                &[],
                &events,
                events.len() - 1,
                Duration::ZERO,
                index,
                state,
            )
            .await;
            let last = events.last().expect("StallAfter needs events");
            let mut chunk = format!("{:x}\r\n", last.len()).into_bytes();
            chunk.extend_from_slice(last);
            chunk.extend_from_slice(b"\r\n");
            let _ = stream.write_all(&chunk).await;
            tokio::time::sleep(stall).await;
            false
        }
    }
}

/// Head, then up to `limit` events as chunks (flushed one by one), then the terminator when
/// every event was sent.
async fn stream_events(
    stream: &mut TcpStream,
    extra_headers: &[(String, String)],
    events: &[Vec<u8>],
    limit: usize,
    gap: Duration,
    index: usize,
    state: &State,
) -> bool {
    stream_head(stream, extra_headers).await
        && stream_body(stream, events, limit, gap, index, state).await
}

/// The head of a chunked event stream.
async fn stream_head(stream: &mut TcpStream, extra_headers: &[(String, String)]) -> bool {
    let mut head = String::from(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n",
    );
    for (name, value) in extra_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.is_ok() && stream.flush().await.is_ok()
}

/// Up to `limit` events as chunks (flushed one by one), then the terminator when every event
/// was sent.
async fn stream_body(
    stream: &mut TcpStream,
    events: &[Vec<u8>],
    limit: usize,
    gap: Duration,
    index: usize,
    state: &State,
) -> bool {
    for (i, event) in events.iter().enumerate().take(limit) {
        if i > 0 && !gap.is_zero() {
            tokio::time::sleep(gap).await;
        }
        let mut chunk = format!("{:x}\r\n", event.len()).into_bytes();
        chunk.extend_from_slice(event);
        chunk.extend_from_slice(b"\r\n");
        state.sent.lock().unwrap().push((index, i, Instant::now()));
        if stream.write_all(&chunk).await.is_err() || stream.flush().await.is_err() {
            state.cancelled.store(true, Ordering::SeqCst);
            state.cancelled_requests.lock().unwrap().push(index);
            return false;
        }
    }
    if limit < events.len() {
        return false;
    }
    // A client that hung up shows as a failed write or an immediate EOF on the next read.
    stream.write_all(b"0\r\n\r\n").await.is_ok()
}

/// Chat Completions SSE events carrying `pieces` as content, with role, finish, usage and DONE.
pub fn chat_events(model: &str, pieces: &[&str]) -> Vec<String> {
    let chunk = |delta: serde_json::Value, finish: serde_json::Value| {
        let value = serde_json::json!({"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_767_225_600u64,
            "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
        format!("data: {value}\n\n")
    };
    let mut events = vec![chunk(
        serde_json::json!({"role": "assistant", "content": ""}),
        serde_json::Value::Null,
    )];
    for piece in pieces {
        events.push(chunk(
            serde_json::json!({"content": piece}),
            serde_json::Value::Null,
        ));
    }
    events.push(chunk(serde_json::json!({}), serde_json::json!("stop")));
    let usage = serde_json::json!({"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_767_225_600u64,
        "model": model, "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": pieces.len(), "total_tokens": 3 + pieces.len()}});
    events.push(format!("data: {usage}\n\n"));
    events.push("data: [DONE]\n\n".to_owned());
    events
}

/// Event streams that break the SSE rules in one way each; every one is still valid HTTP, so
/// the proxy must pass the bytes through untouched and record them as a complete exchange.
pub mod malformed {
    use super::chat_events;

    /// Events with no blank line between them: one endless event to an SSE parser.
    pub fn no_blank_line(model: &str) -> Vec<Vec<u8>> {
        chat_events(model, &["no", "blank", "lines"])
            .into_iter()
            .map(|event| event.trim_end_matches('\n').to_owned() + "\n")
            .map(String::into_bytes)
            .collect()
    }

    /// One `data:` line of `size` bytes, written in `piece`-sized writes, between valid events.
    pub fn giant_line(model: &str, size: usize, piece: usize) -> Vec<Vec<u8>> {
        let mut events: Vec<Vec<u8>> = chat_events(model, &["before"])
            .into_iter()
            .take(2)
            .map(String::into_bytes)
            .collect();
        let text = "x".repeat(size);
        let line = format!(
            "data: {{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"{model}\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{text}\"}},\"finish_reason\":null}}]}}\n\n"
        );
        events.extend(line.as_bytes().chunks(piece).map(<[u8]>::to_vec));
        events.extend(
            chat_events(model, &[])
                .into_iter()
                .skip(1)
                .map(String::into_bytes),
        );
        events
    }

    /// A content delta whose bytes are not UTF-8, split so one write ends mid-sequence.
    pub fn invalid_utf8(model: &str) -> Vec<Vec<u8>> {
        let mut events: Vec<Vec<u8>> = chat_events(model, &["valid"])
            .into_iter()
            .map(String::into_bytes)
            .collect();
        let mut bad = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"".to_vec();
        bad.extend_from_slice(&[0xff, 0xfe, b'a', 0xc3]);
        let mut rest = vec![0x28, 0xe2, 0x82];
        rest.extend_from_slice(b"\"},\"finish_reason\":null}]}\n\n");
        events.insert(2, rest);
        events.insert(2, bad);
        events
    }

    /// A whole stream, `[DONE]`, then more events as if nothing had ended.
    pub fn data_after_done(model: &str) -> Vec<Vec<u8>> {
        let mut events: Vec<Vec<u8>> = chat_events(model, &["first"])
            .into_iter()
            .map(String::into_bytes)
            .collect();
        events.extend(
            chat_events(model, &["after", "done"])
                .into_iter()
                .skip(1)
                .map(String::into_bytes),
        );
        events
    }
}
