//! The "send again" view of a capture: the one answer to "what request does this capture make
//! when it is sent again?". `replay` sends it, `export --format curl` writes it as a command,
//! `export --format har` as an entry, and whatever else sends a capture again starts here, so
//! they can never disagree about a header or a path.
//!
//! What is left out, and why:
//! - hop-by-hop headers (one list, [`crate::http::headers`]) and those `Connection` names:
//!   they described the recorded connection, not the request;
//! - `host` and `content-length`: the new connection sets them for what it actually sends;
//! - `content-encoding`: the capture holds the body decoded, and it is sent that way;
//! - credentials: every header whose name says it is secret, and every value the recorder
//!   redacted (a placeholder sent as a credential would only confuse the gateway); the sender
//!   adds its own key from the environment. Their names are kept in [`Resend::withheld`];
//! - query parameters whose value was redacted.
//!
//! The path follows the path rule ([`super::path`]): the token is gone, and [`Resend::url`]
//! maps the rest onto a base URL.

use std::borrow::Cow;

use http::Uri;

use super::redact::{REDACTED_PREFIX, is_secret_header};
use super::{Body, Exchange, path};
use crate::http::headers::{connection_listed, is_hop_by_hop};

/// A capture's request, ready to be sent again.
#[derive(Debug, Clone, PartialEq)]
pub struct Resend<'a> {
    pub method: &'a str,
    /// The path as the client called it, without the path token (`/v1/chat/completions`).
    pub path: &'a str,
    /// The query without redacted parameters; `None` when nothing is left.
    pub query: Option<String>,
    /// In recorded order, names lowercase.
    pub headers: Vec<(&'a str, &'a str)>,
    /// Headers left out because they carried a credential, by name.
    pub withheld: Vec<&'a str>,
    /// The body as recorded (decoded from any content-encoding).
    pub body: Option<Cow<'a, [u8]>>,
}

impl<'a> Resend<'a> {
    pub fn of(exchange: &'a Exchange) -> Resend<'a> {
        let request = &exchange.request;
        let listed: Vec<String> = request
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
            .flat_map(|(_, value)| connection_listed(value).collect::<Vec<_>>())
            .collect();
        let mut headers = Vec::with_capacity(request.headers.len());
        let mut withheld = Vec::new();
        for (name, value) in &request.headers {
            let lower = name.to_ascii_lowercase();
            if is_hop_by_hop(&lower)
                || listed.contains(&lower)
                || matches!(
                    lower.as_str(),
                    "host" | "content-length" | "content-encoding"
                )
                || lower.starts_with(':')
            {
                continue;
            }
            if is_secret_header(&lower) || value.contains(REDACTED_PREFIX) {
                withheld.push(name.as_str());
                continue;
            }
            headers.push((name.as_str(), value.as_str()));
        }
        let (path, query) = match request.target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (request.target.as_str(), None),
        };
        let query = query
            .map(without_redacted_params)
            .filter(|query| !query.is_empty());
        Resend {
            method: &request.method,
            path: path::without_token(path),
            query,
            headers,
            withheld,
            body: request.body.as_ref().map(Body::to_bytes),
        }
    }

    /// The path (and query) that goes after a base URL, by the path rule.
    pub fn upstream_path_and_query(&self) -> String {
        let path = path::upstream_path(self.path);
        match &self.query {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        }
    }

    /// The URL this request goes to under `base`.
    pub fn url(&self, base: &Uri) -> Result<Uri, String> {
        path::join(base, path::upstream_path(self.path), self.query.as_deref())
    }

    /// The value of a header that is sent (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| *value)
    }
}

/// Query parameters whose values the recorder redacted would reach the target as placeholders.
fn without_redacted_params(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.contains(REDACTED_PREFIX) && !pair.contains("%5BREDACTED"))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Provenance, ProvenanceKind, Request};

    fn exchange(target: &str, headers: &[(&str, &str)]) -> Exchange {
        Exchange::new(
            "s",
            Provenance {
                kind: ProvenanceKind::Synthesized,
                source: "test".into(),
            },
            Request {
                method: "POST".into(),
                target: target.into(),
                http_version: "HTTP/1.1".into(),
                headers: headers
                    .iter()
                    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                    .collect(),
                body: Some(Body::from_bytes(br#"{"model":"m","messages":[]}"#)),
                omitted: None,
            },
        )
    }

    #[test]
    fn connection_credentials_and_framing_stay_behind() {
        let recorded = exchange(
            "/t/[REDACTED:0123456789ab]/v1/chat/completions?api_key=[REDACTED:0123456789ab]&x=1",
            &[
                ("authorization", "Bearer [REDACTED:0123456789ab]"),
                ("x-api-key", "plain-but-secret-by-name"),
                ("x-trace", "[REDACTED:0123456789ab]"),
                ("connection", "keep-alive, X-Hop"),
                ("x-hop", "1"),
                ("host", "recorder.example"),
                ("content-length", "999"),
                ("content-encoding", "gzip"),
                ("accept-encoding", "gzip"),
                ("content-type", "application/json"),
                ("user-agent", "Cursor/3.1"),
            ],
        );
        let view = Resend::of(&recorded);
        assert_eq!(view.method, "POST");
        assert_eq!(view.path, "/v1/chat/completions");
        assert_eq!(view.query.as_deref(), Some("x=1"));
        assert_eq!(
            view.headers,
            [
                ("accept-encoding", "gzip"),
                ("content-type", "application/json"),
                ("user-agent", "Cursor/3.1")
            ]
        );
        assert_eq!(view.withheld, ["authorization", "x-api-key", "x-trace"]);
        assert_eq!(
            view.url(&"https://gw.example/api/v1".parse().unwrap())
                .unwrap()
                .to_string(),
            "https://gw.example/api/v1/chat/completions?x=1"
        );
        assert_eq!(view.upstream_path_and_query(), "/chat/completions?x=1");
        assert_eq!(
            view.body.as_deref(),
            Some(br#"{"model":"m","messages":[]}"#.as_slice())
        );
    }
}
