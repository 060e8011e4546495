//! The fingerprints: which keys, tool shapes, content-part and item types belong to which API
//! (read off each API's published reference: OpenAI's OpenAPI spec for Chat Completions and
//! Responses, Anthropic's Messages reference, Google's `generateContent` reference), and how
//! much each one weighs.

use crate::json::Member as _;
use serde_json::{Map, Value};

use super::Dialect;

/// Fingerprint weights: a key only one API defines outweighs a value shape, which outweighs a
/// hint that several APIs share.
pub(super) const STRONG: u32 = 3;
pub(super) const SHAPE: u32 = 2;
pub(super) const HINT: u32 = 1;

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
pub(super) const RESPONSES_ITEM_TYPES: &[&str] = &[
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
    // One pass over the tool's few members instead of a hashed lookup per question: a request
    // offers dozens of tools, and each lookup hashed its key.
    let (mut kind, mut gemini, mut input_schema, mut function, mut custom, mut name, mut format) =
        (None, false, false, false, false, false, false);
    for (key, value) in tool {
        match key.as_str() {
            "type" => kind = value.as_str(),
            "functionDeclarations" | "function_declarations" => gemini = true,
            "input_schema" => input_schema = true,
            "function" => function = value.is_object(),
            "custom" => custom = value.is_object(),
            "name" => name = true,
            "format" => format = true,
            _ => {}
        }
    }
    if gemini {
        return Some((
            Dialect::Gemini,
            STRONG,
            "Gemini tool with `functionDeclarations`",
        ));
    }
    if input_schema {
        return Some((
            Dialect::Anthropic,
            SHAPE,
            "Anthropic tool: `input_schema`, no `function` wrapper",
        ));
    }
    match kind {
        Some("function") if function => Some((
            Dialect::ChatCompletions,
            SHAPE,
            "Chat function tool: definition nested under `function`",
        )),
        Some("function") if name => Some((
            Dialect::Responses,
            SHAPE,
            "flat function tool (`name` at top level, no `function` object) is the Responses shape",
        )),
        Some("custom") if custom => Some((
            Dialect::ChatCompletions,
            SHAPE,
            "Chat custom tool: definition nested under `custom`",
        )),
        Some("custom") if name || format => Some((
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
    match choice.member("type").and_then(Value::as_str) {
        Some("auto" | "any" | "tool" | "none") => Some((
            Dialect::Anthropic,
            "`tool_choice` as an object with type auto/any/tool/none is Anthropic",
        )),
        Some("function") if choice.member("function").is_some_and(Value::is_object) => Some((
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

/// Keys that name a Gemini part's kind (it has no `type`), in both JSON casings.
pub(super) const GEMINI_PART_KEYS: &[&str] = &[
    "inlineData",
    "inline_data",
    "fileData",
    "file_data",
    "functionCall",
    "function_call",
    "functionResponse",
    "function_response",
];
