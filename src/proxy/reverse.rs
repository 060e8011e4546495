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
//! Request bodies are read whole before forwarding: a gateway cannot act on half a JSON body,
//! and reading it first lets a lying `Content-Length` or an oversized body fail here, recorded,
//! instead of half-way into the upstream. Response bodies stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use http::{Request, Response, StatusCode, Uri, header};
use http_body_util::{BodyExt as _, Limited};
use hyper::body::Incoming;

use super::body::{ProxyBody, full, openai_error};
use super::headers::{strip_hop_by_hop, to_capture};
use super::tee::Tee;
use super::upstream::{self, HttpsClient};
use crate::capture::ErrorKind;
use crate::gateway::Gateway;
use crate::record::{Recording, ResponseHead, WriterHandle, WriterPermit, version_name};

/// Where requests go.
pub enum Target {
    /// A real gateway at this base URL.
    Upstream { base: Uri, client: Box<HttpsClient> },
    /// The embedded gateway answers (`record --stub`).
    Embedded(Gateway),
}

/// Limits and timeouts of the proxy.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body accepted (413 above it).
    pub max_request_body: usize,
    /// Longest wait for the upstream's response head.
    pub response_timeout: Duration,
    /// Longest silence from the upstream in the middle of a body.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request_body: 256 * 1024 * 1024,
            response_timeout: Duration::from_secs(300),
            idle_timeout: Duration::from_secs(300),
        }
    }
}

pub struct ReverseProxy {
    pub target: Target,
    pub path_token: Option<String>,
    pub limits: Limits,
    pub writer: WriterHandle,
    /// Set when the grace period is over, so cut streams are recorded as cut by shutdown.
    pub shutting_down: Arc<AtomicBool>,
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
        let permit = match self.writer.reserve().await {
            Ok(permit) => permit,
            Err(_) => {
                return Ok(openai_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "cursor-harness is shutting down.",
                    "server_error",
                    None,
                    Some("shutting_down"),
                ));
            }
        };
        let (parts, body) = request.into_parts();
        let mut recording = Box::new(Recording::new(
            parts.method.to_string(),
            parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
            version_name(parts.version).to_owned(),
            to_capture(&parts.headers),
        ));
        let body = match Limited::new(body, self.limits.max_request_body)
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(err) => return Ok(self.request_body_failed(recording, permit, &*err)),
        };
        recording.request_body = body.clone();
        match &self.target {
            Target::Embedded(gateway) => {
                let response = gateway.respond(&parts.method, &mapped, &body);
                Ok(self.relay(recording, permit, response))
            }
            Target::Upstream { base, client } => {
                recording.upstream = Some(base.to_string());
                let uri = match upstream_uri(base, &mapped, parts.uri.query()) {
                    Ok(uri) => uri,
                    Err(message) => {
                        recording.fail(ErrorKind::Other, message.clone());
                        recording.proxy_status = Some(400);
                        permit.send(recording);
                        return Ok(openai_error(
                            StatusCode::BAD_REQUEST,
                            &message,
                            "invalid_request_error",
                            None,
                            None,
                        ));
                    }
                };
                let mut headers = parts.headers;
                strip_hop_by_hop(&mut headers);
                headers.remove(header::HOST);
                let mut forward = Request::new(full(body));
                *forward.method_mut() = parts.method;
                *forward.uri_mut() = uri;
                *forward.headers_mut() = headers;
                let sent =
                    tokio::time::timeout(self.limits.response_timeout, client.request(forward))
                        .await;
                match sent {
                    Ok(Ok(response)) => {
                        let response =
                            response.map(|incoming| incoming.map_err(Into::into).boxed());
                        Ok(self.relay(recording, permit, response))
                    }
                    Ok(Err(err)) => {
                        let (kind, message) = upstream::classify(&err);
                        Ok(self.upstream_failed(recording, permit, kind, message))
                    }
                    Err(_) => {
                        let message = format!(
                            "the upstream sent no response head within {:?}",
                            self.limits.response_timeout
                        );
                        Ok(self.upstream_failed(recording, permit, ErrorKind::Timeout, message))
                    }
                }
            }
        }
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

    /// Send the answer back through the tee (which completes the recording).
    fn relay(
        &self,
        mut recording: Box<Recording>,
        permit: WriterPermit,
        response: Response<ProxyBody>,
    ) -> Response<ProxyBody> {
        let (mut parts, body) = response.into_parts();
        recording.response = Some(ResponseHead {
            status: parts.status.as_u16(),
            http_version: version_name(parts.version).to_owned(),
            headers: to_capture(&parts.headers),
            at: recording.elapsed(),
        });
        strip_hop_by_hop(&mut parts.headers);
        let tee = Tee::new(
            body,
            recording,
            permit,
            Some(self.limits.idle_timeout),
            self.shutting_down.clone(),
        );
        Response::from_parts(parts, tee.boxed())
    }

    fn upstream_failed(
        &self,
        mut recording: Box<Recording>,
        permit: WriterPermit,
        kind: ErrorKind,
        message: String,
    ) -> Response<ProxyBody> {
        let status = if kind == ErrorKind::Timeout {
            StatusCode::GATEWAY_TIMEOUT
        } else {
            StatusCode::BAD_GATEWAY
        };
        recording.proxy_status = Some(status.as_u16());
        recording.fail(kind, message.clone());
        permit.send(recording);
        openai_error(
            status,
            &format!("cursor-harness: {message}"),
            "upstream_error",
            None,
            Some(&format!("upstream_{}", kind.as_str().replace('-', "_"))),
        )
    }

    fn request_body_failed(
        &self,
        mut recording: Box<Recording>,
        permit: WriterPermit,
        err: &(dyn std::error::Error + 'static),
    ) -> Response<ProxyBody> {
        let too_large = err
            .downcast_ref::<http_body_util::LengthLimitError>()
            .is_some();
        let (status, message) = if too_large {
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is larger than {} bytes (--max-request-body)",
                    self.limits.max_request_body
                ),
            )
        } else {
            (
                StatusCode::BAD_REQUEST,
                format!(
                    "the request body could not be read: {}",
                    upstream::error_chain(err)
                ),
            )
        };
        recording.proxy_status = Some(status.as_u16());
        recording.fail(ErrorKind::RequestBody, message.clone());
        permit.send(recording);
        openai_error(
            status,
            &format!("cursor-harness: {message}"),
            "invalid_request_error",
            None,
            Some("request_body"),
        )
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
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
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
