//! Which API contract an endpoint speaks. The method and path of a request decide it, never
//! its body: a Responses body sent to `/chat/completions` is judged as Chat Completions (and
//! breaks), the same body sent to `/responses` as Responses. The body's own dialect is named
//! beside it by the classifier.

use serde::{Deserialize, Serialize};

/// An API contract: the rules a request to an endpoint, and its answer, are held to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Contract {
    /// OpenAI Chat Completions (`POST …/chat/completions`): Cursor's leg, so Cursor's own
    /// rules apply too.
    ChatCompletions,
    /// OpenAI Responses (`POST …/responses`).
    Responses,
    /// Anthropic Messages (`POST …/messages`).
    AnthropicMessages,
    /// Gemini `generateContent` and `streamGenerateContent` (`POST …/models/M:generateContent`).
    Gemini,
    /// A model list (`GET …/models`): Cursor's Verify button.
    Models,
}

impl Contract {
    pub const ALL: [Contract; 5] = [
        Contract::ChatCompletions,
        Contract::Responses,
        Contract::AnthropicMessages,
        Contract::Gemini,
        Contract::Models,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Contract::ChatCompletions => "chat-completions",
            Contract::Responses => "responses",
            Contract::AnthropicMessages => "anthropic-messages",
            Contract::Gemini => "gemini",
            Contract::Models => "models",
        }
    }

    /// The API's name for people.
    pub fn api_name(self) -> &'static str {
        match self {
            Contract::ChatCompletions => "Chat Completions",
            Contract::Responses => "Responses",
            Contract::AnthropicMessages => "Anthropic Messages",
            Contract::Gemini => "Gemini generateContent",
            Contract::Models => "model list",
        }
    }

    /// The contract of `method path` (path without the query), or `None` for an endpoint no
    /// contract covers (embeddings, files, …). Gateways put their own prefixes in front, so the
    /// rule looks at how the path ends.
    pub fn for_endpoint(method: &str, path: &str) -> Option<Contract> {
        let path = path.trim_end_matches('/');
        let last = path.rsplit('/').next().unwrap_or("");
        if method.eq_ignore_ascii_case("GET") {
            return (last == "models").then_some(Contract::Models);
        }
        if !method.eq_ignore_ascii_case("POST") {
            return None;
        }
        if path.ends_with("/chat/completions") {
            return Some(Contract::ChatCompletions);
        }
        if last == "responses" {
            return Some(Contract::Responses);
        }
        if last == "messages" {
            return Some(Contract::AnthropicMessages);
        }
        match gemini_action(path) {
            Some((_, "generateContent" | "streamGenerateContent")) => Some(Contract::Gemini),
            _ => None,
        }
    }
}

impl std::fmt::Display for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `(model, action)` of a Gemini method path: `…/models/gemini-2.5-pro:generateContent` gives
/// `("gemini-2.5-pro", "generateContent")`. Tuned models (`tunedModels/x`) count too.
pub fn gemini_action(path: &str) -> Option<(&str, &str)> {
    let path = path.split('?').next().unwrap_or(path);
    let last = path.rsplit('/').next()?;
    let (model, action) = last.split_once(':')?;
    let parent = path[..path.len() - last.len()].trim_end_matches('/');
    let collection = parent.rsplit('/').next()?;
    (matches!(collection, "models" | "tunedModels") && !model.is_empty() && !action.is_empty())
        .then_some((model, action))
}

/// Whether a request path asks for a stream by itself (Gemini's `:streamGenerateContent`); the
/// other contracts ask in the body (`stream: true`).
pub fn path_asks_for_stream(path: &str) -> bool {
    matches!(gemini_action(path), Some((_, "streamGenerateContent")))
}

/// Whether a request target (path and query) asks for a stream delivered as one JSON array:
/// Gemini's `:streamGenerateContent` without `alt=sse`. Google answers that with `[{…},{…}]`,
/// one `GenerateContentResponse` per element, and with an event stream only when the query
/// says `alt=sse` (`$alt` is the same system parameter).
pub fn stream_is_json_array(target: &str) -> bool {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    path_asks_for_stream(path)
        && !query.split('&').any(|pair| {
            matches!(pair.split_once('='), Some(("alt" | "$alt", value)) if value.eq_ignore_ascii_case("sse"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_and_path_decide_the_contract() {
        for (method, path, expected) in [
            (
                "POST",
                "/v1/chat/completions",
                Some(Contract::ChatCompletions),
            ),
            (
                "POST",
                "/api/llm/v1/chat/completions/",
                Some(Contract::ChatCompletions),
            ),
            (
                "POST",
                "/t/abc/v1/chat/completions",
                Some(Contract::ChatCompletions),
            ),
            ("POST", "/v1/responses", Some(Contract::Responses)),
            ("POST", "/openai/responses", Some(Contract::Responses)),
            ("POST", "/v1/messages", Some(Contract::AnthropicMessages)),
            (
                "POST",
                "/anthropic/v1/messages",
                Some(Contract::AnthropicMessages),
            ),
            (
                "POST",
                "/v1beta/models/gemini-2.5-pro:generateContent",
                Some(Contract::Gemini),
            ),
            (
                "POST",
                "/v1beta/models/gemini-2.5-pro:streamGenerateContent",
                Some(Contract::Gemini),
            ),
            ("GET", "/v1/models", Some(Contract::Models)),
            ("GET", "/v1/models/", Some(Contract::Models)),
            ("POST", "/v1/embeddings", None),
            ("POST", "/v1beta/models/x:countTokens", None),
            ("GET", "/v1/chat/completions", None),
            ("POST", "/v1/messages/count_tokens", None),
        ] {
            assert_eq!(
                Contract::for_endpoint(method, path),
                expected,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn gemini_paths_carry_the_model_and_the_streaming_choice() {
        assert_eq!(
            gemini_action("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"),
            Some(("gemini-2.5-pro", "streamGenerateContent"))
        );
        assert_eq!(
            gemini_action("/v1beta/tunedModels/my-model-7:generateContent"),
            Some(("my-model-7", "generateContent"))
        );
        assert_eq!(gemini_action("/v1/chat/completions"), None);
        assert_eq!(gemini_action("/v1beta/files/x:download"), None);
        assert!(path_asks_for_stream(
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent"
        ));
        assert!(!path_asks_for_stream(
            "/v1beta/models/gemini-2.5-pro:generateContent"
        ));
    }

    #[test]
    fn a_gemini_stream_without_alt_sse_is_a_json_array() {
        let stream = "/v1beta/models/gemini-2.5-pro:streamGenerateContent";
        assert!(stream_is_json_array(stream));
        assert!(stream_is_json_array(&format!("{stream}?alt=json")));
        assert!(!stream_is_json_array(&format!("{stream}?alt=sse")));
        assert!(!stream_is_json_array(&format!("{stream}?key=x&$alt=SSE")));
        assert!(!stream_is_json_array(
            "/v1beta/models/gemini-2.5-pro:generateContent"
        ));
        assert!(!stream_is_json_array("/v1/chat/completions"));
    }
}
