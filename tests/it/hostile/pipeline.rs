//! The hostile corpus through every command, once: `record` in front of a hostile upstream,
//! then `replay`, `check`, `diff`, `run` (all five reports), `report`, `export` (HAR and curl)
//! and `scan` over what they wrote. The outputs are built once and shared by the tests that
//! read them.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::json;

use super::corpus::{self, Shape};
use crate::support::process::Server;
use crate::support::upstream::{Received, Script, TestUpstream};
use crate::support::{self, harness, printed, run};

/// What the pipeline left: its folder and every command's console output.
pub struct Artifacts {
    /// Everything written is under here (captures, runs, reports, exports, check output).
    pub root: PathBuf,
    pub captures: PathBuf,
    pub report: PathBuf,
    pub curl: PathBuf,
    /// A file the hostile text tries to create, by shell or by terminal.
    pub marker: PathBuf,
    /// `(command, stdout and stderr)` of every command run.
    pub consoles: Vec<(String, String)>,
    /// How many exchanges were recorded.
    pub recorded: usize,
}

/// The pipeline's outputs, built on first use (the tests that read them share one run).
pub fn artifacts() -> &'static Artifacts {
    static BUILT: OnceLock<Artifacts> = OnceLock::new();
    BUILT.get_or_init(build)
}

fn build() -> Artifacts {
    // Kept for the whole test process: the tests that share it read it at their own pace.
    let root = tempfile::tempdir().unwrap().keep();
    let marker = root.join("PWNED");
    let marker_text = marker.display().to_string();
    let runtime = support::runtime();
    let upstream = runtime.block_on(upstream(marker_text.clone()));
    let captures = root.join("captures");
    let token = corpus::path_token();
    let mut consoles = Vec::new();

    let mut recorder = Server::start(&[
        "record",
        "--upstream",
        &upstream.url(),
        "--captures",
        &captures.display().to_string(),
        "--session",
        "hostile",
        "--listen",
        "127.0.0.1:0",
        "--path-token",
        &token,
    ]);
    let requests = requests(&token, &marker_text);
    for request in &requests {
        let answer = exchange(recorder.addr, request);
        assert!(
            answer.starts_with(b"HTTP/1.1 "),
            "{:?}",
            String::from_utf8_lossy(&answer)
        );
    }
    let code = recorder.stop();
    assert_eq!(code, Some(0), "record: {}", recorder.stderr_text());
    consoles.push((
        "record".to_owned(),
        recorder.stdout_text() + &recorder.stderr_text(),
    ));
    let session = captures.join("hostile");
    let recorded = support::json_files(&session)
        .iter()
        .filter(|p| !p.ends_with("manifest.json"))
        .count();
    assert_eq!(recorded, requests.len(), "every exchange recorded");

    let mut command = |label: &str, args: &[&str]| -> Output {
        let mut command = harness();
        command.current_dir(&root).args(args);
        let output = run(&mut command);
        consoles.push((label.to_owned(), printed(&output)));
        output
    };
    let session_arg = session.display().to_string();
    let runs = root.join("runs");
    let replayed = command(
        "replay",
        &[
            "replay",
            &session_arg,
            "--target",
            &upstream.url(),
            "--out",
            &runs.display().to_string(),
            "--run-id",
            "hostile",
        ],
    );
    assert!(
        replayed.status.code().is_some_and(|c| c <= 1),
        "{}",
        support::describe(&replayed)
    );
    for (label, format, file) in [
        ("check --format json", "json", "check.json"),
        ("check --format md", "md", "check.md"),
        ("check --format text", "text", "check.txt"),
    ] {
        command(
            label,
            &["check", &session_arg, "--format", format, "--out", file],
        );
    }
    command("check", &["check", &session_arg, "--verbose"]);
    let run_dir = runs.join("hostile").display().to_string();
    command("diff", &["diff", &session_arg, &run_dir]);
    command(
        "diff --format json",
        &[
            "diff",
            &session_arg,
            &run_dir,
            "--format",
            "json",
            "--out",
            "diff.json",
        ],
    );

    let scenario = root.join("hostile.toml");
    std::fs::write(
        &scenario,
        format!(
            "name = \"hostile\"\ndescription = {}\ncaptures = [{}]\ntarget = {}\n",
            toml_string("Hostile captures against a hostile gateway"),
            toml_string(&session_arg),
            toml_string(&upstream.url()),
        ),
    )
    .unwrap();
    let reports = root.join("reports");
    let report = reports.join("hostile");
    command(
        "run",
        &[
            "run",
            &scenario.display().to_string(),
            "--out",
            &report.display().to_string(),
        ],
    );
    for format in ["md", "html", "junit", "json"] {
        command(
            &format!("report --format {format}"),
            &["report", &report.display().to_string(), "--format", format],
        );
    }
    let exports = root.join("exports");
    let har = exports.join("hostile.har").display().to_string();
    let curl = exports.join("hostile.sh");
    command(
        "export har",
        &["export", &session_arg, "--format", "har", "--out", &har],
    );
    command(
        "export curl",
        &[
            "export",
            &session_arg,
            "--format",
            "curl",
            "--out",
            &curl.display().to_string(),
        ],
    );
    command(
        "export curl (console)",
        &["export", &session_arg, "--format", "curl"],
    );
    // The scanner reads everything as redaction does (streams reassembled, escapes decoded):
    // it finds nothing either. The captures folder holds its own key, which is allowed here.
    let scan = command(
        "scan",
        &["scan", "--allow-keys", &root.display().to_string()],
    );
    assert_eq!(scan.status.code(), Some(0), "{}", support::describe(&scan));
    drop(upstream);
    Artifacts {
        root,
        captures,
        report,
        curl,
        marker,
        consoles,
        recorded,
    }
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// The hostile upstream: every kind of answer carries every shape.
async fn upstream(marker: String) -> TestUpstream {
    TestUpstream::start(move |request: &Received| {
        let events = |text: String| Script::SseWith {
            headers: Vec::new(),
            events: corpus::cut(text.as_bytes()),
            gap: Duration::ZERO,
        };
        if request.target.contains("/models")
            || request.body.windows(13).any(|w| w == b"please-refuse")
        {
            let status = if request.target.contains("/models") {
                401
            } else {
                400
            };
            return Script::Json {
                status,
                body: corpus::error_body(&marker),
            };
        }
        if request.target.contains("/responses") {
            return events(corpus::responses_stream());
        }
        if request.target.contains("/messages") {
            return events(corpus::anthropic_stream());
        }
        events(corpus::chat_stream(&marker))
    })
    .await
}

/// Percent-encode every byte outside the unreserved set.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The raw HTTP/1.1 requests: each header, the path, the query and the body carry shapes.
fn requests(token: &str, marker: &str) -> Vec<Vec<u8>> {
    let shapes = corpus::shapes();
    let named = corpus::named();
    let key = |name: &str| -> &Shape { shapes.iter().find(|s| s.name == name).unwrap() };
    let mut headers: Vec<(String, String)> = vec![
        (
            "authorization".into(),
            format!("Bearer {}", key("openai key").text),
        ),
        ("x-api-key".into(), key("anthropic key").text.clone()),
    ];
    headers.extend(
        named
            .headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone())),
    );
    headers.extend(
        shapes
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("x-hostile-{i}"), s.text.replace('\n', " "))),
    );
    let mut query: Vec<String> = named
        .params
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    query.push(format!("q={}", percent(&key("github token").text)));
    query.push(format!("shell=$(touch%20{})", percent(marker)));
    let raw = |method: &str, path: &str, body: &[u8]| -> Vec<u8> {
        let mut head = format!(
            "{method} /t/{token}{path} HTTP/1.1\r\nhost: gateway.test\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (name, value) in &headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        bytes
    };
    let env = corpus::dotenv();
    vec![
        raw(
            "POST",
            &format!("/v1/chat/completions?{}", query.join("&")),
            &corpus::chat_body(marker),
        ),
        raw(
            "POST",
            "/v1/responses",
            json!({"model": "gpt-5.5", "stream": true, "input": [{"role": "user", "content": env}]})
                .to_string()
                .as_bytes(),
        ),
        raw(
            "POST",
            "/v1/messages",
            // Shell syntax and no control character: this body goes into the exported script
            // as a here-document, where none of it may run.
            json!({"model": "claude-sonnet-4-5", "max_tokens": 64, "stream": true,
                "messages": [{"role": "user", "content": format!(
                    "{env} $(touch {marker}) `touch {marker}` '; touch {marker}; ' \"; touch {marker}; \" CURSOR_HARNESS_BODY"
                )}]})
            .to_string()
            .as_bytes(),
        ),
        raw(
            "GET",
            &format!(
                "/v1/models/{}?key={}",
                key("openai key").text,
                key("google key").text
            ),
            b"",
        ),
        raw(
            "POST",
            "/v1/chat/completions",
            json!({"model": corpus::hostile_model(marker), "stream": true,
                "messages": [{"role": "user", "content": format!("please-refuse {env}")}]})
            .to_string()
            .as_bytes(),
        ),
    ]
}

/// Send one request and read the whole answer (the connection closes after it).
fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    answer
}

/// Every file under `path` as text, for assertions that name it.
pub fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}
