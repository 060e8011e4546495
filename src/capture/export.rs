//! Exporting captures for other tools: HAR 1.2 (browsers, mitmproxy, Charles) and one `curl`
//! command per exchange. Both are lossy views; the capture file stays the source of truth.

use std::fmt::Write as _;

use base64::Engine as _;
use serde_json::{Value, json};

use super::resend::{Resend, Rewrite};
use super::{Body, Exchange, path};
use crate::text::shell::{comment, heredoc_delimiter, is_inert, is_name, quote};

/// What HAR cannot hold, said in the file itself.
pub const HAR_COMMENT: &str = "Exported by cursor-harness from capture files (format v1). HAR cannot hold what the captures do: \
stream chunk boundaries and each chunk's arrival time (a stream is one joined text here), the time to first token, or \
why a transport failed beyond a status of 0 (cursor-harness keeps the capture id, upstream, replay link and transport failure in each \
entry's _cursor_harness field and reads them back). Secrets were redacted before capture.";

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
    let view = Resend::of(exchange);
    let url = format!(
        "{}{}{}",
        recorded_origin(exchange),
        view.path,
        view.query
            .as_deref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default()
    );
    let headers = |list: &super::Headers| -> Vec<Value> {
        list.iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect()
    };
    // What is sent again, plus the credentials that were withheld (as their redaction tokens),
    // so a reader sees that the request carried one.
    let request_headers: Vec<Value> = request
        .headers
        .iter()
        .filter(|(name, value)| {
            view.headers.iter().any(|(n, v)| n == name && v == value)
                || view.withheld.contains(&name.as_str())
        })
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    let query: Vec<Value> = view
        .query
        .as_deref()
        .map(|q| {
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
        "method": view.method,
        "url": url,
        "httpVersion": request.http_version,
        "cookies": [],
        "headers": request_headers,
        "queryString": query,
        "headersSize": -1,
        "bodySize": view.body.as_ref().map_or(0, |b| b.len() as i64),
    });
    if let Some(body) = &view.body {
        har_request["postData"] = har_text(
            body,
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
        // HAR allows custom fields that start with `_`: what the capture knows and HAR does not,
        // so the entry pairs with its capture (`diff`) when it is read back.
        "_cursor_harness": {
            "id": exchange.id,
            "session": exchange.session,
            "provenance": exchange.provenance.kind,
            "upstream": exchange.upstream,
            "replay_of": exchange.replay_of,
            "error": exchange.error,
        },
    })
}

/// `scheme://host` the request was recorded for: the upstream's, else the host the client
/// named (`host`, or `:authority` on HTTP/2).
fn recorded_origin(exchange: &Exchange) -> String {
    let upstream = exchange.upstream.as_deref().and_then(|u| {
        u.split_once("://")
            .map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)))
    });
    upstream.unwrap_or_else(|| {
        let host = exchange
            .request
            .header("host")
            .or_else(|| exchange.request.header(":authority"))
            .unwrap_or("localhost");
        // A tunnel or TLS-terminating proxy in front of the recorder says what the client used.
        let scheme = exchange
            .request
            .header("x-forwarded-proto")
            .filter(|p| matches!(*p, "http" | "https"))
            .unwrap_or("http");
        format!("{scheme}://{host}")
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

/// A `curl` command that sends `exchange` again (its "send again" view) to
/// `$GATEWAY_BASE_URL` by the path rule, with the key from `$GATEWAY_API_KEY`.
///
/// Every captured string reaches the script through [`crate::text::shell`]: quoted, inside a
/// quoted here-document, or in a comment that cannot end its line. Running the script runs
/// curl and nothing else.
pub fn to_curl(origin: &str, exchange: &Exchange) -> String {
    to_curl_rewritten(origin, exchange, &Rewrite::default(), &[])
}

/// [`to_curl`] with the sender's changes: `rewrite` applied (models renamed, headers set), and
/// each `(header, VAR)` of `from_env` sent as the value of `$VAR`, so a secret header stays in
/// the environment and never lands in the script.
pub fn to_curl_rewritten(
    origin: &str,
    exchange: &Exchange,
    rewrite: &Rewrite,
    from_env: &[(String, String)],
) -> String {
    let view = Resend::of(exchange).rewritten(rewrite);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}",
        comment(&format!(
            "{origin} ({}, {} {})",
            exchange.model_name().unwrap_or("no model"),
            view.method,
            view.path
        ))
    );
    let mut args = vec![
        format!("curl -sS -N -X {}", quote(view.method)),
        format!(
            "{}{}",
            base_url_for(&view.path),
            quote(&view.upstream_path_and_query())
        ),
    ];
    args.push("-H \"Authorization: Bearer $GATEWAY_API_KEY\"".to_owned());
    for (name, value) in &view.headers {
        args.push(format!("-H {}", quote(&format!("{name}: {value}"))));
    }
    for (name, var) in from_env {
        if is_name(var) {
            args.push(format!("-H {}\"${{{var}}}\"", quote(&format!("{name}: "))));
        }
    }
    if view.header("accept-encoding").is_some() {
        // The recorded client asked for a compressed answer; curl then decodes it for the
        // terminal instead of printing compressed bytes.
        args.push("--compressed".to_owned());
    }
    match (&exchange.request.body, &view.body) {
        (None, _) | (_, None) => {
            out.push_str(&args.join(" \\\n  "));
            out.push('\n');
        }
        (Some(Body::Base64(data)), _) => base64_body(&mut out, data, &mut args),
        // A body with characters a terminal would act on goes as base64 too: byte for byte,
        // and `cat script.sh` shows nothing that drives the terminal.
        (Some(_), Some(bytes)) if !is_inert(&String::from_utf8_lossy(bytes)) => {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes.as_ref());
            base64_body(&mut out, &data, &mut args);
        }
        (Some(_), Some(bytes)) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            args.push("--data-binary @-".to_owned());
            if text.ends_with('\n') || text.contains('\0') {
                // A command substitution would drop the trailing newlines (and NUL bytes):
                // quoted whole instead, still byte for byte.
                let _ = writeln!(
                    out,
                    "printf '%s' {} | {}",
                    quote(&text),
                    args.join(" \\\n  ")
                );
            } else {
                // A here-document reads best, but it always ends in a newline the body does
                // not have; the command substitution takes exactly that one off. The quoted
                // delimiter keeps the shell from expanding anything inside.
                let delimiter = heredoc_delimiter(&text, "CURSOR_HARNESS_BODY");
                let _ = writeln!(
                    out,
                    "body=$(cat <<'{delimiter}'\n{text}\n{delimiter}\n)\nprintf '%s' \"$body\" | {}",
                    args.join(" \\\n  ")
                );
            }
        }
    }
    out
}

/// The body given as base64, decoded by the pipeline that feeds curl: the exact bytes, and
/// nothing in the script a terminal would act on.
fn base64_body(out: &mut String, data: &str, args: &mut Vec<String>) {
    args.push("--data-binary @-".to_owned());
    let _ = writeln!(
        out,
        "printf '%s' {} | base64 -d | {}",
        quote(data),
        args.join(" \\\n  ")
    );
}

/// The base URL expression a path goes after. A path under another API version than `v1`
/// (`/v1beta/...`) replaces the `/v1` the base ends with, as the path rule says.
fn base_url_for(path: &str) -> &'static str {
    if path::keeps_own_version(path) {
        "\"${GATEWAY_BASE_URL%/v1}\""
    } else {
        "\"$GATEWAY_BASE_URL\""
    }
}
