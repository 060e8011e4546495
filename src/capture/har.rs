//! HAR 1.2 import: each entry becomes an [`Exchange`].
//!
//! HAR (as exported by browsers and mitmproxy) holds no chunk boundaries or chunk timing, so an
//! event stream is split into one chunk per event with no arrival time: none is invented. The
//! request/response timing HAR does hold (`timings`, `time`) is kept as TTFB and duration.
//!
//! Each entry keeps one id across reads, so a HAR file can be diffed and its replays paired
//! with it: the capture id cursor-harness wrote into the entry's `_cursor_harness` field on
//! export, or else an id derived from the entry itself ([`derived_id`]). The scheme and host of
//! the entry's URL are kept as the exchange's `upstream` (its origin, as in forward mode).

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
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let entry_origin = format!("{origin}#{}", index + 1);
            // Identical entries (same start, request and body) get their own ids, in order.
            let fingerprint = fingerprint(entry);
            let repeat = seen.entry(fingerprint.clone()).or_default();
            let id = derived_id(&fingerprint, *repeat);
            *repeat += 1;
            match entry_to_exchange(entry, &entry_origin, &creator, id) {
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

/// What identifies an entry: its start time, method, URL and request body.
fn fingerprint(entry: &Value) -> String {
    let text = |pointer: &str| entry.pointer(pointer).and_then(Value::as_str).unwrap_or("");
    [
        text("/startedDateTime"),
        text("/request/method"),
        text("/request/url"),
        text("/request/postData/text"),
    ]
    .join("\u{0}")
}

/// A UUID (version 8, the form for ids built by the application) from the SHA-256 of an
/// entry's fingerprint and how many identical entries came before it: the same entry gets
/// the same id on every read.
pub fn derived_id(fingerprint: &str, repeat: usize) -> String {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    context.update(b"cursor-harness HAR entry\0");
    context.update(fingerprint.as_bytes());
    context.update(&(repeat as u64).to_be_bytes());
    let digest = context.finish();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    // Credentials in a URL are not kept.
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    (!scheme.is_empty() && !host.is_empty()).then(|| format!("{scheme}://{host}"))
}

fn entry_to_exchange(
    entry: &Value,
    origin: &str,
    creator: &str,
    id: String,
) -> Result<Exchange, String> {
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
        encoding_mismatch: None,
    };
    let provenance = Provenance {
        kind: ProvenanceKind::Imported,
        source: format!("HAR entry {origin}, exported by {creator}"),
    };
    let mut exchange = Exchange::new("imported", provenance, request);
    exchange.id = id;
    exchange.upstream = origin_of(url);
    if let Some(ours) = entry.get("_cursor_harness") {
        // Written by `export --format har`: the capture's own id, where it was forwarded, and
        // the capture it replays, so the HAR pairs with the captures it came from.
        if let Some(id) = ours.get("id").and_then(Value::as_str) {
            exchange.id = id.to_owned();
        }
        if let Some(upstream) = ours.get("upstream").and_then(Value::as_str) {
            exchange.upstream = Some(upstream.to_owned());
        }
        if let Some(link) = ours.get("replay_of") {
            exchange.replay_of = serde_json::from_value(link.clone()).ok();
        }
    }
    // How the transport failed, which HAR has no place for (read back below, after the
    // response, unless the entry has no response at all).
    let recorded_error: Option<TransportError> = entry
        .pointer("/_cursor_harness/error")
        .and_then(|e| serde_json::from_value(e.clone()).ok());
    if let Some(started) = entry.get("startedDateTime").and_then(Value::as_str) {
        exchange.recorded_at = started.to_owned();
    }
    let response = entry.get("response").ok_or("HAR entry has no `response`")?;
    let status = response.get("status").and_then(Value::as_u64).unwrap_or(0);
    if status == 0 {
        // Browsers write status 0 for requests that never got an answer.
        exchange.error = Some(recorded_error.unwrap_or_else(|| TransportError {
            kind: ErrorKind::Other,
            message: "HAR entry has no response (status 0)".to_owned(),
            at_ms: total_time(entry),
        }));
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
        encoding_mismatch: None,
    });
    exchange.error = recorded_error;
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
    fn entries_keep_their_ids_across_reads_and_their_origin() {
        let entry = serde_json::json!({"startedDateTime": "2026-11-01T10:00:00Z",
            "request": {"method": "POST", "url": "https://user:pw@gw.example:8443/v1/chat/completions", "postData": {"text": "{}"}},
            "response": {"status": 200, "content": {"mimeType": "application/json", "text": "{}"}}});
        let har = serde_json::json!({"log": {"entries": [entry, entry]}});
        let first = import("a.har", &har);
        let again = import("b.har", &har);
        let ids = |loaded: &[Loaded]| -> Vec<String> {
            loaded
                .iter()
                .map(|l| l.result.as_ref().unwrap().id.clone())
                .collect()
        };
        assert_eq!(ids(&first), ids(&again), "the same entries, the same ids");
        assert_ne!(
            ids(&first)[0],
            ids(&first)[1],
            "identical entries stay apart"
        );
        assert!(uuid::Uuid::parse_str(&ids(&first)[0]).is_ok());
        let exchange = first[0].result.as_ref().unwrap();
        assert_eq!(
            exchange.upstream.as_deref(),
            Some("https://gw.example:8443")
        );
        let mut ours = entry.clone();
        ours["_cursor_harness"] = serde_json::json!({"id": "019a3ec1-4a00-7c2e-8f51-6b0d2a9c3e17",
            "upstream": "https://gw.example/cursor/v1", "replay_of": {"id": "x", "capture": "c.json"}});
        let loaded = import("c.har", &serde_json::json!({"log": {"entries": [ours]}}));
        let exchange = loaded[0].result.as_ref().unwrap();
        assert_eq!(exchange.id, "019a3ec1-4a00-7c2e-8f51-6b0d2a9c3e17");
        assert_eq!(
            exchange.upstream.as_deref(),
            Some("https://gw.example/cursor/v1")
        );
        assert_eq!(exchange.replay_of.as_ref().unwrap().id, "x");
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
