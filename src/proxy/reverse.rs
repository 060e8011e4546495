//! The reverse proxy: maps each request onto the upstream base URL (or answers it with the
//! embedded gateway in stub mode), forwards it unchanged but for hop-by-hop headers, and sends
//! the answer back through the tee.
//!
//! Paths follow the path rule ([`crate::capture::path`]): the token prefix `/t/<token>` is
//! checked and removed, then one leading `/v1`, and what is left goes after the upstream base.
//! So the base URL pasted into Cursor is always `<recorder>/t/<token>/v1`, whatever prefix the
//! gateway itself uses. The query string is kept.
//!
//! What happens to a request once it is routed (recording, forwarding, the tee) is shared with
//! the forward proxy in [`super::exchange`].

use std::convert::Infallible;
use std::sync::Arc;

use http::{Request, Response, StatusCode, Uri};
use hyper::body::Incoming;

use super::exchange::{Hop, Pipeline};
use crate::capture::path;
use crate::http::Responder;
use crate::http::body::{ProxyBody, openai_error};
use crate::http::client::HttpsClient;

pub use super::exchange::Limits;

/// Where requests go.
pub enum Backend {
    /// A real gateway at this base URL.
    Upstream { base: Uri, client: Box<HttpsClient> },
    /// Answered in-process (`record --stub`: the embedded gateway).
    Local(Box<dyn Responder>),
}

pub struct ReverseProxy {
    pub backend: Backend,
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
        let hop = match &self.backend {
            Backend::Local(responder) => Hop::Local {
                responder: responder.as_ref(),
                path: path::upstream_path(path).to_owned(),
            },
            Backend::Upstream { base, client } => Hop::Upstream {
                client,
                uri: path::join(base, path::upstream_path(path), request.uri().query()),
                upstream: base.to_string(),
            },
        };
        Ok(self.pipeline.exchange(request, hop).await)
    }

    /// `Some(rest of the path)` when the path carries the token (or no token is required).
    fn strip_token<'p>(&self, path: &'p str) -> Option<&'p str> {
        let Some(token) = &self.path_token else {
            return Some(path);
        };
        let (given, rest) = path::split_token(path)?;
        constant_time_eq(given.as_bytes(), token.as_bytes()).then_some(rest)
    }
}

/// Compare secrets without leaking their length of common prefix through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
