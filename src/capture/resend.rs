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
    pub path: Cow<'a, str>,
    /// The query without redacted parameters; `None` when nothing is left.
    pub query: Option<String>,
    /// In recorded order (then any the sender adds), names lowercase.
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Headers left out because they carried a credential, by name.
    pub withheld: Vec<&'a str>,
    /// The body as recorded (decoded from any content-encoding).
    pub body: Option<Cow<'a, [u8]>>,
}

/// What the sender changes on the way: headers a gateway needs (a tenant, a virtual key, a
/// routing header), and the gateway's names for the models (`gpt-5.5` → `openai/gpt-5.5`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rewrite {
    /// Set on every request, replacing a recorded header of the same name.
    pub headers: Vec<(String, String)>,
    /// `(model as captured, model to send)`.
    pub models: Vec<(String, String)>,
}

impl Rewrite {
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.models.is_empty()
    }

    /// The model to send for a captured one.
    pub fn model(&self, captured: &str) -> Option<&str> {
        self.models
            .iter()
            .find(|(from, _)| from == captured)
            .map(|(_, to)| to.as_str())
    }
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
            headers.push((Cow::Borrowed(name.as_str()), Cow::Borrowed(value.as_str())));
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
            path: Cow::Borrowed(path::without_token(path)),
            query,
            headers,
            withheld,
            body: request.body.as_ref().map(Body::to_bytes),
        }
    }

    /// The request with the sender's changes: its headers set (replacing recorded ones of the
    /// same name), and the model renamed in the body (`model`) and, for Gemini, in the path.
    pub fn rewritten(mut self, rewrite: &Rewrite) -> Resend<'a> {
        for (name, value) in &rewrite.headers {
            let name = name.to_ascii_lowercase();
            self.headers.retain(|(existing, _)| *existing != name);
            self.withheld
                .retain(|existing| !existing.eq_ignore_ascii_case(&name));
            self.headers
                .push((Cow::Owned(name), Cow::Owned(value.clone())));
        }
        if rewrite.models.is_empty() {
            return self;
        }
        if let Some((model, action)) = super::contract::gemini_action(&self.path)
            && let Some(to) = rewrite.model(model)
        {
            let cut = self.path.len() - model.len() - action.len() - 1;
            self.path = Cow::Owned(format!("{}{to}:{action}", &self.path[..cut]));
        }
        if let Some(body) = &self.body
            && let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body)
            && let Some(to) = value
                .get("model")
                .and_then(serde_json::Value::as_str)
                .and_then(|model| rewrite.model(model))
        {
            value["model"] = serde_json::Value::String(to.to_owned());
            // Compact, as JSON bodies are kept; only the model's bytes change.
            self.body = Some(Cow::Owned(serde_json::to_vec(&value).unwrap_or_default()));
        }
        self
    }

    /// The path (and query) that goes after a base URL, by the path rule.
    pub fn upstream_path_and_query(&self) -> String {
        let path = path::upstream_path(&self.path);
        match &self.query {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        }
    }

    /// The URL this request goes to under `base`.
    pub fn url(&self, base: &Uri) -> Result<Uri, String> {
        path::join(base, path::upstream_path(&self.path), self.query.as_deref())
    }

    /// The value of a header that is sent (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_ref())
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
                encoding_mismatch: None,
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
        let headers: Vec<(&str, &str)> = view
            .headers
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect();
        assert_eq!(
            headers,
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

    #[test]
    fn a_rewrite_sets_headers_and_renames_the_model_in_the_body_and_in_a_gemini_path() {
        let rewrite = Rewrite {
            headers: vec![
                ("X-Portkey-Provider".to_owned(), "openai".to_owned()),
                ("authorization".to_owned(), "Bearer from-env".to_owned()),
            ],
            models: vec![
                ("m".to_owned(), "openai/m".to_owned()),
                (
                    "gemini-2.5-pro".to_owned(),
                    "google/gemini-2.5-pro".to_owned(),
                ),
            ],
        };
        let recorded = exchange(
            "/v1/chat/completions",
            &[
                ("authorization", "Bearer [REDACTED:0123456789ab]"),
                ("x-portkey-provider", "anthropic"),
            ],
        );
        let view = Resend::of(&recorded).rewritten(&rewrite);
        assert_eq!(view.header("x-portkey-provider"), Some("openai"));
        assert_eq!(view.header("authorization"), Some("Bearer from-env"));
        assert!(view.withheld.is_empty(), "{:?}", view.withheld);
        assert_eq!(
            view.body.as_deref(),
            Some(br#"{"model":"openai/m","messages":[]}"#.as_slice())
        );
        let gemini = exchange(
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            &[],
        );
        let view = Resend::of(&gemini).rewritten(&rewrite);
        assert_eq!(
            view.path,
            "/v1beta/models/google/gemini-2.5-pro:streamGenerateContent"
        );
        assert_eq!(view.query.as_deref(), Some("alt=sse"));
        let untouched = Resend::of(&recorded).rewritten(&Rewrite::default());
        assert_eq!(untouched, Resend::of(&recorded));
    }
}
