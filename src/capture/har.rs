//! HAR 1.2 import: each entry becomes an [`Exchange`].
//!
//! HAR (as exported by browsers and mitmproxy) holds no chunk boundaries or chunk timing, so an
//! event stream is split into one chunk per event with no arrival time: none is invented. The
//! request/response timing HAR does hold (`timings`, `time`) is kept as TTFB and duration.

use base64::Engine as _;
use serde_json::Value;

use super::loaded::{InputKind, Loaded, unreadable};
use super::{
    Body, Chunk, ErrorKind, Exchange, Headers, Provenance, ProvenanceKind, Request, Response,
    TransportError,
};
use crate::sse;

/// Read every entry of a parsed HAR document. An entry that cannot be read becomes its own
/// error row; the others are still imported.
pub fn import(origin: &str, har: &Value) -> Vec<Loaded> {
    let Some(entries) = har.pointer("/log/entries").and_then(Value::as_array) else {
        return vec![unreadable(
            origin.to_owned(),
            "HAR `log.entries` is not an array",
        )];
    };
    if entries.is_empty() {
        return vec![unreadable(
            origin.to_owned(),
            "HAR file has no entries (log.entries is empty)",
        )];
    }
    let creator = creator(har);
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let entry_origin = format!("{origin}#{}", index + 1);
            match entry_to_exchange(entry, &entry_origin, &creator) {
                Ok(exchange) => Loaded {
                    origin: entry_origin,
                    kind: InputKind::Har,
                    result: Ok(exchange),
                },
                Err(why) => unreadable(entry_origin, &why),
            }
        })
        .collect()
}

fn creator(har: &Value) -> String {
    let name = har.pointer("/log/creator/name").and_then(Value::as_str);
    let version = har.pointer("/log/creator/version").and_then(Value::as_str);
    match (name, version) {
        (Some(name), Some(version)) => format!("{name} {version}"),
        (Some(name), None) => name.to_owned(),
        _ => "an unnamed tool".to_owned(),
    }
}

fn entry_to_exchange(entry: &Value, origin: &str, creator: &str) -> Result<Exchange, String> {
    let request = entry.get("request").ok_or("HAR entry has no `request`")?;
    let method = str_field(request, "method")?;
    let url = str_field(request, "url")?;
    let body = match request.get("postData") {
        Some(post) => har_text(post, "postData")?,
        None => None,
    };
    let request = Request {
        method: method.to_owned(),
        target: target_of(url),
        http_version: http_version(request.get("httpVersion").and_then(Value::as_str)),
        headers: har_headers(request)?,
        body: body.map(|bytes| Body::from_bytes(&bytes)),
        omitted: None,
    };
    let provenance = Provenance {
        kind: ProvenanceKind::Imported,
        source: format!("HAR entry {origin}, exported by {creator}"),
    };
    let mut exchange = Exchange::new("imported", provenance, request);
    if let Some(started) = entry.get("startedDateTime").and_then(Value::as_str) {
        exchange.recorded_at = started.to_owned();
    }
    let response = entry.get("response").ok_or("HAR entry has no `response`")?;
    let status = response.get("status").and_then(Value::as_u64).unwrap_or(0);
    if status == 0 {
        // Browsers write status 0 for requests that never got an answer.
        exchange.error = Some(TransportError {
            kind: ErrorKind::Other,
            message: "HAR entry has no response (status 0)".to_owned(),
            at_ms: total_time(entry),
        });
        return Ok(exchange);
    }
    let headers = har_headers(response)?;
    let content = response.get("content");
    let bytes = match content {
        Some(content) => har_text(content, "response.content")?,
        None => None,
    };
    let mime = content
        .and_then(|c| c.get("mimeType"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let is_stream = mime.starts_with("text/event-stream")
        || super::header(&headers, "content-type")
            .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("text/event-stream"));
    let (body, stream) = match bytes {
        Some(bytes) if is_stream => (
            None,
            Some(
                sse::split_events(&bytes)
                    .map(|event| Chunk::new(None, event))
                    .collect(),
            ),
        ),
        Some(bytes) => (Some(Body::from_bytes(&bytes)), None),
        None if is_stream => (None, Some(Vec::new())),
        None => (None, None),
    };
    exchange.response = Some(Response {
        status: u16::try_from(status)
            .map_err(|_| format!("response status {status} is not HTTP"))?,
        http_version: http_version(response.get("httpVersion").and_then(Value::as_str)),
        headers,
        headers_at_ms: time_to_first_byte(entry),
        body,
        stream,
        ended_at_ms: total_time(entry),
        omitted: None,
    });
    Ok(exchange)
}

fn str_field<'a>(value: &'a Value, name: &str) -> Result<&'a str, String> {
    value
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("HAR entry has no string `{name}`"))
}

fn har_headers(message: &Value) -> Result<Headers, String> {
    let Some(list) = message.get("headers") else {
        return Ok(Vec::new());
    };
    let list = list.as_array().ok_or("HAR `headers` is not an array")?;
    Ok(list
        .iter()
        .filter_map(|header| {
            let name = header.get("name")?.as_str()?;
            let value = header.get("value")?.as_str()?;
            // HTTP/2 pseudo-headers (`:authority`, …) are part of the target, not headers.
            (!name.starts_with(':')).then(|| (name.to_ascii_lowercase(), value.to_owned()))
        })
        .collect())
}

/// The `text` of a HAR postData or content object, decoded when it says `encoding: base64`.
fn har_text(container: &Value, what: &str) -> Result<Option<Vec<u8>>, String> {
    let Some(text) = container.get("text").and_then(Value::as_str) else {
        return Ok(None);
    };
    match container.get("encoding").and_then(Value::as_str) {
        Some("base64") => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Some)
            .map_err(|err| format!("HAR {what}.text is not valid base64: {err}")),
        _ => Ok(Some(text.as_bytes().to_vec())),
    }
}

/// Path and query of an absolute URL (the whole string when it is already a path).
fn target_of(url: &str) -> String {
    let Some(after_scheme) = url.split_once("://").map(|(_, rest)| rest) else {
        return url.to_owned();
    };
    match after_scheme.find(['/', '?']) {
        Some(index) if after_scheme[index..].starts_with('?') => {
            format!("/{}", &after_scheme[index..])
        }
        Some(index) => after_scheme[index..].to_owned(),
        None => "/".to_owned(),
    }
}

/// HAR writers spell versions many ways (`HTTP/2.0`, `h2`, `http/1.1`); normalise them.
fn http_version(raw: Option<&str>) -> String {
    match raw.map(str::to_ascii_lowercase).as_deref() {
        Some("h2" | "http/2" | "http/2.0") => "HTTP/2".to_owned(),
        Some("h3" | "http/3" | "http/3.0") => "HTTP/3".to_owned(),
        Some("http/1.0") => "HTTP/1.0".to_owned(),
        Some("http/1.1") | None | Some("") => "HTTP/1.1".to_owned(),
        Some(other) => other.to_ascii_uppercase(),
    }
}

/// Blocked + DNS + connect + send + wait: the time until the response head.
fn time_to_first_byte(entry: &Value) -> Option<f64> {
    let timings = entry.get("timings")?;
    let phases = ["blocked", "dns", "connect", "send", "wait"];
    let mut total = 0.0;
    let mut any = false;
    for phase in phases {
        if let Some(ms) = timings.get(phase).and_then(Value::as_f64)
            && ms >= 0.0
        {
            total += ms;
            any = true;
        }
    }
    any.then_some(total)
}

fn total_time(entry: &Value) -> Option<f64> {
    entry
        .get("time")
        .and_then(Value::as_f64)
        .filter(|ms| *ms >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_keep_path_and_query() {
        assert_eq!(
            target_of("https://h.example/v1/chat/completions?a=1"),
            "/v1/chat/completions?a=1"
        );
        assert_eq!(target_of("https://h.example"), "/");
        assert_eq!(target_of("https://h.example?x=1"), "/?x=1");
        assert_eq!(target_of("/already/a/path"), "/already/a/path");
    }

    #[test]
    fn an_event_stream_is_split_per_event_without_invented_timing() {
        let har = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "mitmproxy", "version": "10"},
        "entries": [{
            "startedDateTime": "2026-11-01T10:00:00Z", "time": 50.0,
            "request": {"method": "POST", "url": "https://gw/v1/chat/completions", "httpVersion": "HTTP/2.0",
                "headers": [{"name": ":authority", "value": "gw"}, {"name": "Content-Type", "value": "application/json"}],
                "postData": {"mimeType": "application/json", "text": "{\"model\":\"m\",\"messages\":[]}"}},
            "response": {"status": 200, "httpVersion": "HTTP/2.0",
                "headers": [{"name": "content-type", "value": "text/event-stream"}],
                "content": {"mimeType": "text/event-stream", "text": "data: {\"a\":1}\n\ndata: [DONE]\n\n"}},
            "timings": {"send": 1, "wait": 20, "receive": 29}
        }]}});
        let loaded = import("t.har", &har);
        let exchange = loaded[0].result.as_ref().unwrap();
        assert_eq!(loaded[0].origin, "t.har#1");
        assert_eq!(exchange.model.as_deref(), Some("m"));
        assert_eq!(exchange.request.http_version, "HTTP/2");
        assert_eq!(
            exchange.request.headers,
            vec![("content-type".into(), "application/json".into())]
        );
        let response = exchange.response.as_ref().unwrap();
        let stream = response.stream.as_ref().unwrap();
        assert_eq!(stream.len(), 2);
        assert!(stream.iter().all(|chunk| chunk.at_ms.is_none()));
        assert_eq!(response.headers_at_ms, Some(21.0));
    }

    #[test]
    fn a_har_without_entries_is_one_error_row() {
        let har = serde_json::json!({"log": {"entries": []}});
        let loaded = import("e.har", &har);
        assert_eq!(loaded.len(), 1);
        assert!(
            loaded[0]
                .result
                .as_ref()
                .unwrap_err()
                .contains("no entries")
        );
    }
}
