//! Exporting captures for other tools: HAR 1.2 (browsers, mitmproxy, Charles) and one `curl`
//! command per exchange. Both are lossy views; the capture file stays the source of truth.

use std::fmt::Write as _;

use base64::Engine as _;
use serde_json::{Value, json};

use super::{Body, Exchange};

/// What HAR cannot hold, said in the file itself.
pub const HAR_COMMENT: &str = "Exported by cursor-harness from capture files (format v1). HAR cannot hold what the captures do: \
stream chunk boundaries and each chunk's arrival time (a stream is one joined text here), the time to first token, or \
why a transport failed beyond a status of 0. Secrets were redacted before capture.";

/// A HAR 1.2 document holding `exchanges` (each with the name it was read from).
pub fn to_har(exchanges: &[(String, &Exchange)]) -> Value {
    let entries: Vec<Value> = exchanges
        .iter()
        .map(|(origin, exchange)| har_entry(origin, exchange))
        .collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "cursor-harness", "version": env!("CARGO_PKG_VERSION")},
            "comment": HAR_COMMENT,
            "entries": entries,
        }
    })
}

fn har_entry(origin: &str, exchange: &Exchange) -> Value {
    let request = &exchange.request;
    let origin_url = exchange
        .upstream
        .as_deref()
        .and_then(|u| {
            u.split_once("://").map(|(scheme, rest)| {
                format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest))
            })
        })
        .unwrap_or_else(|| "http://localhost".to_owned());
    let url = format!("{origin_url}{}", request.target);
    let headers = |list: &super::Headers| -> Vec<Value> {
        list.iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect()
    };
    let query: Vec<Value> = request
        .target
        .split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (n, v) = p.split_once('=').unwrap_or((p, ""));
                    json!({"name": n, "value": v})
                })
                .collect()
        })
        .unwrap_or_default();
    let mut har_request = json!({
        "method": request.method,
        "url": url,
        "httpVersion": request.http_version,
        "cookies": [],
        "headers": headers(&request.headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": request.body.as_ref().map_or(0, |b| b.len() as i64),
    });
    if let Some(body) = &request.body {
        har_request["postData"] = har_text(
            body.to_bytes().as_ref(),
            super::header(&request.headers, "content-type").unwrap_or("application/json"),
        );
    }
    let (response, ttfb, total) = match &exchange.response {
        Some(response) => {
            let bytes = response
                .stream_bytes()
                .or_else(|| response.body.as_ref().map(|b| b.to_bytes().into_owned()))
                .unwrap_or_default();
            let mime = response
                .header("content-type")
                .unwrap_or(if response.stream.is_some() {
                    "text/event-stream"
                } else {
                    "application/json"
                });
            let mut content = har_text(&bytes, mime);
            content["size"] = json!(bytes.len());
            (
                json!({
                    "status": response.status,
                    "statusText": "",
                    "httpVersion": response.http_version,
                    "cookies": [],
                    "headers": headers(&response.headers),
                    "content": content,
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": bytes.len(),
                }),
                response.headers_at_ms,
                response.ended_at_ms,
            )
        }
        None => (
            json!({"status": 0, "statusText": "", "httpVersion": "", "cookies": [], "headers": [], "content": {"size": 0, "mimeType": "x-unknown"},
                   "redirectURL": "", "headersSize": -1, "bodySize": -1,
                   "_error": exchange.error.as_ref().map(|e| format!("{}: {}", e.kind.as_str(), e.message))}),
            None,
            exchange.error.as_ref().and_then(|e| e.at_ms),
        ),
    };
    let wait = ttfb.unwrap_or(-1.0);
    let receive = match (ttfb, total) {
        (Some(first), Some(end)) => (end - first).max(0.0),
        _ => -1.0,
    };
    json!({
        "startedDateTime": exchange.recorded_at,
        "time": total.unwrap_or(0.0),
        "request": har_request,
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": wait, "receive": receive},
        "comment": format!("{origin} (provenance: {:?})", exchange.provenance.kind).to_lowercase(),
    })
}

fn har_text(bytes: &[u8], mime: &str) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => json!({"mimeType": mime, "text": text}),
        Err(_) => {
            json!({"mimeType": mime, "text": base64::engine::general_purpose::STANDARD.encode(bytes), "encoding": "base64"})
        }
    }
}

/// A `curl` command replaying `exchange` against `$GATEWAY_BASE_URL` with the key from
/// `$GATEWAY_API_KEY`, by the recorder's path rule.
pub fn to_curl(origin: &str, exchange: &Exchange) -> String {
    let request = &exchange.request;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {origin} ({}, {} {})",
        exchange.model.as_deref().unwrap_or("no model"),
        request.method,
        request.path()
    );
    let path = crate::proxy::reverse::map_path(&strip_token(&request.target));
    let mut args = vec![
        format!("curl -sS -N -X {}", shell_quote(&request.method)),
        format!("\"$GATEWAY_BASE_URL\"{}", shell_quote(&path)),
    ];
    args.push("-H \"Authorization: Bearer $GATEWAY_API_KEY\"".to_owned());
    for (name, value) in &request.headers {
        let skip = crate::redact::is_secret_header(name)
            || value.contains("[REDACTED:")
            || matches!(
                name.as_str(),
                "host"
                    | "content-length"
                    | "connection"
                    | "transfer-encoding"
                    | "keep-alive"
                    | "accept-encoding"
            );
        if !skip {
            args.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
        }
    }
    match &request.body {
        None => {
            out.push_str(&args.join(" \\\n  "));
            out.push('\n');
        }
        Some(Body::Base64(data)) => {
            args.push("--data-binary @-".to_owned());
            let _ = writeln!(
                out,
                "printf '%s' {} | base64 -d | {}",
                shell_quote(data),
                args.join(" \\\n  ")
            );
        }
        Some(body) => {
            let text = String::from_utf8_lossy(&body.to_bytes()).into_owned();
            let delimiter = heredoc_delimiter(&text, "CURSOR_HARNESS_BODY");
            args.push("--data-binary @-".to_owned());
            let _ = writeln!(
                out,
                "{} <<'{delimiter}'\n{text}\n{delimiter}",
                args.join(" \\\n  ")
            );
        }
    }
    out
}

/// A here-document delimiter (starting from `base`) that no line of `text` equals, so the
/// text cannot end the here-document early.
pub fn heredoc_delimiter(text: &str, base: &str) -> String {
    let mut delimiter = base.to_owned();
    while text.lines().any(|line| line == delimiter) {
        delimiter.push('_');
    }
    delimiter
}

/// Remove a recorder path token (`/t/<token>`) from a target.
fn strip_token(target: &str) -> String {
    match target
        .strip_prefix("/t/")
        .and_then(|rest| rest.split_once('/'))
    {
        Some((_, rest)) => format!("/{rest}"),
        None => target.to_owned(),
    }
}

/// Quote for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:=,@".contains(&b))
    {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting_survives_quotes() {
        assert_eq!(shell_quote("/v1/chat/completions"), "/v1/chat/completions");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn tokens_are_removed_from_paths() {
        assert_eq!(
            strip_token("/t/abc/v1/chat/completions"),
            "/v1/chat/completions"
        );
        assert_eq!(strip_token("/v1/models"), "/v1/models");
    }
}
