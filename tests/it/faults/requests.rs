//! Request bodies that go wrong on the way in: too large over HTTP/2 and TLS (a real curl),
//! compressed with a `Content-Encoding` the server must read, or labelled with one their bytes
//! do not match. The client gets the documented answer, the capture says what happened, and
//! `check` flags a mislabelled body.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};

use super::SESSION;
use crate::support::process::Server;
use crate::support::recorder::{Recorder, options, send};

/// A Chat Completions body the strict gateway accepts.
fn chat(model: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "model": model,
        "messages": [{"role": "user", "content": "hello"}],
    }))
    .unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn encoded(name: &str, bytes: &[u8]) -> Vec<u8> {
    match name {
        "gzip" => gzip(bytes),
        "deflate" => {
            let mut zlib =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            zlib.write_all(bytes).unwrap();
            zlib.finish().unwrap()
        }
        "br" => {
            let mut out = Vec::new();
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                writer.write_all(bytes).unwrap();
            }
            out
        }
        "zstd" => zstd::encode_all(bytes, 3).unwrap(),
        other => panic!("{other}"),
    }
}

fn error_code(body: &[u8]) -> String {
    let value: Value = serde_json::from_slice(body).unwrap();
    value["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A child process that is killed if the test ends before it does.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `record --tls-self-signed` as users run it: it prints a local-test command that works as
/// printed (it trusts the certificate with `--cacert`), a body over `--max-request-body` sent
/// by curl over HTTP/2 and TLS gets the documented 413 in OpenAI's envelope, and the
/// certificate's temporary file is gone once the recorder stops.
#[test]
fn an_oversized_body_over_http2_and_tls_gets_413_and_the_printed_command_works() {
    if !crate::support::have_curl() {
        return;
    }
    let captures = tempfile::tempdir().unwrap();
    let mut child = KillOnDrop(
        crate::support::harness()
            .args(["record", "--stub", "--listen", "127.0.0.1:0"])
            .args(["--tls-self-signed", "127.0.0.1", "localhost"])
            .args([
                "--max-request-body",
                "1000",
                "--session",
                SESSION,
                "--captures",
            ])
            .arg(captures.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let command = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no local test line"
        );
        if let Some(command) = line.trim().strip_prefix("local test:") {
            break command.trim().to_owned();
        }
    };
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words[0], "curl", "{command}");
    assert!(words.contains(&"--cacert"), "{command}");
    let pem = words[words.iter().position(|w| *w == "--cacert").unwrap() + 1].to_owned();
    assert!(std::path::Path::new(&pem).is_file(), "{pem}");
    let models = crate::support::curl().args(&words[1..]).output().unwrap();
    let listed: Value = serde_json::from_slice(&models.stdout)
        .unwrap_or_else(|_| panic!("{command}: {}", String::from_utf8_lossy(&models.stderr)));
    assert_eq!(listed["object"], "list", "{listed}");

    let url = words
        .last()
        .unwrap()
        .replace("/v1/models", "/v1/chat/completions");
    let big = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(big.path(), vec![b'x'; 256 * 1024]).unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let sent = crate::support::curl()
        .args([
            "--http2",
            "--cacert",
            &pem,
            "-H",
            "content-type: application/json",
        ])
        .arg("--data-binary")
        .arg(format!("@{}", big.path().display()))
        .args(["-o"])
        .arg(out.path())
        .args(["-w", "%{http_code} %{http_version}", &url])
        .output()
        .unwrap();
    let stdout_text = String::from_utf8_lossy(&sent.stdout);
    assert_eq!(
        stdout_text,
        "413 2",
        "curl: {}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let answer = std::fs::read(out.path()).unwrap();
    assert_eq!(
        error_code(&answer),
        "request_body",
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(String::from_utf8_lossy(&answer).contains("--max-request-body"));

    Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        !std::path::Path::new(&pem).exists(),
        "the certificate's temporary file {pem} was left behind"
    );
}

/// The embedded gateway reads a request body per its `Content-Encoding`, like any server:
/// gzip, deflate, br and zstd decode; bytes that do not match their label get 400, an
/// encoding it does not speak 415.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_reads_request_bodies_per_content_encoding() {
    let mut gateway = Server::start(&["gateway", "--listen", "127.0.0.1:0"]);
    let addr = gateway.addr;
    for name in ["gzip", "deflate", "br", "zstd"] {
        let body = encoded(name, &chat("gpt-4o"));
        let headers = [
            ("content-type", "application/json"),
            ("content-encoding", name),
        ];
        let got = send(addr, "POST", "/v1/chat/completions", &headers, body, false).await;
        assert_eq!(got.status, 200, "{name}: {}", got.text());
    }
    let mislabelled = [
        ("content-type", "application/json"),
        ("content-encoding", "gzip"),
    ];
    let got = send(
        addr,
        "POST",
        "/v1/chat/completions",
        &mislabelled,
        chat("m"),
        false,
    )
    .await;
    assert_eq!(got.status, 400, "{}", got.text());
    assert_eq!(error_code(&got.body()), "invalid_content_encoding");
    let unknown = [
        ("content-type", "application/json"),
        ("content-encoding", "compress"),
    ];
    let got = send(
        addr,
        "POST",
        "/v1/chat/completions",
        &unknown,
        chat("m"),
        true,
    )
    .await;
    assert_eq!(got.status, 415, "{}", got.text());
    assert_eq!(error_code(&got.body()), "unsupported_content_encoding");
    assert_eq!(gateway.stop(), Some(0));
}

/// The stub answers a gzip body (it used to say the JSON could not be parsed) and refuses
/// plain JSON labelled gzip (it used to answer 200); the capture of the mislabelled one says
/// its bytes are not gzip, and `check` reports `request.content-encoding` for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stub_decodes_bodies_and_a_mislabelled_one_is_flagged_in_its_capture() {
    let mut recorder = Recorder::start(options(None)).await;
    let headers = [
        ("content-type", "application/json"),
        ("content-encoding", "gzip"),
    ];
    let path = |marker: &str| format!("/v1/chat/completions?fault={marker}");
    let real = send(
        recorder.addr,
        "POST",
        &path("real-gzip"),
        &headers,
        Bytes::from(gzip(&chat("gzip-model"))),
        false,
    )
    .await;
    assert_eq!(real.status, 200, "{}", real.text());
    let fake = send(
        recorder.addr,
        "POST",
        &path("plain-labelled-gzip"),
        &headers,
        chat("plain-model"),
        false,
    )
    .await;
    assert_eq!(fake.status, 400, "{}", fake.text());
    recorder.stop().await;
    let found = super::by_marker(&recorder.session_dir());
    let real = &found["real-gzip"][0];
    assert_eq!(
        real.model.as_deref(),
        Some("gzip-model"),
        "decoded for the capture"
    );
    assert_eq!(real.request.encoding_mismatch, None);
    let fake = &found["plain-labelled-gzip"][0];
    let note = fake
        .request
        .encoding_mismatch
        .as_deref()
        .unwrap_or_default();
    assert!(
        note.contains("labelled `content-encoding: gzip` but its bytes are not gzip"),
        "{note}"
    );

    let checked = crate::support::run(
        crate::support::harness()
            .args(["check", "--format", "json"])
            .arg(recorder.session_dir()),
    );
    assert_eq!(
        checked.status.code(),
        Some(1),
        "{}",
        crate::support::describe(&checked)
    );
    let results: Value = serde_json::from_slice(&checked.stdout).unwrap();
    for row in results["results"].as_array().unwrap() {
        let codes: Vec<&str> = row["request"]["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v["code"].as_str())
            .collect();
        let mislabelled = row["capture"].as_str().unwrap().contains(&fake.id);
        assert_eq!(
            codes.contains(&"request.content-encoding"),
            mislabelled,
            "{}: {codes:?}",
            row["capture"]
        );
    }
    tokio::time::sleep(Duration::ZERO).await;
}
