//! An upstream whose every answer is an event stream that never ends, and a client that reads
//! a set amount of one and hangs up: the fault suite's memory test and the memory benchmark
//! (which includes this file by path) drive the recorder with them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// An upstream whose every answer is an event stream that never ends: 8 events of 520 bytes
/// per write, as fast as the reader takes them, until the reader goes away.
pub async fn endless_upstream() -> (SocketAddr, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let stopped = stopped.clone();
            tokio::spawn(async move { stream_forever(stream, &stopped).await });
        }
    });
    (addr, stop)
}

async fn stream_forever(mut stream: TcpStream, stop: &AtomicBool) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = text
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if stream.read_exact(&mut body).await.is_err() {
        return;
    }
    let event = format!(
        "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{}\"}},\"finish_reason\":null}}]}}\n\n",
        "x".repeat(400)
    );
    let chunk = format!("{:x}\r\n{event}\r\n", event.len()).repeat(8);
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    while !stop.load(Ordering::Relaxed) {
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Read `want` bytes of a streamed answer as fast as they come, then hang up. Returns what was
/// read; a stream that ended or broke before that fails the test.
pub async fn read_stream(addr: SocketAddr, marker: String, want: usize) -> usize {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let body = format!(
        r#"{{"model":"m","messages":[{{"role":"user","content":"{marker}"}}],"stream":true}}"#
    );
    let head = format!(
        "POST /v1/chat/completions?fault={marker} HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut got = 0;
    while got < want {
        let n = stream.read(&mut buffer).await.unwrap();
        assert!(n > 0, "{marker}: the stream ended after {got} bytes");
        got += n;
    }
    got
}
