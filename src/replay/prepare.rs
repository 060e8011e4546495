//! Turning a capture into the request a replay sends: the capture's "send again" view
//! ([`crate::capture::resend`]) onto the target, and auth from the environment.

use bytes::Bytes;
use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue, Method, Uri};

use crate::capture::Exchange;
use crate::capture::resend::{Resend, Rewrite};

/// The credential to add to every request. The value is marked sensitive so hyper never logs
/// it, and it is only ever held in memory.
#[derive(Clone)]
pub struct Auth {
    pub header: HeaderName,
    pub value: HeaderValue,
    /// The raw key, so the redactor can scrub it wherever it shows up in what comes back.
    pub secret: String,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("--api-key-env {0}: the environment variable is not set or empty")]
    Missing(String),
    #[error("--auth-header {0:?} is not a valid header name")]
    HeaderName(String),
    #[error("the key in {0} cannot be sent in a header (control characters or non-ASCII)")]
    Value(String),
}

impl Auth {
    /// Read the key from `var`; `header` sends it raw in that header instead of as a Bearer
    /// token in `Authorization`.
    pub fn from_env(var: &str, header: Option<&str>) -> Result<Auth, AuthError> {
        let secret = std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| AuthError::Missing(var.to_owned()))?;
        Auth::new(var, secret, header)
    }

    pub fn new(var: &str, secret: String, header: Option<&str>) -> Result<Auth, AuthError> {
        let (name, text) = match header {
            Some(name) => (
                HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| AuthError::HeaderName(name.to_owned()))?,
                secret.clone(),
            ),
            None => (header::AUTHORIZATION, format!("Bearer {secret}")),
        };
        let mut value =
            HeaderValue::from_str(&text).map_err(|_| AuthError::Value(var.to_owned()))?;
        value.set_sensitive(true);
        Ok(Auth {
            header: name,
            value,
            secret,
        })
    }
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub method: Method,
    /// The full URI (scheme, authority, path and query).
    pub uri: Uri,
    /// Path and query only, as HTTP/1.1 sends it.
    pub origin_form: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Build the request that replays `exchange` against `base`: the capture's "send again" view
/// with the key from the environment.
pub fn prepare(
    exchange: &Exchange,
    base: &Uri,
    auth: Option<&Auth>,
    rewrite: &Rewrite,
) -> Result<Prepared, String> {
    let view = Resend::of(exchange).rewritten(rewrite);
    let method = Method::from_bytes(view.method.as_bytes())
        .map_err(|_| format!("request.method {:?} is not an HTTP method", view.method))?;
    let uri = view
        .url(base)
        .map_err(|err| format!("request.target {:?}: {err}", exchange.request.target))?;
    let mut headers = HeaderMap::with_capacity(view.headers.len() + 1);
    for (name, value) in &view.headers {
        // A recorded header that HTTP cannot carry again (odd bytes) is left out rather than
        // failing the whole exchange.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    if let Some(auth) = auth {
        headers.insert(auth.header.clone(), auth.value.clone());
    }
    let body = view
        .body
        .map(|body| Bytes::from(body.into_owned()))
        .unwrap_or_default();
    let origin_form = uri
        .path_and_query()
        .map_or_else(|| Uri::from_static("/"), |pq| Uri::from(pq.clone()));
    Ok(Prepared {
        method,
        origin_form,
        uri,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Body, Provenance, ProvenanceKind, Request};

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
    fn the_path_rule_is_the_recorders_and_tokens_and_redacted_params_are_dropped() {
        let base: Uri = "https://gw.example/api/llm/v1".parse().unwrap();
        let cases = [
            (
                "/v1/chat/completions",
                "https://gw.example/api/llm/v1/chat/completions",
            ),
            (
                "/t/[REDACTED:0123456789ab]/v1/chat/completions?x=1",
                "https://gw.example/api/llm/v1/chat/completions?x=1",
            ),
            (
                "/v1/models?api_key=[REDACTED:0123456789ab]&limit=5",
                "https://gw.example/api/llm/v1/models?limit=5",
            ),
        ];
        for (target, expected) in cases {
            let prepared =
                prepare(&exchange(target, &[]), &base, None, &Rewrite::default()).unwrap();
            assert_eq!(prepared.uri.to_string(), expected, "{target}");
        }
    }

    #[test]
    fn hop_by_hop_redacted_and_secret_headers_stay_behind_and_auth_comes_from_the_key() {
        let recorded = [
            ("authorization", "Bearer [REDACTED:0123456789ab]"),
            ("x-api-key", "plain-but-secret-by-name"),
            ("x-trace", "[REDACTED:0123456789ab]"),
            ("connection", "keep-alive, x-hop"),
            ("x-hop", "1"),
            ("host", "recorder.example"),
            ("content-length", "999"),
            ("content-encoding", "gzip"),
            ("content-type", "application/json"),
            ("user-agent", "Cursor/3.1"),
        ];
        let auth = Auth::new("VAR", "sk-test-key".into(), None).unwrap();
        let base: Uri = "http://127.0.0.1:9/v1".parse().unwrap();
        let prepared = prepare(
            &exchange("/v1/chat/completions", &recorded),
            &base,
            Some(&auth),
            &Rewrite::default(),
        )
        .unwrap();
        let mut names: Vec<&str> = prepared.headers.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["authorization", "content-type", "user-agent"]);
        assert_eq!(prepared.headers["authorization"], "Bearer sk-test-key");
        assert!(prepared.headers["authorization"].is_sensitive());
        assert_eq!(prepared.body.as_ref(), br#"{"model":"m","messages":[]}"#);
        let custom = Auth::new("VAR", "super-secret-value".into(), Some("X-Gateway-Key")).unwrap();
        let prepared = prepare(
            &exchange("/v1/chat/completions", &[]),
            &base,
            Some(&custom),
            &Rewrite::default(),
        )
        .unwrap();
        assert_eq!(prepared.headers["x-gateway-key"], "super-secret-value");
        assert!(!format!("{custom:?} {prepared:?}").contains("super-secret-value"));
    }
}
