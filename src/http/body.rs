//! The body type every response of ours uses, OpenAI-shaped error answers, and what becomes of
//! a request body answered before it was read to the end.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Empty, Full};
use hyper::body::Incoming;

/// The error type carried by proxied bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A boxed body: an upstream stream, a tee around it, or bytes of our own.
pub type ProxyBody = BoxBody<Bytes, BoxError>;

pub fn full(bytes: impl Into<Bytes>) -> ProxyBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

pub fn empty() -> ProxyBody {
    Empty::new().map_err(|never| match never {}).boxed()
}

/// An answer in the OpenAI error envelope (`{"error":{"message","type","param","code"}}`),
/// which every OpenAI client knows how to show.
pub fn openai_error(
    status: StatusCode,
    message: &str,
    kind: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> Response<ProxyBody> {
    let body = serde_json::json!({
        "error": { "message": message, "type": kind, "param": param, "code": code }
    });
    let mut response = Response::new(full(serde_json::to_vec(&body).unwrap_or_default()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Answer a request before its body was read to the end (413 and the like), so that the client
/// reads the answer rather than a broken connection: the rest of the body is read and
/// discarded beside the answer.
///
/// HTTP/1: a server that closes a connection with unread bytes in it sends a reset, and a
/// client still sending then loses the answer to "connection reset". HTTP/2: a stream whose
/// body is dropped unread is reset, and the reset can overtake the answer still queued on the
/// connection (curl then says "Stream error in the HTTP/2 framing layer"); read to its end, the
/// stream closes normally once the answer is out. Bounded either way: the reading stops at a
/// silence longer than `idle`, and after a minute.
pub fn answer_early(
    response: Response<ProxyBody>,
    mut body: Incoming,
    idle: Duration,
) -> Response<ProxyBody> {
    tokio::spawn(async move {
        let drain =
            async { while let Ok(Some(Ok(_))) = tokio::time::timeout(idle, body.frame()).await {} };
        let _ = tokio::time::timeout(Duration::from_secs(60), drain).await;
    });
    response
}
