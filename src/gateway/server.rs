//! Serving the reference gateway over HTTP/1.1 and HTTP/2: the `gateway` command and
//! `replay --target embedded` both run this, so a replay against the embedded gateway goes
//! through a real socket and its timing means what it means against any other gateway.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use http::{Request, Response, StatusCode};
use http_body::Body as _;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use tokio::net::TcpListener;

use super::Gateway;
use crate::http::Responder as _;
use crate::http::body::{ProxyBody, answer_early, openai_error};
use crate::http::serve::{self, ConnectionLimits, Stop};

/// Largest request body the gateway reads (OpenAI's own limit is far below this).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Where `gateway --log` sends its line per request.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// Serve `gateway` on `listener` until `shutdown` resolves; in-flight answers get `grace`.
pub async fn serve(
    listener: TcpListener,
    gateway: Gateway,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
    limits: ConnectionLimits,
) {
    serve_logged(listener, gateway, None, shutdown, grace, limits).await;
}

/// [`serve()`], with a line per request to `log` when one is given.
pub async fn serve_logged(
    listener: TcpListener,
    gateway: Gateway,
    log: Option<Log>,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
    limits: ConnectionLimits,
) {
    let gateway = Arc::new(gateway);
    serve::serve(
        listener,
        None,
        move |request| answer(gateway.clone(), log.clone(), request),
        shutdown,
        Stop::new(grace, limits),
    )
    .await;
}

async fn answer(
    gateway: Arc<Gateway>,
    log: Option<Log>,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, Infallible> {
    let started = std::time::Instant::now();
    let (parts, body) = request.into_parts();
    let response = match read_body(body).await {
        Ok(body) => {
            let response = gateway.respond(&parts.method, parts.uri.path(), &parts.headers, &body);
            match &log {
                Some(log) => {
                    let (response, said) = refusal_message(response).await;
                    log(&log_line(
                        &parts.method,
                        parts.uri.path(),
                        model_of(&body).as_deref(),
                        response.status(),
                        started.elapsed(),
                        said.as_deref(),
                    ));
                    response
                }
                None => response,
            }
        }
        Err(refused) => refused,
    };
    Ok(response)
}

/// The model a request body names (read only for the log line).
fn model_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        model: Option<String>,
    }
    serde_json::from_slice::<Named>(body).ok()?.model
}

/// What an error answer says (`error.message`), read from its body, which is put back as it
/// was. Success answers (streams among them) are passed on untouched.
async fn refusal_message(response: Response<ProxyBody>) -> (Response<ProxyBody>, Option<String>) {
    if response.status().is_success() {
        return (response, None);
    }
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let said = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(|m| m.as_str().map(str::to_owned))
        });
    (
        Response::from_parts(parts, crate::http::body::full(bytes)),
        said,
    )
}

/// `12:00:01  POST /v1/chat/completions  gpt-5.5  400  0.4ms  <what was refused>`: what came
/// from the request is printed with control characters escaped.
fn log_line(
    method: &http::Method,
    path: &str,
    model: Option<&str>,
    status: StatusCode,
    took: Duration,
    said: Option<&str>,
) -> String {
    let clean = crate::text::terminal::line;
    let time = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%H:%M:%S")
        .to_string();
    let mut line = format!(
        "{time}  {method} {}  {}  {}  {:.1}ms",
        clean(path),
        clean(model.unwrap_or("-")),
        status.as_u16(),
        took.as_secs_f64() * 1000.0
    );
    if let Some(said) = said {
        line.push_str("  ");
        line.push_str(&clean(said));
    }
    line
}

/// The whole request body, or the answer refusing it: too large (answered early, the rest of
/// the body read and dropped beside it, so HTTP/2 does not reset the stream before the 413),
/// unreadable, or stalled past [`IDLE`].
async fn read_body(mut body: Incoming) -> Result<bytes::Bytes, Response<ProxyBody>> {
    let mut bytes = BytesMut::new();
    let too_large = || {
        openai_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("The request body is larger than {MAX_BODY} bytes."),
            "invalid_request_error",
            None,
            Some("request_too_large"),
        )
    };
    if body.size_hint().lower() > MAX_BODY as u64 {
        return Err(answer_early(too_large(), body, IDLE));
    }
    loop {
        let frame = match tokio::time::timeout(IDLE, body.frame()).await {
            Ok(Some(Ok(frame))) => frame,
            Ok(None) => break,
            Ok(Some(Err(err))) => {
                return Err(openai_error(
                    StatusCode::BAD_REQUEST,
                    &format!("The request body could not be read: {err}"),
                    "invalid_request_error",
                    None,
                    None,
                ));
            }
            Err(_) => {
                return Err(openai_error(
                    StatusCode::REQUEST_TIMEOUT,
                    &format!("The request body stalled for {IDLE:?}."),
                    "invalid_request_error",
                    None,
                    None,
                ));
            }
        };
        if let Some(data) = frame.data_ref() {
            if bytes.len() + data.len() > MAX_BODY {
                return Err(answer_early(too_large(), body, IDLE));
            }
            bytes.extend_from_slice(data);
        }
    }
    Ok(bytes.freeze())
}

/// Longest silence in the middle of a request body.
const IDLE: Duration = Duration::from_secs(60);
