//! Serving the reference gateway over HTTP/1.1 and HTTP/2: the `gateway` command and
//! `replay --target embedded` both run this, so a replay against the embedded gateway goes
//! through a real socket and its timing means what it means against any other gateway.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Limited};
use hyper::body::Incoming;
use tokio::net::TcpListener;

use super::Gateway;
use crate::http::Responder as _;
use crate::http::body::{ProxyBody, openai_error};
use crate::http::serve::{self, Stop};

/// Largest request body the gateway reads (OpenAI's own limit is far below this).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Serve `gateway` on `listener` until `shutdown` resolves; in-flight answers get `grace`.
pub async fn serve(
    listener: TcpListener,
    gateway: Gateway,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let gateway = Arc::new(gateway);
    serve::serve(
        listener,
        None,
        move |request| answer(gateway.clone(), request),
        shutdown,
        Stop::new(grace),
    )
    .await;
}

async fn answer(
    gateway: Arc<Gateway>,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) => {
            let too_large = err
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            return Ok(if too_large {
                openai_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("The request body is larger than {MAX_BODY} bytes."),
                    "invalid_request_error",
                    None,
                    Some("request_too_large"),
                )
            } else {
                openai_error(
                    StatusCode::BAD_REQUEST,
                    &format!("The request body could not be read: {err}"),
                    "invalid_request_error",
                    None,
                    None,
                )
            });
        }
    };
    Ok(gateway.respond(&parts.method, parts.uri.path(), &body))
}
