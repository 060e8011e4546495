//! Response rules: what came back for a request, by kind (an error status, a model list, a
//! JSON answer or an event stream), each judged by the contract of the endpoint the request was
//! sent to.

use serde::{Deserialize, Serialize};

use super::context::RequestContext;
use super::findings::Findings;
use super::{Profile, Rule, Violation, anthropic, chat, envelope, gemini, models, responses};
use crate::assemble::Assembled;
use crate::capture::{Body, Contract, Response};
use crate::dialect::Dialect;

/// What kind of answer a response is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseKind {
    /// An event stream.
    Stream,
    /// A JSON completion (or other JSON 2xx body).
    Json,
    /// A non-2xx status.
    Error,
    /// The answer to `GET /models`.
    Models,
    /// A 2xx with no body at all.
    Empty,
}

/// The outcome of checking one response.
#[derive(Debug)]
pub struct ResponseCheck {
    pub kind: ResponseKind,
    /// The API the answer is in, when it could be told.
    pub dialect: Option<Dialect>,
    pub violations: Vec<Violation>,
    /// The chunk that completed the first event with content or a tool call (for TTFT).
    pub first_content_chunk: Option<usize>,
    /// The message the client ends up with.
    pub assembled: Option<Assembled>,
}

/// Check a response against the contract of its request and what that request asked for.
pub fn check_response(
    response: &Response,
    context: &RequestContext,
    profile: Profile,
) -> ResponseCheck {
    let mut findings = Findings::new(profile);
    let mut check = ResponseCheck {
        kind: ResponseKind::Json,
        dialect: None,
        violations: Vec::new(),
        first_content_chunk: None,
        assembled: None,
    };
    let contract = context.contract;
    if !(200..300).contains(&response.status) {
        check.kind = ResponseKind::Error;
        envelope::check_error(response, contract, &mut findings);
    } else if contract == Some(Contract::Models) {
        check.kind = ResponseKind::Models;
        models::check_models(response, &mut findings);
    } else if response.is_event_stream() {
        check.kind = ResponseKind::Stream;
        if !context.stream && contract.is_some() {
            findings.add(
                Rule::ResponseStreamMismatch,
                "",
                "the request did not ask for a stream, but the answer is text/event-stream",
            );
        } else if context.stream_as_json_array {
            findings.add(
                Rule::ResponseStreamMismatch,
                "",
                "the request asked for its stream without `alt=sse`, which Google delivers as one JSON array; the answer is text/event-stream, which such a client cannot read",
            );
        }
        let chunks: Vec<std::borrow::Cow<'_, [u8]>> = match &response.stream {
            Some(chunks) => chunks.iter().map(|c| c.data.to_bytes()).collect(),
            None => response.body.iter().map(Body::to_bytes).collect(),
        };
        let slices: Vec<&[u8]> = chunks.iter().map(|c| c.as_ref()).collect();
        let outcome = match contract {
            Some(Contract::ChatCompletions) => chat::check_stream(&slices, context, &mut findings),
            Some(Contract::Responses) => responses::check_stream(&slices, context, &mut findings),
            Some(Contract::AnthropicMessages) => {
                anthropic::check_stream(&slices, context, &mut findings)
            }
            Some(Contract::Gemini) => gemini::check_stream(&slices, context, &mut findings),
            Some(Contract::Models) | None => Default::default(),
        };
        check.dialect = outcome.dialect;
        check.first_content_chunk = outcome.first_content_chunk;
        check.assembled = Some(outcome.assembled);
    } else {
        match &response.body {
            None => {
                check.kind = ResponseKind::Empty;
                if contract.is_some() {
                    findings.add(
                        Rule::ResponseNotJson,
                        "",
                        format!("status {} with an empty body", response.status),
                    );
                }
            }
            Some(body) => {
                let parsed = body.json();
                // Without `alt=sse` a Gemini stream is one JSON array: JSON is what was asked.
                let array_asked = context.stream_as_json_array
                    && parsed.as_ref().is_ok_and(|value| value.is_array());
                if context.stream && !array_asked {
                    findings.add(
                        Rule::ResponseStreamMismatch,
                        "",
                        format!(
                            "the request asked for a stream but the answer is {}",
                            response
                                .header("content-type")
                                .unwrap_or("not an event stream")
                        ),
                    );
                }
                match (contract, parsed) {
                    (None, _) => {}
                    (Some(_), Err(err)) => findings.add(Rule::ResponseNotJson, "", err.message),
                    (Some(contract), Ok(value)) => {
                        let (dialect, assembled) = match contract {
                            Contract::ChatCompletions => {
                                chat::check_completion(&value, context, &mut findings)
                            }
                            Contract::Responses => {
                                responses::check_response_object(&value, context, &mut findings)
                            }
                            Contract::AnthropicMessages => {
                                anthropic::check_message(&value, context, &mut findings)
                            }
                            Contract::Gemini => {
                                gemini::check_generate_content(&value, context, &mut findings)
                            }
                            Contract::Models => (None, None),
                        };
                        check.dialect = dialect;
                        check.assembled = assembled;
                    }
                }
            }
        }
    }
    check.violations = findings.into_vec();
    check
}
