//! One recorded exchange, the same in every mode (reverse proxy, stub, forward proxy): reserve
//! a place in the writer's queue before anything is forwarded, start the recording, read the
//! request body, forward it (or let the embedded gateway answer), and send the answer back
//! through the tee. Every failure on the way is recorded and answered in the OpenAI error shape.
//!
//! Request bodies are read whole before forwarding: a gateway cannot act on half a JSON body,
//! and reading it first lets a lying `Content-Length` or an oversized body fail here, recorded,
//! instead of half-way into the upstream. Response bodies stream.
//!
//! Every exchange that reserved a place is recorded exactly once, whatever happens: until the
//! recording is handed to the tee or the writer it sits in an `InFlight` guard, which records
//! why when the exchange is dropped early (the client went away before the response head, or
//! the grace period ran out).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{Request, Response, StatusCode, Uri, header};
use http_body::Body as _;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;

use super::tee::Tee;
use crate::capture::ErrorKind;
use crate::capture::budget::CaptureBudget;
use crate::capture::queue::{CaptureQueue, QueueSlot};
use crate::capture::recording::{Recording, ResponseHead};
use crate::http::body::{ProxyBody, answer_early, full, openai_error};
use crate::http::client::{self, HttpsClient};
use crate::http::failure::error_chain;
use crate::http::headers::{strip_hop_by_hop, to_pairs};
use crate::http::{Responder, version_name};

/// Limits and timeouts of the proxy.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body accepted (413 above it).
    pub max_request_body: usize,
    /// Most response-body bytes a capture keeps (in memory until written); the client gets
    /// every byte regardless.
    pub max_capture_body: usize,
    /// Longest wait for the upstream's response head.
    pub response_timeout: Duration,
    /// Longest silence in the middle of a body: the upstream's response, the client's request.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request_body: 256 * 1024 * 1024,
            max_capture_body: 64 * 1024 * 1024,
            response_timeout: Duration::from_secs(300),
            idle_timeout: Duration::from_secs(300),
        }
    }
}

/// Where one request goes.
pub enum Hop<'a> {
    /// Forward to `uri` (absolute) with `client`; `upstream` is what the capture names as the
    /// upstream (the base URL in reverse mode, the origin in forward mode). An `Err` is a URL
    /// that could not be built, answered with 400 and recorded.
    Upstream {
        client: &'a HttpsClient,
        uri: Result<Uri, String>,
        upstream: String,
    },
    /// Answered in-process (the embedded gateway in stub mode); `path` is the mapped path it
    /// routes on.
    Local {
        responder: &'a dyn Responder,
        path: String,
    },
}

/// What every recorded exchange shares: limits, the memory budget of every capture in flight,
/// the writer, the shutdown flag.
pub struct Pipeline {
    pub limits: Limits,
    pub budget: CaptureBudget,
    pub writer: CaptureQueue,
    /// Set when the grace period is over, so cut streams are recorded as cut by shutdown.
    pub shutting_down: Arc<AtomicBool>,
}

impl Pipeline {
    /// Record one exchange from the request as received to the end of the answer's body.
    pub async fn exchange(&self, request: Request<Incoming>, hop: Hop<'_>) -> Response<ProxyBody> {
        let permit = match self.writer.reserve().await {
            Ok(permit) => permit,
            Err(_) => {
                return openai_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "cursor-harness is shutting down.",
                    "server_error",
                    None,
                    Some("shutting_down"),
                );
            }
        };
        let (parts, body) = request.into_parts();
        let recording = Box::new(Recording::new(
            parts.method.to_string(),
            parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
            version_name(parts.version).to_owned(),
            to_pairs(&parts.headers),
        ));
        let mut in_flight = InFlight {
            recording: Some((recording, permit)),
            forwarded: false,
            shutting_down: self.shutting_down.clone(),
        };
        let body = match self.read_body(body).await {
            Ok(body) => body,
            Err(err) => return self.request_body_failed(in_flight.take(), err),
        };
        in_flight.recording().request_body = body.clone();
        let (client, uri, upstream) = match hop {
            Hop::Local { responder, path } => {
                let response = responder.respond(&parts.method, &path, &parts.headers, &body);
                return self.relay(in_flight.take(), response);
            }
            Hop::Upstream {
                client,
                uri,
                upstream,
            } => (client, uri, upstream),
        };
        in_flight.recording().upstream = Some(upstream);
        let uri = match uri {
            Ok(uri) => uri,
            Err(message) => {
                let (mut recording, permit) = in_flight.take();
                recording.fail(ErrorKind::Other, message.clone());
                recording.proxy_status = Some(400);
                permit.send(recording);
                return openai_error(
                    StatusCode::BAD_REQUEST,
                    &message,
                    "invalid_request_error",
                    None,
                    None,
                );
            }
        };
        let authority = uri.authority().map_or_else(String::new, |a| a.to_string());
        let mut headers = parts.headers;
        strip_hop_by_hop(&mut headers);
        // The client derives Host (or :authority) from the URL it connects to.
        headers.remove(header::HOST);
        let mut forward = Request::new(full(body));
        *forward.method_mut() = parts.method;
        *forward.uri_mut() = uri;
        *forward.headers_mut() = headers;
        in_flight.forwarded = true;
        let sent =
            tokio::time::timeout(self.limits.response_timeout, client.request(forward)).await;
        match sent {
            Ok(Ok(response)) => {
                let response = response.map(|incoming| incoming.map_err(Into::into).boxed());
                self.relay(in_flight.take(), response)
            }
            Ok(Err(err)) => {
                let (kind, message) = client::classify(&err, &authority);
                self.upstream_failed(in_flight.take(), kind, message)
            }
            Err(_) => {
                let message = format!(
                    "the upstream {authority} sent no response head within {:?}",
                    self.limits.response_timeout
                );
                self.upstream_failed(in_flight.take(), ErrorKind::Timeout, message)
            }
        }
    }

    /// Read the whole request body: at most `max_request_body` bytes, with no silence longer
    /// than the idle timeout (a client that declares more than it sends and waits would
    /// otherwise hold its place in the writer's queue for ever). A body that stalls or breaks
    /// gives back what arrived before, for the capture.
    async fn read_body(&self, mut body: Incoming) -> Result<Bytes, BodyError> {
        let limit = self.limits.max_request_body;
        if body.size_hint().lower() > limit as u64 {
            return Err(BodyError::TooLarge(body));
        }
        // The declared length sizes the buffer exactly (a body waiting for the writer holds
        // its capacity, not its length), up to a cap: a lie costs no more than that.
        let declared = usize::try_from(body.size_hint().lower()).unwrap_or(limit);
        let mut bytes = BytesMut::with_capacity(declared.min(limit).min(16 * 1024 * 1024));
        loop {
            let frame = match tokio::time::timeout(self.limits.idle_timeout, body.frame()).await {
                Err(_) => return Err(BodyError::Stalled(bytes.freeze())),
                Ok(None) => return Ok(bytes.freeze()),
                Ok(Some(Err(err))) => return Err(BodyError::Broken(err, bytes.freeze())),
                Ok(Some(Ok(frame))) => frame,
            };
            if let Some(data) = frame.data_ref() {
                if bytes.len() + data.len() > limit {
                    return Err(BodyError::TooLarge(body));
                }
                bytes.extend_from_slice(data);
            }
        }
    }

    /// Send the answer back through the tee (which completes the recording).
    fn relay(
        &self,
        (mut recording, permit): (Box<Recording>, QueueSlot),
        response: Response<ProxyBody>,
    ) -> Response<ProxyBody> {
        let (mut parts, body) = response.into_parts();
        recording.response = Some(ResponseHead {
            status: parts.status.as_u16(),
            http_version: version_name(parts.version).to_owned(),
            headers: to_pairs(&parts.headers),
            at: recording.elapsed(),
        });
        strip_hop_by_hop(&mut parts.headers);
        let tee = Tee::new(
            body,
            recording,
            permit,
            Some(self.limits.idle_timeout),
            self.limits.max_capture_body,
            self.budget.clone(),
            self.shutting_down.clone(),
        );
        Response::from_parts(parts, tee.boxed())
    }

    fn upstream_failed(
        &self,
        (mut recording, permit): (Box<Recording>, QueueSlot),
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

    /// Record why the request body could not be read, with the part that arrived before, and
    /// answer in the OpenAI error shape.
    fn request_body_failed(
        &self,
        (mut recording, permit): (Box<Recording>, QueueSlot),
        err: BodyError,
    ) -> Response<ProxyBody> {
        let mut unread = None;
        let (status, message) = match err {
            BodyError::TooLarge(body) => {
                unread = Some(body);
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "the request body is larger than {} bytes (--max-request-body)",
                        self.limits.max_request_body
                    ),
                )
            }
            BodyError::Stalled(received) => {
                let message = format!(
                    "the client sent nothing for {:?} after {} bytes of the request body (is its content-length larger than the body?); the capture keeps those bytes",
                    self.limits.idle_timeout,
                    received.len()
                );
                recording.request_body = received;
                (StatusCode::REQUEST_TIMEOUT, message)
            }
            BodyError::Broken(err, received) => {
                let message = format!(
                    "the request body broke off after {} bytes: {}; the capture keeps those bytes",
                    received.len(),
                    error_chain(&err)
                );
                recording.request_body = received;
                (StatusCode::BAD_REQUEST, message)
            }
        };
        recording.proxy_status = Some(status.as_u16());
        recording.fail(ErrorKind::RequestBody, message.clone());
        permit.send(recording);
        let response = openai_error(
            status,
            &format!("cursor-harness: {message}"),
            "invalid_request_error",
            None,
            Some("request_body"),
        );
        match unread {
            Some(body) => answer_early(response, body, self.limits.idle_timeout),
            None => response,
        }
    }
}

/// Why a request body could not be read.
enum BodyError {
    /// Over `max_request_body`; the unread rest of the body.
    TooLarge(Incoming),
    /// Silent past the idle timeout, after these bytes.
    Stalled(Bytes),
    /// Broken off after these bytes.
    Broken(hyper::Error, Bytes),
}

/// A recording between its start and its hand-off to the tee or the writer. Dropped before the
/// hand-off (the exchange's future was dropped: the client went away before the response head,
/// or the grace period ran out), it records why and hands itself to the writer.
struct InFlight {
    recording: Option<(Box<Recording>, QueueSlot)>,
    /// The request went to the upstream, so dropping the exchange cancelled it.
    forwarded: bool,
    shutting_down: Arc<AtomicBool>,
}

impl InFlight {
    fn recording(&mut self) -> &mut Recording {
        &mut self.recording.as_mut().expect("not handed off yet").0
    }

    fn take(&mut self) -> (Box<Recording>, QueueSlot) {
        self.recording.take().expect("handed off once")
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let Some((mut recording, permit)) = self.recording.take() else {
            return;
        };
        let upstream = if self.forwarded {
            "the upstream request was cancelled"
        } else {
            "nothing was forwarded"
        };
        let (kind, message) = if self.shutting_down.load(Ordering::Relaxed) {
            (
                ErrorKind::Other,
                format!(
                    "the recorder shut down before the response head arrived (grace period over); {upstream}"
                ),
            )
        } else {
            (
                ErrorKind::ClientDisconnected,
                format!("the client went away before the response head arrived; {upstream}"),
            )
        };
        recording.fail(kind, message);
        permit.send(recording);
    }
}
