//! One `GenerateContentResponse`, whether it is a whole JSON answer or one event of a stream
//! (each event is a whole `GenerateContentResponse` holding the new parts): its shape, the
//! blocked-prompt form (`promptFeedback.blockReason`, no candidates), and what it adds to the
//! message the client ends up with. Unknown answer fields are not reported: google-genai drops
//! them silently, so they cannot break a client.

use std::collections::BTreeMap;

use crate::assemble::{Assembled, AssembledToolCall, Opening};
use crate::conformance::Rule;
use crate::conformance::findings::Findings;
use crate::dialect::Dialect;
use crate::json::node::Object;
use crate::json::{Node, join, join_index};

/// `Candidate.finishReason` (v1beta Discovery).
const FINISH_REASONS: &[&str] = &[
    "FINISH_REASON_UNSPECIFIED",
    "STOP",
    "MAX_TOKENS",
    "SAFETY",
    "RECITATION",
    "LANGUAGE",
    "OTHER",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "MALFORMED_FUNCTION_CALL",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "IMAGE_OTHER",
    "NO_IMAGE",
    "IMAGE_RECITATION",
    "UNEXPECTED_TOOL_CALL",
    "TOO_MANY_TOOL_CALLS",
    "MISSING_THOUGHT_SIGNATURE",
    "MALFORMED_RESPONSE",
    "ESCALATION",
];

/// Finish reasons that mean the answer was withheld, not finished.
const WITHHELD: &[&str] = &[
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "IMAGE_RECITATION",
];

/// `PromptFeedback.blockReason`.
const BLOCK_REASONS: &[&str] = &[
    "BLOCK_REASON_UNSPECIFIED",
    "SAFETY",
    "OTHER",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "IMAGE_SAFETY",
];

/// `UsageMetadata` counts.
const USAGE_COUNTS: &[&str] = &[
    "promptTokenCount",
    "cachedContentTokenCount",
    "candidatesTokenCount",
    "toolUsePromptTokenCount",
    "thoughtsTokenCount",
    "totalTokenCount",
];

/// Where an answer is, which decides the rules its faults are reported under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// A whole JSON answer (or one element of a streamed JSON array).
    Body,
    /// One event of an `alt=sse` stream.
    Stream,
}

impl Place {
    fn shape(self, missing: bool) -> Rule {
        match (self, missing) {
            (Place::Stream, _) => Rule::StreamChunkShape,
            (Place::Body, true) => Rule::ResponseMissingField,
            (Place::Body, false) => Rule::ResponseType,
        }
    }

    fn finish(self) -> Rule {
        match self {
            Place::Body => Rule::ResponseType,
            Place::Stream => Rule::StreamFinishReason,
        }
    }

    fn arguments(self) -> Rule {
        match self {
            Place::Body => Rule::ResponseType,
            Place::Stream => Rule::StreamToolArguments,
        }
    }
}

/// What the answers of one exchange amounted to so far.
#[derive(Debug, Default)]
pub(super) struct Progress {
    /// The prompt was blocked: no candidates are due.
    pub blocked: bool,
    /// Some answer carried a candidate.
    pub candidates: bool,
    /// Candidates that have finished, with the answer (event) that finished them.
    pub finished: BTreeMap<u64, usize>,
    /// The first answer that carried text or a function call.
    pub first_content: Option<usize>,
    pub assembled: Assembled,
}

/// The API of an answer that is not a `GenerateContentResponse`, by its markers.
pub(super) fn foreign(answer: &Node<'_>) -> Option<Dialect> {
    let object = answer.get("object").and_then(Node::as_str).unwrap_or("");
    let kind = answer.get("type").and_then(Node::as_str).unwrap_or("");
    if answer.get("candidates").is_some() || answer.get("promptFeedback").is_some() {
        return None;
    }
    if object.starts_with("chat.completion") || answer.get("choices").is_some() {
        Some(Dialect::ChatCompletions)
    } else if object == "response" || kind.starts_with("response.") {
        Some(Dialect::Responses)
    } else if kind == "message" || kind.starts_with("message_") || kind.starts_with("content_block")
    {
        Some(Dialect::Anthropic)
    } else {
        None
    }
}

/// Check one answer at `path` (`""` for a body, `/stream/N` for an event, `/N` for an element
/// of a JSON array) and fold it into `progress`.
pub(super) fn check(
    answer: &Node<'_>,
    path: &str,
    place: Place,
    event: usize,
    progress: &mut Progress,
    findings: &mut Findings,
) {
    let Some(top) = answer.as_object() else {
        findings.add(
            place.shape(false),
            path,
            format!(
                "an answer must be a GenerateContentResponse object, got {}",
                answer.kind()
            ),
        );
        return;
    };
    check_feedback(top, path, place, progress, findings);
    check_usage(top, path, place, progress, findings);
    for key in ["modelVersion", "responseId"] {
        match top.get(key) {
            Some(Node::Str(value)) if key == "modelVersion" => {
                progress
                    .assembled
                    .model
                    .get_or_insert_with(|| value.to_string());
            }
            Some(value) if !value.is_string() && !value.is_null() => findings.add(
                place.shape(false),
                join(path, key),
                format!("`{key}` must be a string, got {}", value.kind()),
            ),
            _ => {}
        }
    }
    match top.get("candidates") {
        None | Some(Node::Null) => {}
        Some(Node::Array(candidates)) => {
            if !candidates.is_empty() {
                progress.candidates = true;
            }
            for (position, candidate) in candidates.iter().enumerate() {
                let at = join_index(&join(path, "candidates"), position);
                check_candidate(candidate, &at, position, place, event, progress, findings);
            }
        }
        Some(other) => findings.add(
            place.shape(false),
            join(path, "candidates"),
            format!("`candidates` must be an array, got {}", other.kind()),
        ),
    }
}

fn check_feedback(
    top: &Object<'_>,
    path: &str,
    place: Place,
    progress: &mut Progress,
    findings: &mut Findings,
) {
    let Some(feedback) = top.get("promptFeedback").filter(|f| !f.is_null()) else {
        return;
    };
    let at = join(path, "promptFeedback");
    let Some(reason) = feedback.get("blockReason").filter(|r| !r.is_null()) else {
        return;
    };
    let at = join(&at, "blockReason");
    let Some(reason) = reason.as_str().filter(|r| BLOCK_REASONS.contains(r)) else {
        findings.add(
            place.shape(false),
            at,
            format!(
                "`blockReason` is {reason}; expected one of {}",
                BLOCK_REASONS.join(", ")
            ),
        );
        return;
    };
    progress.blocked = true;
    findings.add(
        Rule::ResponseBlocked,
        at.clone(),
        format!("the prompt was blocked ({reason}): no candidates, no answer"),
    );
    if top
        .get("candidates")
        .and_then(Node::as_array)
        .is_some_and(|c| !c.is_empty())
    {
        findings.add(
            place.shape(false),
            join(path, "candidates"),
            format!("`promptFeedback.blockReason` is {reason}, yet candidates came: a blocked prompt gets none"),
        );
    }
}

fn check_usage(
    top: &Object<'_>,
    path: &str,
    place: Place,
    progress: &mut Progress,
    findings: &mut Findings,
) {
    let Some(usage) = top.get("usageMetadata").filter(|u| !u.is_null()) else {
        return;
    };
    let at = join(path, "usageMetadata");
    let Some(counts) = usage.as_object() else {
        findings.add(
            place.shape(false),
            at,
            format!("`usageMetadata` must be an object, got {}", usage.kind()),
        );
        return;
    };
    for key in USAGE_COUNTS {
        if let Some(count) = counts.get(key).filter(|c| !c.is_null())
            && !count.is_u64()
        {
            findings.add(
                place.shape(false),
                join(&at, key),
                format!(
                    "`usageMetadata.{key}` must be a count (an integer, 0 or more), got {count}"
                ),
            );
        }
    }
    progress.assembled.usage = Some(usage.to_value());
}

fn check_candidate(
    candidate: &Node<'_>,
    path: &str,
    position: usize,
    place: Place,
    event: usize,
    progress: &mut Progress,
    findings: &mut Findings,
) {
    let Some(fields) = candidate.as_object() else {
        findings.add(
            place.shape(false),
            path,
            format!("a candidate must be an object, got {}", candidate.kind()),
        );
        return;
    };
    let index = match fields.get("index").filter(|i| !i.is_null()) {
        None => position as u64,
        Some(index) => match index.as_u64() {
            Some(index) => index,
            None => {
                findings.add(
                    place.shape(false),
                    join(path, "index"),
                    format!("`index` must be an integer, 0 or more, got {index}"),
                );
                position as u64
            }
        },
    };
    if let Some(content) = fields.get("content").filter(|c| !c.is_null()) {
        check_content(
            content,
            &join(path, "content"),
            index,
            place,
            event,
            progress,
            findings,
        );
    }
    let Some(reason) = fields.get("finishReason").filter(|r| !r.is_null()) else {
        return;
    };
    let at = join(path, "finishReason");
    let Some(reason) = reason.as_str().filter(|r| FINISH_REASONS.contains(r)) else {
        findings.add(
            place.finish(),
            at,
            format!(
                "`finishReason` is {reason}; expected one of {}",
                FINISH_REASONS.join(", ")
            ),
        );
        return;
    };
    if WITHHELD.contains(&reason) {
        findings.add(
            Rule::ResponseBlocked,
            at,
            format!("candidate {index} stopped with {reason}: its answer was withheld"),
        );
    }
    progress.finished.entry(index).or_insert(event);
    progress
        .assembled
        .choices
        .entry(index)
        .or_default()
        .finish_reason = Some(reason.to_owned());
}

fn check_content(
    content: &Node<'_>,
    path: &str,
    index: u64,
    place: Place,
    event: usize,
    progress: &mut Progress,
    findings: &mut Findings,
) {
    let Some(fields) = content.as_object() else {
        findings.add(
            place.shape(false),
            path,
            format!("`content` must be an object, got {}", content.kind()),
        );
        return;
    };
    match fields.get("role") {
        Some(Node::Str(role)) if role == "model" => {}
        None | Some(Node::Null) => {}
        Some(role) => findings.add(
            place.shape(false),
            join(path, "role"),
            format!("an answer's `role` is `model`, got {role}"),
        ),
    }
    let parts = match fields.get("parts") {
        None | Some(Node::Null) => return,
        Some(Node::Array(parts)) => parts,
        Some(other) => {
            findings.add(
                place.shape(false),
                join(path, "parts"),
                format!("`parts` must be an array, got {}", other.kind()),
            );
            return;
        }
    };
    // An empty text part (the carrier of a late thought signature) adds nothing to read.
    let adds = parts.iter().any(|part| {
        part.as_object().is_some_and(|fields| {
            fields.iter().any(|(key, value)| match key {
                "text" => value.as_str().is_some_and(|t| !t.is_empty()),
                "thought" | "thoughtSignature" => false,
                _ => !value.is_null(),
            })
        })
    });
    if let Some(finished) = progress.finished.get(&index).filter(|_| adds) {
        findings.add(
            Rule::StreamFinishReason,
            join(path, "parts"),
            format!("candidate {index} has parts after its finishReason (answer {finished}): clients stop reading a candidate there"),
        );
    }
    let choice = progress.assembled.choices.entry(index).or_default();
    choice.role.get_or_insert_with(|| "model".to_owned());
    for (position, part) in parts.iter().enumerate() {
        let at = join_index(&join(path, "parts"), position);
        let Some(part) = part.as_object() else {
            findings.add(
                place.shape(false),
                at,
                format!("a part must be an object, got {}", part.kind()),
            );
            continue;
        };
        let thought = match part.get("thought") {
            Some(Node::Bool(thought)) => *thought,
            None | Some(Node::Null) => false,
            Some(other) => {
                findings.add(
                    place.shape(false),
                    join(&at, "thought"),
                    format!("`thought` must be a boolean, got {other}"),
                );
                false
            }
        };
        match part.get("text") {
            Some(Node::Str(text)) if thought => choice.reasoning.push_str(text),
            Some(Node::Str(text)) => {
                choice.content.push_str(text);
                if !text.is_empty() {
                    progress.first_content.get_or_insert(event);
                }
            }
            None | Some(Node::Null) => {}
            Some(other) => findings.add(
                place.shape(false),
                join(&at, "text"),
                format!("`text` must be a string, got {}", other.kind()),
            ),
        }
        if let Some(call) = part.get("functionCall").filter(|c| !c.is_null()) {
            let Some(call) = function_call(call, &join(&at, "functionCall"), place, findings)
            else {
                continue;
            };
            progress.first_content.get_or_insert(event);
            let (name, id, arguments) = call;
            choice.tool_calls.push(AssembledToolCall {
                index: choice.tool_calls.len() as u64,
                id,
                kind: None,
                name: Some(name),
                arguments,
                first_event: event,
                opened_with: Opening {
                    id: false,
                    kind: false,
                    name: true,
                },
            });
        }
    }
}

/// `(name, id, arguments as JSON text)` of a well-formed `functionCall`.
fn function_call(
    call: &Node<'_>,
    path: &str,
    place: Place,
    findings: &mut Findings,
) -> Option<(String, Option<String>, String)> {
    let Some(fields) = call.as_object() else {
        findings.add(
            place.shape(false),
            path,
            format!("`functionCall` must be an object, got {}", call.kind()),
        );
        return None;
    };
    let Some(name) = fields.get("name").and_then(Node::as_str) else {
        findings.add(
            place.shape(true),
            join(path, "name"),
            "a `functionCall` without a string `name`: the client cannot tell which function to run",
        );
        return None;
    };
    let arguments = match fields.get("args") {
        None | Some(Node::Null) => "{}".to_owned(),
        Some(args @ Node::Object(_)) => args.to_string(),
        Some(args) => {
            let hint = if args.is_string() {
                " (a JSON text, as OpenAI's `arguments`; Gemini sends the object itself)"
            } else {
                ""
            };
            findings.add(
                place.arguments(),
                join(path, "args"),
                format!(
                    "`functionCall.args` must be a JSON object, got {}{hint}",
                    args.kind()
                ),
            );
            return None;
        }
    };
    let id = fields.get("id").and_then(Node::as_str).map(str::to_owned);
    Some((name.to_owned(), id, arguments))
}
