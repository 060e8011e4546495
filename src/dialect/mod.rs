//! Naming the dialect of a request body, with evidence.
//!
//! Cursor sends one endpoint (`/chat/completions`) bodies in four shapes, so no body is assumed
//! to be Chat Completions. The classifier scores fingerprints (top-level keys, tool shapes,
//! content-part and item types; the tables are in `fingerprints.rs`) per dialect,
//! picks the strongest as the primary dialect and reports every other dialect whose fingerprints
//! also appear as `foreign`. It never decides by "validates against schema X": the Responses
//! schema accepts any object and the Chat schema accepts unknown keys.
//!
//! The fingerprint tables are in `fingerprints.rs`, the walk over a body in `walk.rs`; scoring
//! and the verdict are here.

mod fingerprints;
pub mod mode;
mod walk;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use fingerprints::{
    TOP_LEVEL_KEYS, part_type_dialect, tool_choice_shape, tool_shape, top_level_key_dialect,
};

use crate::capture::{Contract, Headers};
use fingerprints::{SHAPE, STRONG};
use walk::{Collector, scan_top_level};

/// A request body dialect (contract: these ids are stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    ChatCompletions,
    Responses,
    Anthropic,
    Gemini,
    Unknown,
}

impl Dialect {
    pub const ALL: [Dialect; 5] = [
        Dialect::ChatCompletions,
        Dialect::Responses,
        Dialect::Anthropic,
        Dialect::Gemini,
        Dialect::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::ChatCompletions => "chat-completions",
            Dialect::Responses => "responses",
            Dialect::Anthropic => "anthropic",
            Dialect::Gemini => "gemini",
            Dialect::Unknown => "unknown",
        }
    }

    /// The API name with its article, for prose ("an OpenAI Responses API field").
    /// The contract whose requests are in this dialect (`unknown` has none).
    pub fn contract(self) -> Option<Contract> {
        match self {
            Dialect::ChatCompletions => Some(Contract::ChatCompletions),
            Dialect::Responses => Some(Contract::Responses),
            Dialect::Anthropic => Some(Contract::AnthropicMessages),
            Dialect::Gemini => Some(Contract::Gemini),
            Dialect::Unknown => None,
        }
    }

    /// The dialect a contract's own requests are in (a model list has none).
    pub fn of_contract(contract: Contract) -> Option<Dialect> {
        match contract {
            Contract::ChatCompletions => Some(Dialect::ChatCompletions),
            Contract::Responses => Some(Dialect::Responses),
            Contract::AnthropicMessages => Some(Dialect::Anthropic),
            Contract::Gemini => Some(Dialect::Gemini),
            Contract::Models => None,
        }
    }

    pub fn with_article(self) -> String {
        let name = self.api_name();
        let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name}")
    }

    /// The API a person would recognise, for prose.
    pub fn api_name(self) -> &'static str {
        match self {
            Dialect::ChatCompletions => "OpenAI Chat Completions",
            Dialect::Responses => "OpenAI Responses API",
            Dialect::Anthropic => "Anthropic Messages",
            Dialect::Gemini => "Gemini generateContent",
            Dialect::Unknown => "no known API",
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown dialect `{s}`; expected one of chat-completions, responses, anthropic, gemini, unknown"
                )
            })
    }
}

/// How sure the classifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// One reason behind a classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// JSON pointer to the first place the fingerprint was seen (`header:NAME` for headers).
    pub path: String,
    pub dialect: Dialect,
    pub why: String,
    /// How many places carry the same fingerprint.
    pub count: usize,
}

/// The verdict on one body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub dialect: Dialect,
    /// Other dialects whose fingerprints also appear (the mixed Cursor body is
    /// `chat-completions` with `foreign: ["responses"]`).
    pub foreign: Vec<Dialect>,
    pub confidence: Confidence,
    /// Dialects the body is equally valid as (an ambiguous body).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_valid_as: Vec<Dialect>,
    pub evidence: Vec<Evidence>,
}

/// Classify a request body (and its headers, which can carry Anthropic markers).
pub fn classify(body: &Value, headers: &Headers) -> Classification {
    let mut found = Collector::default();
    for (name, _) in headers {
        if matches!(
            name.to_ascii_lowercase().as_str(),
            "anthropic-version" | "anthropic-beta" | "x-api-key"
        ) {
            found.add(
                || format!("header:{}", name.to_ascii_lowercase()),
                Dialect::Anthropic,
                SHAPE,
                "Anthropic API header",
            );
        }
    }
    let Value::Object(top) = body else {
        return Classification {
            dialect: Dialect::Unknown,
            foreign: Vec::new(),
            confidence: Confidence::High,
            also_valid_as: Vec::new(),
            evidence: Vec::new(),
        };
    };
    scan_top_level(top, &mut found);

    let has = |key: &str| top.contains_key(key);
    // `messages` is Chat's own required key, and Anthropic's too; it tips ties, it is not
    // evidence on its own.
    let base = |dialect: Dialect| -> u32 {
        match dialect {
            Dialect::ChatCompletions if has("messages") => 2,
            Dialect::Anthropic if has("messages") => 1,
            _ => 0,
        }
    };
    let candidates = [
        Dialect::ChatCompletions,
        Dialect::Anthropic,
        Dialect::Responses,
        Dialect::Gemini,
    ];
    let scored: Vec<(Dialect, u32)> = candidates
        .iter()
        .map(|&d| (d, found.score(d) + base(d)))
        .collect();
    // Ties go to the earlier candidate: Chat first, because `messages` bodies are most often Chat.
    let (mut dialect, best) =
        scored.iter().copied().fold(
            (Dialect::Unknown, 0),
            |acc, (d, s)| if s > acc.1 { (d, s) } else { acc },
        );
    let legacy = !has("messages") && !has("input") && has("prompt") && has("model");
    if legacy {
        found.add(
            || "/prompt".to_owned(),
            Dialect::Unknown,
            0,
            "legacy Completions body (`prompt` without `messages`): the /v1/completions API, not Chat Completions",
        );
        if best <= STRONG {
            dialect = Dialect::Unknown;
        }
    }
    let runner_up = scored
        .iter()
        .filter(|(d, _)| *d != dialect)
        .map(|(_, s)| *s)
        .max()
        .unwrap_or(0);

    let mut foreign: Vec<Dialect> = found
        .found
        .iter()
        .map(|(e, _)| e.dialect)
        .filter(|d| *d != dialect && *d != Dialect::Unknown)
        .collect();
    foreign.sort();
    foreign.dedup();

    let also_valid_as =
        if dialect == Dialect::ChatCompletions && plain_enough_for_anthropic(top, &found) {
            vec![Dialect::Anthropic]
        } else {
            Vec::new()
        };
    let own_evidence = found.found.iter().any(|(e, _)| e.dialect == dialect);
    let confidence = if dialect == Dialect::Unknown {
        if legacy || top.is_empty() {
            Confidence::High
        } else {
            Confidence::Low
        }
    } else if !also_valid_as.is_empty() {
        Confidence::Low
    } else if !own_evidence || best < runner_up + STRONG {
        Confidence::Medium
    } else {
        Confidence::High
    };
    Classification {
        dialect,
        foreign,
        confidence,
        also_valid_as,
        evidence: found.found.into_iter().map(|(e, _)| e).collect(),
    }
}

/// `{model, max_tokens, messages:[{role:user, content:"hi"}]}` is valid Chat and valid
/// Anthropic: say so rather than pretend to know.
fn plain_enough_for_anthropic(top: &Map<String, Value>, found: &Collector) -> bool {
    if !top.contains_key("max_tokens") || !found.found.is_empty() {
        return false;
    }
    let Some(messages) = top.get("messages").and_then(Value::as_array) else {
        return false;
    };
    !messages.is_empty()
        && messages.iter().all(|message| {
            let role = message.get("role").and_then(Value::as_str);
            let plain_content = match message.get("content") {
                Some(Value::String(_)) => true,
                Some(Value::Array(parts)) => parts.iter().all(|part| {
                    part.get("type").and_then(Value::as_str) == Some("text")
                        && part.as_object().is_some_and(|p| p.len() == 2)
                }),
                _ => false,
            };
            matches!(role, Some("user" | "assistant"))
                && plain_content
                && message.as_object().is_some_and(|m| m.len() == 2)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn classify_body(body: Value) -> Classification {
        classify(&body, &Vec::new())
    }

    #[test]
    fn cursor_responses_hybrid_is_responses_with_chat_foreign() {
        let c = classify_body(json!({
            "model": "gpt-5.5",
            "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
                      {"type": "function_call", "call_id": "c", "name": "ReadFile", "arguments": "{}"}],
            "tools": [{"type": "function", "name": "ReadFile", "parameters": {}},
                      {"type": "custom", "name": "ApplyPatch", "format": {"type": "grammar", "syntax": "lark", "definition": "start: x"}}],
            "reasoning": {"effort": "medium"}, "include": ["reasoning.encrypted_content"],
            "store": false, "stream": true, "stream_options": {"include_usage": true}
        }));
        assert_eq!(c.dialect, Dialect::Responses);
        assert_eq!(c.foreign, vec![Dialect::ChatCompletions]);
        assert_eq!(c.confidence, Confidence::High);
        assert!(c.evidence.iter().any(|e| e.path == "/input"));
    }

    #[test]
    fn mixed_chat_body_is_chat_with_responses_foreign() {
        let c = classify_body(json!({
            "model": "gpt-5.5",
            "messages": [{"role": "user", "content": "hi"},
                         {"role": "assistant", "content": [], "tool_calls": [{"id": "c", "type": "function", "function": {"name": "ReadFile", "arguments": "{}"}}]},
                         {"role": "tool", "tool_call_id": "c", "content": "x"}],
            "tools": [{"type": "function", "function": {"name": "ReadFile", "parameters": {}}},
                      {"type": "custom", "name": "ApplyPatch", "format": {"type": "grammar"}}],
            "stream": true
        }));
        assert_eq!(c.dialect, Dialect::ChatCompletions);
        assert_eq!(c.foreign, vec![Dialect::Responses]);
        let flat = c
            .evidence
            .iter()
            .find(|e| e.dialect == Dialect::Responses)
            .unwrap();
        assert_eq!(flat.path, "/tools/1");
    }

    #[test]
    fn anthropic_body_with_messages_or_input_is_anthropic() {
        for key in ["messages", "input"] {
            let c = classify_body(json!({
                "model": "claude-sonnet-4-5",
                "system": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral"}}],
                key: [{"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "read_file", "input": {}}]},
                      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "x"}]}],
                "tools": [{"name": "read_file", "input_schema": {"type": "object"}}],
                "tool_choice": {"type": "auto"}, "max_tokens": 8192, "stream_options": {"include_usage": true}
            }));
            assert_eq!(c.dialect, Dialect::Anthropic, "with {key}");
            assert!(c.foreign.contains(&Dialect::ChatCompletions));
            assert_eq!(c.foreign.contains(&Dialect::Responses), key == "input");
        }
    }

    #[test]
    fn gemini_bodies_in_both_casings() {
        let camel = classify_body(
            json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "generationConfig": {"temperature": 1}}),
        );
        let snake = classify_body(
            json!({"contents": [{"role": "model", "parts": [{"text": "hi"}]}], "system_instruction": {"parts": [{"text": "s"}]}}),
        );
        assert_eq!(camel.dialect, Dialect::Gemini);
        assert_eq!(snake.dialect, Dialect::Gemini);
    }

    #[test]
    fn the_ambiguous_body_is_chat_with_low_confidence_and_says_anthropic_fits_too() {
        let c = classify_body(
            json!({"model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}]}),
        );
        assert_eq!(c.dialect, Dialect::ChatCompletions);
        assert_eq!(c.confidence, Confidence::Low);
        assert_eq!(c.also_valid_as, vec![Dialect::Anthropic]);
    }

    #[test]
    fn legacy_completions_is_named_and_not_chat() {
        let c = classify_body(
            json!({"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi", "max_tokens": 5}),
        );
        assert_eq!(c.dialect, Dialect::Unknown);
        assert!(c.evidence[0].why.contains("legacy Completions"));
    }

    #[test]
    fn a_plain_sdk_chat_body_has_no_foreign_dialect() {
        let c = classify_body(json!({
            "model": "gpt-4o", "messages": [{"role": "developer", "content": "d"}, {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}]}],
            "response_format": {"type": "json_object"}, "reasoning_effort": "low"
        }));
        assert_eq!(c.dialect, Dialect::ChatCompletions);
        assert!(c.foreign.is_empty());
        assert_eq!(c.confidence, Confidence::High);
    }
}
