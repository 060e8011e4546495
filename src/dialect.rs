//! Naming the dialect of a request body, with evidence.
//!
//! Cursor sends one endpoint (`/chat/completions`) bodies in four shapes, so no body is assumed
//! to be Chat Completions. The classifier scores fingerprints (top-level keys, tool shapes,
//! content-part and item types; `reference/schemas.md` §6 of the research notes) per dialect,
//! picks the strongest as the primary dialect and reports every other dialect whose fingerprints
//! also appear as `foreign`. It never decides by "validates against schema X": the Responses
//! schema accepts any object and the Chat schema accepts unknown keys.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::capture::Headers;

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

/// Fingerprint weights: a key only one API defines outweighs a value shape, which outweighs a
/// hint that several APIs share.
const STRONG: u32 = 3;
const SHAPE: u32 = 2;
const HINT: u32 = 1;

/// Top-level keys that belong to one dialect only: (key, dialect, weight, why).
#[rustfmt::skip] // one row per key reads as a table
pub const TOP_LEVEL_KEYS: &[(&str, Dialect, u32, &str)] = &[
    ("input", Dialect::Responses, STRONG, "`input` carries the conversation in the Responses API (Chat uses `messages`)"),
    ("instructions", Dialect::Responses, STRONG, "`instructions` is the Responses API system prompt"),
    ("previous_response_id", Dialect::Responses, STRONG, "`previous_response_id` chains stored Responses"),
    ("max_output_tokens", Dialect::Responses, STRONG, "`max_output_tokens` is the Responses API token limit"),
    ("reasoning", Dialect::Responses, STRONG, "`reasoning` object is Responses (Chat uses flat `reasoning_effort`)"),
    ("include", Dialect::Responses, STRONG, "`include` selects extra Responses output (e.g. reasoning.encrypted_content)"),
    ("truncation", Dialect::Responses, STRONG, "`truncation` is a Responses API setting"),
    ("conversation", Dialect::Responses, STRONG, "`conversation` is a Responses API field"),
    ("background", Dialect::Responses, STRONG, "`background` is a Responses API field"),
    ("max_tool_calls", Dialect::Responses, STRONG, "`max_tool_calls` is a Responses API field"),
    ("text", Dialect::Responses, STRONG, "`text` (format/verbosity) is Responses (Chat uses `response_format`, `verbosity`)"),
    ("context_management", Dialect::Responses, STRONG, "`context_management` is a Responses API field"),
    ("system", Dialect::Anthropic, STRONG, "top-level `system` is Anthropic Messages (Chat puts it in a message)"),
    ("stop_sequences", Dialect::Anthropic, STRONG, "`stop_sequences` is Anthropic (Chat uses `stop`)"),
    ("top_k", Dialect::Anthropic, STRONG, "`top_k` is Anthropic, not Chat"),
    ("thinking", Dialect::Anthropic, STRONG, "`thinking` configures Anthropic extended thinking"),
    ("output_config", Dialect::Anthropic, STRONG, "`output_config` is Anthropic"),
    ("cache_control", Dialect::Anthropic, STRONG, "`cache_control` is Anthropic prompt caching"),
    ("container", Dialect::Anthropic, STRONG, "`container` is Anthropic"),
    ("inference_geo", Dialect::Anthropic, STRONG, "`inference_geo` is Anthropic"),
    ("anthropic_version", Dialect::Anthropic, STRONG, "`anthropic_version` is Anthropic (Bedrock/Vertex form)"),
    ("contents", Dialect::Gemini, STRONG, "`contents` carries the conversation in Gemini generateContent"),
    ("systemInstruction", Dialect::Gemini, STRONG, "`systemInstruction` is Gemini"),
    ("system_instruction", Dialect::Gemini, STRONG, "`system_instruction` is Gemini (proto field name)"),
    ("generationConfig", Dialect::Gemini, STRONG, "`generationConfig` is Gemini"),
    ("generation_config", Dialect::Gemini, STRONG, "`generation_config` is Gemini (proto field name)"),
    ("safetySettings", Dialect::Gemini, STRONG, "`safetySettings` is Gemini"),
    ("safety_settings", Dialect::Gemini, STRONG, "`safety_settings` is Gemini (proto field name)"),
    ("toolConfig", Dialect::Gemini, STRONG, "`toolConfig` is Gemini"),
    ("tool_config", Dialect::Gemini, STRONG, "`tool_config` is Gemini (proto field name)"),
    ("cachedContent", Dialect::Gemini, STRONG, "`cachedContent` is Gemini"),
    ("cached_content", Dialect::Gemini, STRONG, "`cached_content` is Gemini (proto field name)"),
    ("response_format", Dialect::ChatCompletions, SHAPE, "`response_format` is Chat Completions structured output"),
    ("max_completion_tokens", Dialect::ChatCompletions, SHAPE, "`max_completion_tokens` is Chat Completions"),
    ("reasoning_effort", Dialect::ChatCompletions, SHAPE, "flat `reasoning_effort` is Chat Completions"),
    ("verbosity", Dialect::ChatCompletions, SHAPE, "flat `verbosity` is Chat Completions"),
    ("n", Dialect::ChatCompletions, HINT, "`n` is Chat Completions"),
    ("logprobs", Dialect::ChatCompletions, HINT, "`logprobs` is Chat Completions"),
    ("logit_bias", Dialect::ChatCompletions, HINT, "`logit_bias` is Chat Completions"),
    ("presence_penalty", Dialect::ChatCompletions, HINT, "`presence_penalty` is Chat Completions"),
    ("frequency_penalty", Dialect::ChatCompletions, HINT, "`frequency_penalty` is Chat Completions"),
    ("seed", Dialect::ChatCompletions, HINT, "`seed` is Chat Completions"),
    ("modalities", Dialect::ChatCompletions, HINT, "`modalities` is Chat Completions"),
    ("audio", Dialect::ChatCompletions, HINT, "`audio` is Chat Completions"),
    ("prediction", Dialect::ChatCompletions, HINT, "`prediction` is Chat Completions"),
    ("web_search_options", Dialect::ChatCompletions, HINT, "`web_search_options` is Chat Completions"),
    ("functions", Dialect::ChatCompletions, HINT, "`functions` is (deprecated) Chat Completions"),
    ("function_call", Dialect::ChatCompletions, HINT, "`function_call` is (deprecated) Chat Completions"),
    ("stop", Dialect::ChatCompletions, HINT, "`stop` is Chat Completions (Anthropic uses `stop_sequences`)"),
];

/// Which dialect a top-level key belongs to, if only one defines it.
pub fn top_level_key_dialect(key: &str) -> Option<Dialect> {
    TOP_LEVEL_KEYS
        .iter()
        .find(|(name, ..)| *name == key)
        .map(|(_, dialect, ..)| *dialect)
}

/// Responses API hosted tool types (every `Tool` kind except `function` and `custom`).
const RESPONSES_HOSTED_TOOLS: &[&str] = &[
    "file_search",
    "web_search",
    "web_search_2025_08_26",
    "web_search_preview",
    "web_search_preview_2025_03_11",
    "computer",
    "computer_use_preview",
    "mcp",
    "code_interpreter",
    "programmatic_tool_calling",
    "image_generation",
    "local_shell",
    "shell",
    "namespace",
    "tool_search",
    "apply_patch",
];

/// Responses input item types that are not messages.
const RESPONSES_ITEM_TYPES: &[&str] = &[
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "reasoning",
    "item_reference",
    "computer_call",
    "computer_call_output",
    "web_search_call",
    "file_search_call",
    "local_shell_call",
    "local_shell_call_output",
    "mcp_call",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "image_generation_call",
    "code_interpreter_call",
    "shell_call",
    "shell_call_output",
    "apply_patch_call",
    "apply_patch_call_output",
];

/// Which dialect a content part (or block) `type` belongs to, when only one uses it.
pub fn part_type_dialect(kind: &str) -> Option<Dialect> {
    match kind {
        "image_url" | "input_audio" | "file" | "refusal" => Some(Dialect::ChatCompletions),
        "input_text" | "input_image" | "input_file" | "output_text" | "summary_text" => {
            Some(Dialect::Responses)
        }
        "tool_use"
        | "tool_result"
        | "thinking"
        | "redacted_thinking"
        | "document"
        | "search_result"
        | "server_tool_use"
        | "web_search_tool_result"
        | "mid_conv_system"
        | "container_upload" => Some(Dialect::Anthropic),
        _ => None,
    }
}

/// Which dialect a tool definition's shape belongs to, with the reason.
pub fn tool_shape(tool: &Map<String, Value>) -> Option<(Dialect, u32, &'static str)> {
    let kind = tool.get("type").and_then(Value::as_str);
    if tool.contains_key("functionDeclarations") || tool.contains_key("function_declarations") {
        return Some((
            Dialect::Gemini,
            STRONG,
            "Gemini tool with `functionDeclarations`",
        ));
    }
    if tool.contains_key("input_schema") {
        return Some((
            Dialect::Anthropic,
            SHAPE,
            "Anthropic tool: `input_schema`, no `function` wrapper",
        ));
    }
    match kind {
        Some("function") if tool.get("function").is_some_and(Value::is_object) => Some((
            Dialect::ChatCompletions,
            SHAPE,
            "Chat function tool: definition nested under `function`",
        )),
        Some("function") if tool.contains_key("name") => Some((
            Dialect::Responses,
            SHAPE,
            "flat function tool (`name` at top level, no `function` object) is the Responses shape",
        )),
        Some("custom") if tool.get("custom").is_some_and(Value::is_object) => Some((
            Dialect::ChatCompletions,
            SHAPE,
            "Chat custom tool: definition nested under `custom`",
        )),
        Some("custom") if tool.contains_key("name") || tool.contains_key("format") => Some((
            Dialect::Responses,
            SHAPE,
            "flat custom tool (`name`/`format` at top level) is the Responses shape",
        )),
        Some(hosted) if RESPONSES_HOSTED_TOOLS.contains(&hosted) => Some((
            Dialect::Responses,
            SHAPE,
            "hosted tool type of the Responses API",
        )),
        Some(dated) if is_dated_anthropic_tool(dated) => Some((
            Dialect::Anthropic,
            SHAPE,
            "dated Anthropic server/client tool type",
        )),
        _ => None,
    }
}

fn is_dated_anthropic_tool(kind: &str) -> bool {
    // e.g. bash_20250124, text_editor_20250728, computer_20241022
    kind.rsplit_once('_')
        .is_some_and(|(_, date)| date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()))
        && !RESPONSES_HOSTED_TOOLS.contains(&kind)
}

/// Which dialect a `tool_choice` object belongs to.
pub fn tool_choice_shape(choice: &Map<String, Value>) -> Option<(Dialect, &'static str)> {
    match choice.get("type").and_then(Value::as_str) {
        Some("auto" | "any" | "tool" | "none") => Some((
            Dialect::Anthropic,
            "`tool_choice` as an object with type auto/any/tool/none is Anthropic",
        )),
        Some("function") if choice.get("function").is_some_and(Value::is_object) => Some((
            Dialect::ChatCompletions,
            "`tool_choice` naming a function under `function` is Chat",
        )),
        Some("function") if choice.contains_key("name") => Some((
            Dialect::Responses,
            "flat `tool_choice` {type: function, name} is the Responses shape",
        )),
        Some("allowed_tools") if choice.contains_key("allowed_tools") => Some((
            Dialect::ChatCompletions,
            "`tool_choice` allowed_tools nested under `allowed_tools` is Chat",
        )),
        Some("allowed_tools") if choice.contains_key("mode") => Some((
            Dialect::Responses,
            "flat `tool_choice` allowed_tools is the Responses shape",
        )),
        Some(hosted) if RESPONSES_HOSTED_TOOLS.contains(&hosted) => Some((
            Dialect::Responses,
            "`tool_choice` naming a hosted tool is Responses",
        )),
        _ => None,
    }
}

/// Collects evidence, keeping the first path and a count for each distinct reason.
#[derive(Default)]
struct Collector {
    found: Vec<(Evidence, u32)>,
    index: BTreeMap<(Dialect, String), usize>,
}

impl Collector {
    fn add(&mut self, path: impl FnOnce() -> String, dialect: Dialect, weight: u32, why: &str) {
        let key = (dialect, why.to_owned());
        if let Some(&at) = self.index.get(&key) {
            self.found[at].0.count += 1;
            return;
        }
        self.index.insert(key, self.found.len());
        self.found.push((
            Evidence {
                path: path(),
                dialect,
                why: why.to_owned(),
                count: 1,
            },
            weight,
        ));
    }

    fn score(&self, dialect: Dialect) -> u32 {
        self.found
            .iter()
            .filter(|(evidence, _)| evidence.dialect == dialect)
            .map(|(_, weight)| weight)
            .sum()
    }
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

fn scan_top_level(top: &Map<String, Value>, found: &mut Collector) {
    for (key, value) in top {
        if let Some((_, dialect, weight, why)) = TOP_LEVEL_KEYS.iter().find(|(k, ..)| k == key) {
            // `text` and `reasoning` only count as Responses markers when they are objects.
            let shaped = match key.as_str() {
                "text" | "reasoning" => value.is_object(),
                _ => true,
            };
            if shaped {
                found.add(|| format!("/{key}"), *dialect, *weight, why);
            }
        }
    }
    if top
        .get("stream_options")
        .and_then(|o| o.get("include_usage"))
        .is_some()
    {
        found.add(
            || "/stream_options/include_usage".to_owned(),
            Dialect::ChatCompletions,
            HINT,
            "`stream_options.include_usage` exists only in Chat Completions",
        );
    }
    if let Some(system) = top.get("system") {
        scan_parts(system, "/system", found);
    }
    if let Some(Value::Array(messages)) = top.get("messages") {
        for (i, message) in messages.iter().enumerate() {
            scan_message(message, &format!("/messages/{i}"), found);
        }
    }
    if let Some(Value::Array(items)) = top.get("input") {
        for (i, item) in items.iter().enumerate() {
            scan_input_item(item, &format!("/input/{i}"), found);
        }
    }
    if let Some(Value::Array(contents)) = top.get("contents") {
        for (i, content) in contents.iter().enumerate() {
            scan_gemini_content(content, &format!("/contents/{i}"), found);
        }
    }
    if let Some(Value::Array(tools)) = top.get("tools") {
        for (i, tool) in tools.iter().enumerate() {
            if let Value::Object(tool) = tool
                && let Some((dialect, weight, why)) = tool_shape(tool)
            {
                found.add(|| format!("/tools/{i}"), dialect, weight, why);
            }
            if let Some(Value::Object(_)) = tool.get("cache_control") {
                found.add(
                    || format!("/tools/{i}/cache_control"),
                    Dialect::Anthropic,
                    SHAPE,
                    "`cache_control` marker (Anthropic prompt caching)",
                );
            }
        }
    }
    if let Some(Value::Object(choice)) = top.get("tool_choice")
        && let Some((dialect, why)) = tool_choice_shape(choice)
    {
        found.add(|| "/tool_choice".to_owned(), dialect, SHAPE, why);
    }
    if top
        .get("service_tier")
        .is_some_and(|tier| tier == "standard_only")
    {
        found.add(
            || "/service_tier".to_owned(),
            Dialect::Anthropic,
            HINT,
            "`service_tier: standard_only` is Anthropic",
        );
    }
}

fn scan_message(message: &Value, path: &str, found: &mut Collector) {
    let Value::Object(message) = message else {
        return;
    };
    match message.get("role").and_then(Value::as_str) {
        Some("developer" | "tool" | "function") => found.add(
            || format!("{path}/role"),
            Dialect::ChatCompletions,
            SHAPE,
            "message role `developer`/`tool`/`function` is Chat Completions",
        ),
        Some("model") => found.add(
            || format!("{path}/role"),
            Dialect::Gemini,
            SHAPE,
            "role `model` is Gemini",
        ),
        _ => {}
    }
    if message.contains_key("tool_call_id") {
        found.add(
            || format!("{path}/tool_call_id"),
            Dialect::ChatCompletions,
            SHAPE,
            "`tool_call_id` on a tool message is Chat Completions",
        );
    }
    if message.contains_key("tool_calls") {
        found.add(
            || format!("{path}/tool_calls"),
            Dialect::ChatCompletions,
            SHAPE,
            "`tool_calls` on an assistant message is Chat Completions",
        );
    }
    if let Some(content) = message.get("content") {
        scan_parts(content, &format!("{path}/content"), found);
    }
}

fn scan_input_item(item: &Value, path: &str, found: &mut Collector) {
    let Value::Object(map) = item else {
        return;
    };
    match map.get("type").and_then(Value::as_str) {
        Some(kind) if RESPONSES_ITEM_TYPES.contains(&kind) => found.add(
            || format!("{path}/type"),
            Dialect::Responses,
            SHAPE,
            "Responses input item type (function_call, reasoning, custom_tool_call, …)",
        ),
        _ => scan_message(item, path, found),
    }
}

fn scan_parts(content: &Value, path: &str, found: &mut Collector) {
    let Value::Array(parts) = content else {
        return;
    };
    for (i, part) in parts.iter().enumerate() {
        let Value::Object(part) = part else {
            continue;
        };
        let kind = part.get("type").and_then(Value::as_str);
        if let Some(kind) = kind
            && let Some(dialect) = part_type_dialect(kind)
        {
            found.add(
                || format!("{path}/{i}/type"),
                dialect,
                SHAPE,
                match dialect {
                    Dialect::ChatCompletions => "Chat content part type (image_url, input_audio, file, refusal)",
                    Dialect::Responses => "Responses content part type (input_text, input_image, input_file, output_text)",
                    _ => "Anthropic content block (tool_use, tool_result, thinking, document, …)",
                },
            );
        }
        if kind == Some("image") && part.contains_key("source") {
            found.add(
                || format!("{path}/{i}/source"),
                Dialect::Anthropic,
                SHAPE,
                "image block with `source` is Anthropic",
            );
        }
        if part.get("cache_control").is_some_and(Value::is_object) {
            found.add(
                || format!("{path}/{i}/cache_control"),
                Dialect::Anthropic,
                SHAPE,
                "`cache_control` marker (Anthropic prompt caching)",
            );
        }
        if kind.is_none() && GEMINI_PART_KEYS.iter().any(|key| part.contains_key(*key)) {
            found.add(
                || format!("{path}/{i}"),
                Dialect::Gemini,
                SHAPE,
                "content part without `type` (its key names the kind) is Gemini",
            );
        }
    }
}

const GEMINI_PART_KEYS: &[&str] = &[
    "inlineData",
    "inline_data",
    "fileData",
    "file_data",
    "functionCall",
    "function_call",
    "functionResponse",
    "function_response",
];

fn scan_gemini_content(content: &Value, path: &str, found: &mut Collector) {
    if content.get("role").and_then(Value::as_str) == Some("model") {
        found.add(
            || format!("{path}/role"),
            Dialect::Gemini,
            SHAPE,
            "role `model` is Gemini",
        );
    }
    if let Some(Value::Array(parts)) = content.get("parts") {
        for (i, part) in parts.iter().enumerate() {
            if part.get("type").is_none() && part.is_object() {
                found.add(
                    || format!("{path}/parts/{i}"),
                    Dialect::Gemini,
                    SHAPE,
                    "content part without `type` (its key names the kind) is Gemini",
                );
            }
        }
    }
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
