//! The reverse proxy: maps each request onto the upstream base URL (or answers it with the
//! embedded gateway in stub mode), forwards it unchanged but for hop-by-hop headers, and sends
//! the answer back through the tee.
//!
//! Path rule: an optional path token prefix `/t/<token>` is removed, then an optional leading
//! `/v1` segment, and what is left is appended to the upstream base. With
//! `--upstream https://gw.example/cursor/v1`, `/v1/chat/completions` goes to
//! `https://gw.example/cursor/v1/chat/completions` and `/v1/models` to `…/cursor/v1/models`.
//! So the base URL pasted into Cursor is always `<recorder>/v1` (or `<recorder>/t/<token>/v1`),
//! whatever prefix the gateway itself uses. The query string is kept.
//!
//! What happens to a request once it is routed (recording, forwarding, the tee) is shared with
//! the forward proxy in [`super::exchange`].

use std::convert::Infallible;
use std::sync::Arc;

use http::{Request, Response, StatusCode, Uri};
use hyper::body::Incoming;

use super::body::{ProxyBody, openai_error};
use super::exchange::{Hop, Pipeline};
use super::upstream::HttpsClient;
use crate::gateway::Gateway;

pub use super::exchange::Limits;

/// Where requests go.
pub enum Target {
    /// A real gateway at this base URL.
    Upstream { base: Uri, client: Box<HttpsClient> },
    /// The embedded gateway answers (`record --stub`).
    Embedded(Gateway),
}

pub struct ReverseProxy {
    pub target: Target,
    pub path_token: Option<String>,
    pub pipeline: Pipeline,
}

impl ReverseProxy {
    pub async fn handle(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<ProxyBody>, Infallible> {
        let Some(path) = self.strip_token(request.uri().path()) else {
            // Unknown paths never reach the upstream and are not recorded: on an exposed
            // recorder they are scanners and guesses, not Cursor.
            return Ok(openai_error(
                StatusCode::NOT_FOUND,
                "Not found.",
                "invalid_request_error",
                None,
                Some("not_found"),
            ));
        };
        let mapped = map_path(&path);
        let hop = match &self.target {
            Target::Embedded(gateway) => Hop::Embedded {
                gateway,
                path: mapped,
            },
            Target::Upstream { base, client } => Hop::Upstream {
                client,
                uri: upstream_uri(base, &mapped, request.uri().query()),
                upstream: base.to_string(),
            },
        };
        Ok(self.pipeline.exchange(request, hop).await)
    }

    /// `Some(rest of the path)` when the path carries the token (or no token is required).
    fn strip_token(&self, path: &str) -> Option<String> {
        let Some(token) = &self.path_token else {
            return Some(path.to_owned());
        };
        let rest = path.strip_prefix("/t/")?;
        let (given, rest) = rest.split_once('/').unwrap_or((rest, ""));
        constant_time_eq(given.as_bytes(), token.as_bytes()).then(|| format!("/{rest}"))
    }
}

/// Remove one leading `/v1` segment: Cursor's base URL ends in `/v1`, the upstream's has its own.
pub fn map_path(path: &str) -> String {
    match path.strip_prefix("/v1") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.to_owned(),
        _ => path.to_owned(),
    }
}

/// Join the upstream base, the mapped path and the query.
pub fn upstream_uri(base: &Uri, mapped: &str, query: Option<&str>) -> Result<Uri, String> {
    let base_path = base.path().trim_end_matches('/');
    let mut path_and_query = format!("{base_path}{mapped}");
    if path_and_query.is_empty() {
        path_and_query.push('/');
    }
    if let Some(query) = query {
        path_and_query.push('?');
        path_and_query.push_str(query);
    }
    let mut parts = base.clone().into_parts();
    parts.path_and_query = Some(
        path_and_query
            .parse()
            .map_err(|err| format!("cannot build the upstream URL: {err}"))?,
    );
    Uri::from_parts(parts).map_err(|err| format!("cannot build the upstream URL: {err}"))
}

/// Compare secrets without leaking their length of common prefix through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_is_mapped_onto_the_upstream_prefix() {
        let base: Uri = "https://gw.example/cursor/v1".parse().unwrap();
        let cases = [
            (
                "/v1/chat/completions",
                None,
                "https://gw.example/cursor/v1/chat/completions",
            ),
            ("/v1/models", None, "https://gw.example/cursor/v1/models"),
            (
                "/chat/completions",
                Some("a=1"),
                "https://gw.example/cursor/v1/chat/completions?a=1",
            ),
            ("/v10/x", None, "https://gw.example/cursor/v1/v10/x"),
        ];
        for (path, query, expected) in cases {
            assert_eq!(
                upstream_uri(&base, &map_path(path), query)
                    .unwrap()
                    .to_string(),
                expected
            );
        }
        let root: Uri = "http://127.0.0.1:9/".parse().unwrap();
        assert_eq!(
            upstream_uri(&root, &map_path("/v1/models"), None)
                .unwrap()
                .to_string(),
            "http://127.0.0.1:9/models"
        );
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
