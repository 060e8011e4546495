//! The embedded reference gateway: a Chat Completions server that behaves like OpenAI's
//! `/v1/chat/completions` as far as a client can see. Used by `record --stub` (answers every
//! request, whatever its dialect, so Cursor keeps going), by `gateway`, and by
//! `replay --target embedded[:strict|:lenient]`.
//!
//! `strict` validates each request with the checker and answers a violating one with 400 and
//! the OpenAI error envelope naming the first offending field, worded as OpenAI words it
//! ([`wording`]); `lenient` ignores unknown fields like many gateways do but still needs a valid
//! Chat body; `translate` translates whatever Cursor sends into Chat Completions before the
//! strict checks; `provider` is the other side of a gateway, each provider's API at its own
//! endpoint. Every mode reads a request
//! body per its `Content-Encoding` (gzip, deflate, br, zstd), with the decoder captures use.

mod answer;
mod paced;
pub mod provider;
pub mod server;
pub mod translate;
pub mod wording;

pub use answer::{Plan, Reply};

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use serde_json::Value;

use crate::capture::Contract;
use crate::capture::encoding::{EncodingError, decode_limited};
use crate::conformance::{self, Profile, Rule, Severity, Violation};
use crate::conversation::answer::{StreamUnwrapper, unwrap_completion};
use crate::dialect;
use crate::http::Responder;
use crate::http::body::{ProxyBody, full, openai_error};

/// Models `GET /models` lists, covering each dialect Cursor picks by name.
pub const DEFAULT_MODELS: &[&str] = &[
    "gpt-5.5",
    "claude-sonnet-4-5",
    "gemini-2.5-pro",
    "deepseek-v4-pro",
    "plainmodel-x",
];

/// How requests are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Answer everything (capture-only recording).
    Stub,
    /// Validate with the checker under a profile.
    Validate(Profile),
    /// Be the provider a gateway calls: each provider's API at its own endpoint, judged
    /// strictly by that endpoint's contract ([`provider`]).
    Provider,
    /// Translate Cursor's formats into Chat Completions, then validate strictly
    /// ([`translate`]): the reference shim.
    Translate,
}

#[derive(Debug, Clone)]
pub struct Gateway {
    pub mode: Mode,
    pub models: Vec<String>,
    /// Pause between streamed events (0 sends them back to back).
    pub chunk_delay: Duration,
}

impl Gateway {
    pub fn new(mode: Mode) -> Gateway {
        Gateway {
            mode,
            models: DEFAULT_MODELS.iter().map(|m| (*m).to_owned()).collect(),
            chunk_delay: Duration::ZERO,
        }
    }

    fn models(&self) -> Response<ProxyBody> {
        let data: Vec<Value> = self
            .models
            .iter()
            .map(|id| serde_json::json!({"id": id, "object": "model", "created": 0, "owned_by": "cursor-harness"}))
            .collect();
        json_response(
            StatusCode::OK,
            &serde_json::json!({"object": "list", "data": data}),
        )
    }

    fn chat(&self, path: &str, bytes: &[u8]) -> Response<ProxyBody> {
        let body: Value = match serde_json::from_slice(bytes) {
            Ok(body @ Value::Object(_)) => body,
            Ok(_) | Err(_) => {
                return openai_error(
                    StatusCode::BAD_REQUEST,
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
                    "invalid_request_error",
                    None,
                    None,
                );
            }
        };
        let translated =
            (self.mode == Mode::Translate).then(|| translate::incoming(body.clone(), path));
        let body = translated.as_ref().map_or(body, |t| t.body.clone());
        let profile = match self.mode {
            Mode::Validate(profile) => Some(profile),
            Mode::Provider | Mode::Translate => Some(Profile::Strict),
            Mode::Stub => None,
        };
        if let Some(profile) = profile
            && let Some(violation) = first_rejection(&body, profile)
        {
            let refusal = wording::refusal(&violation);
            return openai_error(
                StatusCode::BAD_REQUEST,
                &refusal.message,
                "invalid_request_error",
                refusal.param.as_deref(),
                refusal.code,
            );
        }
        let mut plan = Plan::for_request(&body, bytes.len());
        let Some(translated) = translated else {
            return if plan.stream {
                self.event_stream(plan.stream_events())
            } else {
                json_response(StatusCode::OK, &plan.completion())
            };
        };
        translate::wrap_custom_call(&mut plan, &translated.custom_tools);
        let mut response = if plan.stream {
            let mut unwrapper = StreamUnwrapper::new(translated.custom_tools);
            let events = plan
                .stream_events()
                .iter()
                .flat_map(|event| unwrapper.event(event))
                .collect();
            self.event_stream(events)
        } else {
            let completion = unwrap_completion(plan.completion(), &translated.custom_tools);
            json_response(StatusCode::OK, &completion)
        };
        let headers = response.headers_mut();
        if let Ok(from) = HeaderValue::from_str(translated.from.as_str()) {
            headers.insert("x-cursor-harness-translated-from", from);
        }
        headers.insert(
            "x-cursor-harness-losses",
            HeaderValue::from(translated.losses),
        );
        response
    }
}

impl Gateway {
    /// The provider profile at a Responses, Anthropic or Gemini endpoint.
    fn provider(&self, contract: Contract, path: &str, bytes: &[u8]) -> Response<ProxyBody> {
        let refuse = |message: &str| match contract {
            Contract::AnthropicMessages => {
                json_response(StatusCode::BAD_REQUEST, &provider::anthropic_error(message))
            }
            Contract::Gemini => {
                json_response(StatusCode::BAD_REQUEST, &provider::gemini_error(message))
            }
            _ => openai_error(
                StatusCode::BAD_REQUEST,
                message,
                "invalid_request_error",
                None,
                None,
            ),
        };
        let body: Value = match serde_json::from_slice(bytes) {
            Ok(body @ Value::Object(_)) => body,
            _ => return refuse("The request body is not a JSON object."),
        };
        if let Some(violation) = provider::rejection(&body, contract) {
            return match contract {
                Contract::Responses => {
                    let refusal = wording::refusal(&violation);
                    openai_error(
                        StatusCode::BAD_REQUEST,
                        &refusal.message,
                        "invalid_request_error",
                        refusal.param.as_deref(),
                        refusal.code,
                    )
                }
                _ => refuse(&violation.message),
            };
        }
        let plan = provider::plan(&body, bytes.len(), contract, path);
        let (events, json) = match contract {
            Contract::Responses => (
                provider::responses_events as fn(&Plan) -> Vec<Bytes>,
                provider::responses_json as fn(&Plan) -> Value,
            ),
            Contract::AnthropicMessages => (
                provider::anthropic_events as _,
                provider::anthropic_json as _,
            ),
            _ => (provider::gemini_events as _, provider::gemini_json as _),
        };
        if plan.stream {
            self.event_stream(events(&plan))
        } else {
            json_response(StatusCode::OK, &json(&plan))
        }
    }

    /// An event stream of these events, paced by `chunk_delay`.
    fn event_stream(&self, events: Vec<Bytes>) -> Response<ProxyBody> {
        let body = paced::PacedBody::new(events, self.chunk_delay);
        let mut response = Response::new(http_body_util::BodyExt::boxed(body));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

impl Responder for Gateway {
    /// Answer one request. The body is read per its `Content-Encoding`, as any server does.
    fn respond(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response<ProxyBody> {
        let encoding = headers
            .get(header::CONTENT_ENCODING)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let body = match decode_limited(encoding.as_deref(), body, server::MAX_BODY) {
            Ok(body) => body,
            Err(err) => return undecodable(&err),
        };
        let body = &*body;
        let path = path.split('?').next().unwrap_or(path).trim_end_matches('/');
        if method == Method::OPTIONS {
            return preflight();
        }
        if self.mode == Mode::Provider
            && let Some(
                contract @ (Contract::Responses | Contract::AnthropicMessages | Contract::Gemini),
            ) = Contract::for_endpoint(method.as_str(), path)
        {
            return self.provider(contract, path, body);
        }
        if path.ends_with("/models") || path == "models" {
            return if method == Method::GET {
                self.models()
            } else {
                method_not_allowed(method, path)
            };
        }
        if path.ends_with("/chat/completions") {
            return if method == Method::POST {
                self.chat(path, body)
            } else {
                method_not_allowed(method, path)
            };
        }
        openai_error(
            StatusCode::NOT_FOUND,
            &format!("Unknown request URL: {method} {path}. Please check the URL for typos."),
            "invalid_request_error",
            None,
            Some("unknown_url"),
        )
    }
}

/// The violation OpenAI would answer with: unknown parameters first (that is what its API
/// reports first), then missing ones, then the rest in body order. The headline
/// `request.dialect` is our diagnosis, not an OpenAI message, so it is never the answer.
pub fn first_rejection(body: &Value, profile: Profile) -> Option<Violation> {
    let classification = dialect::classify(body, &Vec::new());
    let violations = conformance::check_request(
        body,
        &classification,
        Some(crate::capture::Contract::ChatCompletions),
        profile,
    );
    let rank = |v: &Violation| match Rule::from_code(&v.code) {
        Some(Rule::RequestUnknownField) => 0,
        Some(Rule::RequestMissingField) => 1,
        _ => 2,
    };
    violations
        .into_iter()
        .filter(|v| v.severity == Severity::Error && v.code != Rule::RequestDialect.code())
        .min_by_key(rank)
}

/// A body that cannot be read under its content-encoding: 415 for an encoding the gateway does
/// not speak (RFC 9110 §15.5.16), 413 when it decodes to more than the gateway reads, 400 when
/// its bytes are not what the header says.
fn undecodable(err: &EncodingError) -> Response<ProxyBody> {
    let (status, code) = match err {
        EncodingError::Unsupported(_) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_encoding",
        ),
        EncodingError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "request_too_large"),
        EncodingError::Corrupt { .. } => (StatusCode::BAD_REQUEST, "invalid_content_encoding"),
    };
    openai_error(
        status,
        &format!("{err}."),
        "invalid_request_error",
        None,
        Some(code),
    )
}

fn json_response(status: StatusCode, value: &Value) -> Response<ProxyBody> {
    let mut response = Response::new(full(serde_json::to_vec(value).unwrap_or_default()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn method_not_allowed(method: &Method, path: &str) -> Response<ProxyBody> {
    openai_error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method {method} is not allowed on {path}."),
        "invalid_request_error",
        None,
        Some("method_not_allowed"),
    )
}

/// Cursor's Verify may run from the desktop app, where a browser-style preflight comes first.
fn preflight() -> Response<ProxyBody> {
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_names_the_unknown_parameter_like_openai() {
        let body = json!({"model": "gpt-5.5", "input": [{"role": "user", "content": "hi"}], "stream": true});
        let violation = first_rejection(&body, Profile::Strict).unwrap();
        assert_eq!(violation.path, "/input");
        assert_eq!(violation.code, "request.unknown-field");
    }

    #[test]
    fn lenient_ignores_unknown_fields_but_needs_messages() {
        let ok =
            json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "cache_hint": 1});
        assert!(first_rejection(&ok, Profile::Lenient).is_none());
        assert!(first_rejection(&ok, Profile::Strict).is_some());
        let no_messages = json!({"model": "m", "input": "hi"});
        assert_eq!(
            first_rejection(&no_messages, Profile::Lenient)
                .unwrap()
                .path,
            "/messages"
        );
    }
}
