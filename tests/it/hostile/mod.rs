//! The hostile corpus: every secret shape planted in every place a request or an answer can
//! carry it (each header, the path, the query, the body as written and `\u`-escaped, nested
//! tool arguments, an upstream's refusal, streams split 1 to 4 characters per event and across
//! network writes), sent through every command, and every file and console line they produce
//! read back. Loopback only: the upstream is a test server of ours. Beside it, the files the
//! tool writes (`files`) and the redaction key's place (`keys`).

mod corpus;
mod files;
mod keys;
mod pipeline;
mod scan;
mod sweep;

use std::process::Command;

use pipeline::{artifacts, read};

#[test]
fn no_planted_secret_or_tail_of_one_reaches_any_file_or_console() {
    let built = artifacts();
    let secrets = corpus::all_secrets();
    let files = sweep::assert_tree_clean(&built.root, &secrets);
    // Split 1 to 4 characters per event, no key is whole in any file: read them as a client
    // does. The recorded streams, the replayed ones (twice: replay and run) and the HAR file.
    let streams = sweep::assert_streams_clean(&built.root, &secrets);
    assert!(streams >= 4 * 3, "only {streams} streams read");
    // Captures, the replay's captures and run.json, check and diff output, five reports and
    // the run's replay, two exports: far more than this many files were read.
    assert!(files >= 3 * built.recorded + 12, "only {files} files");
    for (command, console) in &built.consoles {
        // The banner prints the base URL with the path token: it must be pasted into Cursor
        // (docs/security.md). No other line may hold it.
        let console: String = console
            .lines()
            .filter(|line| !line.contains("base URL for Cursor:") && !line.contains("local test:"))
            .collect::<Vec<_>>()
            .join("\n");
        sweep::assert_no_secret(&format!("the console of {command}"), &console, &secrets);
    }
}

#[test]
fn console_output_cannot_drive_the_terminal_or_fake_a_line() {
    let built = artifacts();
    for (command, console) in &built.consoles {
        sweep::assert_terminal_safe(&format!("the console of {command}"), console);
    }
    // The hostile model name reached the console, escaped on its own line.
    let record = &built
        .consoles
        .iter()
        .find(|(c, _)| c == "record")
        .unwrap()
        .1;
    let line = record
        .lines()
        .find(|line| line.contains("gpt-5.5\\u{1b}]0;pwned"))
        .unwrap_or_else(|| panic!("the hostile model is not on the console:\n{record}"));
    assert!(line.contains("\\u{a}touch"), "{line}");
    assert!(
        !record.lines().any(|l| l.starts_with("FAKE LINE")),
        "a captured line feed started a line"
    );
}

#[test]
fn an_exported_curl_script_runs_nothing_but_curl() {
    let built = artifacts();
    let script = read(&built.curl);
    assert!(
        script.contains("touch") && script.contains("$(touch"),
        "the hostile model and body are in the script"
    );
    // A curl that only notes it was called: the gateway is dead anyway.
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("curl.log");
    let fake = bin.path().join("curl");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\ncat > /dev/null\necho called >> '{}'\n",
            log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let work = tempfile::tempdir().unwrap();
    let output = Command::new("sh")
        .arg(&built.curl)
        .current_dir(work.path())
        .env("PATH", path)
        .env("GATEWAY_BASE_URL", "http://127.0.0.1:9/v1")
        .env("GATEWAY_API_KEY", "x")
        .output()
        .unwrap();
    assert!(
        !built.marker.exists(),
        "the script ran a command from a capture: {}",
        crate::support::describe(&output)
    );
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(
        calls.lines().count(),
        built.recorded,
        "one curl per exchange: {}",
        crate::support::describe(&output)
    );
    assert!(
        std::fs::read_dir(work.path()).unwrap().next().is_none(),
        "the script wrote files"
    );
}

/// Raw HTML tags the Markdown renderers write themselves.
const TOOL_TAGS: &[&str] = &[
    "<details>",
    "</details>",
    "<summary>",
    "</summary>",
    "<sub>",
    "</sub>",
];

fn assert_markdown_inert(name: &str, markdown: &str) {
    for (number, line) in markdown.lines().enumerate() {
        let at = format!("{name}:{}: {line}", number + 1);
        let mut rest = line;
        while let Some(open) = rest.find('<') {
            let tail = &rest[open..];
            let tool = TOOL_TAGS.iter().find(|tag| tail.starts_with(**tag));
            let next = tail[1..].chars().next();
            assert!(
                tool.is_some()
                    || !next.is_some_and(|c| c.is_ascii_alphabetic() || "/!?".contains(c)),
                "raw HTML or a comment: {at}"
            );
            rest = &tail[tool.map_or(1, |t| t.len())..];
        }
        let bytes = line.as_bytes();
        for (i, pair) in bytes.windows(2).enumerate() {
            if pair == b"](" {
                assert!(i > 0 && bytes[i - 1] == b'\\', "a link or image: {at}");
            }
            if pair[0] == b'@' && (pair[1] as char).is_ascii_alphanumeric() {
                panic!("a mention: {at}");
            }
        }
        for scheme in ["https://", "http://", "javascript:", "www."] {
            assert!(!line.contains(scheme), "an autolink: {at}");
        }
        assert!(
            !line.starts_with('#')
                || ["# cursor-harness", "## ", "### "]
                    .iter()
                    .any(|p| line.starts_with(p)),
            "a heading the tool did not write: {at}"
        );
        assert!(
            !line.contains("# heading") || line.contains("\\# heading"),
            "{at}"
        );
        let fence = line.trim_start_matches('`');
        assert!(
            line.len() - fence.len() < 3 || ["", "sh", "json"].contains(&fence),
            "a fence the tool did not write: {at}"
        );
        assert!(
            !line
                .chars()
                .any(|c| c != '\t' && cursor_harness::text::terminal::is_unsafe(c)),
            "a control character: {at:?}"
        );
    }
}

#[test]
fn report_md_from_hostile_captures_holds_no_markup_the_tool_did_not_write() {
    let built = artifacts();
    let report = read(&built.report.join("report.md"));
    // The hostile body key and the gateway's words did reach the report, escaped.
    assert!(
        report.contains("onerror"),
        "the violation path is shown:\n{report}"
    );
    assert!(
        report.contains("pwned"),
        "the model name is shown:\n{report}"
    );
    assert_markdown_inert("report.md", &report);
    assert_markdown_inert("check.md", &read(&built.root.join("check.md")));
}

#[test]
fn the_captures_keep_every_chunk_and_show_the_hostile_text_as_text() {
    let built = artifacts();
    let session = built.captures.join("hostile");
    for path in crate::support::json_files(&session) {
        if path.ends_with("manifest.json") {
            continue;
        }
        let loaded = cursor_harness::capture::input::load(
            &cursor_harness::capture::input::Candidate::File(path.clone()),
        );
        let exchange = loaded[0].result.as_ref().unwrap();
        if let Some(stream) = exchange.response.as_ref().and_then(|r| r.stream.as_ref()) {
            // Split 1 to 4 characters per event across hundreds of writes: the capture keeps
            // the chunks as they came, each with its arrival time.
            assert!(
                stream.len() > 100,
                "{}: {} chunks",
                path.display(),
                stream.len()
            );
            assert!(stream.iter().all(|c| c.at_ms.is_some()));
        }
    }
}
