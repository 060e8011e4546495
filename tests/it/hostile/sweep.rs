//! Reading back everything the tool wrote or printed: no planted secret, no 12-character tail of
//! one (as written, or once its JSON escapes are decoded), and nothing a terminal would act on.

use std::collections::BTreeMap;
use std::path::Path;

use cursor_harness::capture::Exchange;
use cursor_harness::capture::input::{Candidate, InputKind, load};
use cursor_harness::capture::redact::escapes::fully_decoded;
use serde_json::Value;

/// The last 12 characters of a secret: what a half-redacted key gives away.
fn tail(secret: &str) -> &str {
    let start = secret.char_indices().rev().nth(11).map_or(0, |(at, _)| at);
    &secret[start..]
}

/// Fail, naming where, when `text` holds a secret or the tail of one.
pub fn assert_no_secret(place: &str, text: &str, secrets: &[String]) {
    let decoded = fully_decoded(text);
    for view in [text, decoded.as_ref()] {
        for secret in secrets {
            let tail = tail(secret);
            if let Some(at) = view.find(tail) {
                let from = view[..at]
                    .char_indices()
                    .rev()
                    .nth(60)
                    .map_or(0, |(i, _)| i);
                let to = (at + tail.len() + 60).min(view.len());
                let to = (to..=view.len())
                    .find(|&i| view.is_char_boundary(i))
                    .unwrap_or(view.len());
                panic!(
                    "{place} holds the tail {tail:?} of a planted secret, here: {:?}",
                    &view[from..to]
                );
            }
        }
    }
}

/// [`assert_no_secret`] on every file under `root` (hidden ones too); how many were read.
pub fn assert_tree_clean(root: &Path, secrets: &[String]) -> usize {
    let files = crate::support::files_under(root);
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert_no_secret(
            &file.display().to_string(),
            &String::from_utf8_lossy(&bytes),
            secrets,
        );
    }
    files.len()
}

/// Fail when console output holds a character a terminal acts on (other than line feeds).
pub fn assert_terminal_safe(place: &str, text: &str) {
    if let Some((at, c)) = text
        .char_indices()
        .find(|(_, c)| *c != '\n' && cursor_harness::text::terminal::is_unsafe(*c))
    {
        let from = text[..at]
            .char_indices()
            .rev()
            .nth(40)
            .map_or(0, |(i, _)| i);
        panic!(
            "{place} prints {c:?} raw: {:?}",
            &text[from..at + c.len_utf8()]
        );
    }
}

/// Fields whose strings a stream's reader appends to what it has, whatever the API.
const STREAMED: &[&str] = &[
    "content",
    "text",
    "reasoning_content",
    "arguments",
    "partial_json",
    "delta",
];

/// The texts a reader of `exchange`'s stream puts together: every streamed field's strings
/// joined in event order, one text per field name (a deliberately simple reader, unlike the
/// redactor's: one choice and one tool call per stream, as the corpus sends).
fn reassembled(exchange: &Exchange) -> BTreeMap<&'static str, String> {
    fn collect(value: &Value, out: &mut BTreeMap<&'static str, String>) {
        match value {
            Value::Object(map) => {
                for (name, inner) in map {
                    match (STREAMED.iter().find(|f| **f == name), inner) {
                        (Some(field), Value::String(text)) => {
                            out.entry(field).or_default().push_str(text)
                        }
                        _ => collect(inner, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    let Some(stream) = exchange.response.as_ref().and_then(|r| r.stream.as_ref()) else {
        return out;
    };
    let bytes: Vec<Vec<u8>> = stream
        .iter()
        .map(|c| c.data.to_bytes().into_owned())
        .collect();
    for event in cursor_harness::sse::parse_chunks(bytes.iter().map(Vec::as_slice)).events() {
        if let Ok(value) = serde_json::from_str::<Value>(&event.data) {
            collect(&value, &mut out);
        }
    }
    out
}

/// Read every capture and HAR file under `root` as a client would (its stream reassembled,
/// its escapes decoded) and fail on a secret or the tail of one. How many streams were read.
pub fn assert_streams_clean(root: &Path, secrets: &[String]) -> usize {
    let mut streams = 0;
    for file in crate::support::files_under(root) {
        if !file.extension().is_some_and(|e| e == "json" || e == "har") {
            continue;
        }
        for loaded in load(&Candidate::File(file.clone())) {
            let (Ok(exchange), InputKind::Capture | InputKind::Har) = (&loaded.result, loaded.kind)
            else {
                continue;
            };
            let texts = reassembled(exchange);
            if !texts.is_empty() {
                streams += 1;
            }
            for (field, text) in texts {
                assert_no_secret(
                    &format!("{} (the stream's {field}, reassembled)", loaded.origin),
                    &text,
                    secrets,
                );
            }
        }
    }
    streams
}
