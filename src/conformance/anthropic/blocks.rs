//! Request content blocks (`ContentBlockParam`): which block types a message of each role may
//! hold, and what each block must carry: text, image and document sources, `tool_use`
//! (`id`, `name`, an object `input`), `tool_result` (`tool_use_id`, string or block `content`,
//! `is_error`), `thinking` with its `signature`, `redacted_thinking`, and the server tool blocks.

use serde_json::{Map, Value};

use super::shapes::{Expect, check_cache_control, optional, required, required_str, unknown_keys};
use super::spec::SERVER_RESULT_BLOCKS;
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, check_enum, display_name, type_error};
use crate::dialect::{self, Dialect};
use crate::json::{join, join_index, kind};

/// The role of the message a block is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    User,
    Assistant,
    System,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::System => "system",
        }
    }
}

/// What a block means for pairing tool calls with their results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Pairing {
    /// A `tool_use` block with this id.
    Call(String),
    /// A `tool_result` block answering this id.
    Result(String),
    Other,
}

/// Blocks only the model writes: they may appear in assistant turns only.
const ASSISTANT_ONLY: &[&str] = &[
    "tool_use",
    "thinking",
    "redacted_thinking",
    "server_tool_use",
    "mcp_tool_use",
    "compaction",
];

/// Check one block of a message's `content` (or of `system`, whose role is `System`).
pub(super) fn check_block(
    findings: &mut Findings,
    path: &str,
    block: &Value,
    role: Role,
) -> Pairing {
    let Value::Object(map) = block else {
        type_error(findings, path, "a content block (an object)", block);
        return Pairing::Other;
    };
    let kind = match map.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(other) => {
            type_error(findings, &join(path, "type"), "a string", other);
            return Pairing::Other;
        }
        None => {
            let at = join(path, "type");
            findings.add(
                Rule::RequestMissingField,
                at.clone(),
                format!("`{}`: Field required", display_name(&at)),
            );
            return Pairing::Other;
        }
    };
    let type_path = join(path, "type");
    let misplaced = match role {
        Role::System => kind != "text",
        Role::User => ASSISTANT_ONLY.contains(&kind) || SERVER_RESULT_BLOCKS.contains(&kind),
        Role::Assistant => kind == "tool_result",
    };
    if misplaced && is_anthropic_block(kind) {
        findings.add(
            Rule::RequestContentPart,
            type_path,
            format!("`{kind}` blocks cannot be in a {} message", role.as_str()),
        );
        return Pairing::Other;
    }
    match kind {
        "text" => check_text(findings, path, map),
        "image" => check_image(findings, path, map),
        "document" => check_document(findings, path, map),
        "search_result" => check_search_result(findings, path, map),
        "tool_use" => return check_tool_use(findings, path, map),
        "tool_result" => return check_tool_result(findings, path, map),
        "thinking" => {
            required_str(findings, path, map, "thinking", Rule::RequestMissingField);
            required_str(findings, path, map, "signature", Rule::RequestMissingField);
            unknown_keys(findings, path, map, &["type", "thinking", "signature"]);
        }
        "redacted_thinking" => {
            required_str(findings, path, map, "data", Rule::RequestMissingField);
            unknown_keys(findings, path, map, &["type", "data"]);
        }
        "server_tool_use" => {
            required_str(findings, path, map, "id", Rule::RequestMissingField);
            required_str(findings, path, map, "name", Rule::RequestMissingField);
            if let Some(input) = required(findings, path, map, "input", Rule::RequestMissingField)
                && !input.is_object()
            {
                type_error(findings, &join(path, "input"), "an object", input);
            }
            check_cache_control(findings, path, map);
            unknown_keys(
                findings,
                path,
                map,
                &["type", "id", "name", "input", "cache_control", "caller"],
            );
        }
        "container_upload" => {
            required_str(findings, path, map, "file_id", Rule::RequestMissingField);
            check_cache_control(findings, path, map);
            unknown_keys(findings, path, map, &["type", "file_id", "cache_control"]);
        }
        // Server tool results carry the provider's own result objects, one shape per tool:
        // only what pairs them with their `server_tool_use` is checked.
        _ if SERVER_RESULT_BLOCKS.contains(&kind) => {
            required_str(
                findings,
                path,
                map,
                "tool_use_id",
                Rule::RequestMissingField,
            );
            required(findings, path, map, "content", Rule::RequestMissingField);
            check_cache_control(findings, path, map);
        }
        // Beta blocks (`anthropic-beta`), passed through unchecked.
        "mcp_tool_use" | "compaction" => {}
        other => {
            let owner = dialect::part_type_dialect(other).filter(|d| *d != Dialect::Anthropic);
            let note = owner.map_or(String::new(), |d| {
                format!(" (it is {} part)", d.with_article())
            });
            findings.add_in(
                Rule::RequestContentPart,
                type_path,
                format!("`{other}` is not an Anthropic content block type{note}"),
                owner,
            );
        }
    }
    Pairing::Other
}

/// Whether Anthropic defines this request block type.
fn is_anthropic_block(kind: &str) -> bool {
    matches!(
        kind,
        "text"
            | "image"
            | "document"
            | "search_result"
            | "tool_use"
            | "tool_result"
            | "container_upload"
    ) || ASSISTANT_ONLY.contains(&kind)
        || SERVER_RESULT_BLOCKS.contains(&kind)
}

fn check_text(findings: &mut Findings, path: &str, map: &Map<String, Value>) {
    required_str(findings, path, map, "text", Rule::RequestMissingField);
    optional(findings, path, map, "citations", Expect::Array, true);
    check_cache_control(findings, path, map);
    unknown_keys(
        findings,
        path,
        map,
        &["type", "text", "cache_control", "citations"],
    );
}

fn check_image(findings: &mut Findings, path: &str, map: &Map<String, Value>) {
    if let Some(source) = required(findings, path, map, "source", Rule::RequestMissingField) {
        check_source(
            findings,
            &join(path, "source"),
            source,
            &[
                (
                    "base64",
                    &["image/jpeg", "image/png", "image/gif", "image/webp"],
                ),
                ("url", &[]),
                ("file", &[]),
            ],
        );
    }
    check_cache_control(findings, path, map);
    unknown_keys(
        findings,
        path,
        map,
        &["type", "source", "cache_control", "transformations"],
    );
}

fn check_document(findings: &mut Findings, path: &str, map: &Map<String, Value>) {
    if let Some(source) = required(findings, path, map, "source", Rule::RequestMissingField) {
        check_source(
            findings,
            &join(path, "source"),
            source,
            &[
                ("base64", &["application/pdf"]),
                ("text", &["text/plain"]),
                ("content", &[]),
                ("url", &[]),
                ("file", &[]),
            ],
        );
    }
    optional(findings, path, map, "title", Expect::Str, true);
    optional(findings, path, map, "context", Expect::Str, true);
    optional(findings, path, map, "citations", Expect::Object, true);
    check_cache_control(findings, path, map);
    unknown_keys(
        findings,
        path,
        map,
        &[
            "type",
            "source",
            "cache_control",
            "citations",
            "context",
            "title",
        ],
    );
}

/// An image or document `source`: one of `kinds`, each with the media types it allows (none
/// listed: the source has no `media_type`).
fn check_source(findings: &mut Findings, path: &str, source: &Value, kinds: &[(&str, &[&str])]) {
    let Value::Object(map) = source else {
        return type_error(findings, path, "an object", source);
    };
    let Some(kind) = required(findings, path, map, "type", Rule::RequestMissingField) else {
        return;
    };
    let names: Vec<&str> = kinds.iter().map(|(name, _)| *name).collect();
    let Some((kind, media_types)) = kinds.iter().find(|(name, _)| kind.as_str() == Some(*name))
    else {
        return check_enum(findings, &join(path, "type"), kind, &names);
    };
    let own: &[&str] = match *kind {
        "base64" | "text" => {
            required_str(findings, path, map, "data", Rule::RequestMissingField);
            if let Some(media) =
                required(findings, path, map, "media_type", Rule::RequestMissingField)
            {
                check_enum(findings, &join(path, "media_type"), media, media_types);
            }
            &["type", "media_type", "data"]
        }
        "url" => {
            required_str(findings, path, map, "url", Rule::RequestMissingField);
            &["type", "url"]
        }
        "file" => {
            required_str(findings, path, map, "file_id", Rule::RequestMissingField);
            &["type", "file_id"]
        }
        _ => {
            match required(findings, path, map, "content", Rule::RequestMissingField) {
                Some(Value::String(_)) | None => {}
                Some(Value::Array(blocks)) => {
                    for (i, block) in blocks.iter().enumerate() {
                        check_block(
                            findings,
                            &join_index(&join(path, "content"), i),
                            block,
                            Role::User,
                        );
                    }
                }
                Some(other) => type_error(
                    findings,
                    &join(path, "content"),
                    "a string or an array of content blocks",
                    other,
                ),
            }
            &["type", "content"]
        }
    };
    unknown_keys(findings, path, map, own);
}

fn check_search_result(findings: &mut Findings, path: &str, map: &Map<String, Value>) {
    required_str(findings, path, map, "source", Rule::RequestMissingField);
    required_str(findings, path, map, "title", Rule::RequestMissingField);
    match required(findings, path, map, "content", Rule::RequestMissingField) {
        Some(Value::Array(blocks)) => {
            for (i, block) in blocks.iter().enumerate() {
                let at = join_index(&join(path, "content"), i);
                if block.get("type").and_then(Value::as_str) == Some("text") {
                    check_block(findings, &at, block, Role::User);
                } else {
                    findings.add(
                        Rule::RequestContentPart,
                        at,
                        "a search result's content holds text blocks only",
                    );
                }
            }
        }
        Some(other) => type_error(
            findings,
            &join(path, "content"),
            "an array of text blocks",
            other,
        ),
        None => {}
    }
    optional(findings, path, map, "citations", Expect::Object, false);
    check_cache_control(findings, path, map);
    unknown_keys(
        findings,
        path,
        map,
        &[
            "type",
            "content",
            "source",
            "title",
            "cache_control",
            "citations",
        ],
    );
}

/// `tool_use` (`ToolUseBlockParam`): a malformed call is `request.tool-call`, like a broken
/// Chat `tool_calls` entry.
fn check_tool_use(findings: &mut Findings, path: &str, map: &Map<String, Value>) -> Pairing {
    let id = required_str(findings, path, map, "id", Rule::RequestToolCall);
    required_str(findings, path, map, "name", Rule::RequestToolCall);
    match required(findings, path, map, "input", Rule::RequestToolCall) {
        Some(Value::Object(_)) | None => {}
        Some(Value::String(text)) => findings.add(
            Rule::RequestToolCall,
            join(path, "input"),
            format!(
                "`{}` is a string; Anthropic takes the input as a JSON object, not as JSON text (Chat's `arguments`): '{}'",
                display_name(&join(path, "input")),
                crate::json::shorten(text, 60)
            ),
        ),
        Some(other) => findings.add(
            Rule::RequestToolCall,
            join(path, "input"),
            format!(
                "`{}` must be an object, got {}",
                display_name(&join(path, "input")),
                kind(other)
            ),
        ),
    }
    check_cache_control(findings, path, map);
    unknown_keys(
        findings,
        path,
        map,
        &[
            "type",
            "id",
            "name",
            "input",
            "cache_control",
            "caller",
            "toolset_name",
        ],
    );
    id.map_or(Pairing::Other, |id| Pairing::Call(id.to_owned()))
}

/// `tool_result` (`ToolResultBlockParam`).
fn check_tool_result(findings: &mut Findings, path: &str, map: &Map<String, Value>) -> Pairing {
    let id = required_str(
        findings,
        path,
        map,
        "tool_use_id",
        Rule::RequestMissingField,
    );
    match map.get("content") {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(blocks)) => {
            let content = join(path, "content");
            for (i, block) in blocks.iter().enumerate() {
                let at = join_index(&content, i);
                match block.get("type").and_then(Value::as_str) {
                    Some("text" | "image" | "document" | "search_result") => {
                        check_block(findings, &at, block, Role::User);
                    }
                    // Beta references, kept as the SDK sends them.
                    Some("tool_reference" | "browser_state") => {}
                    Some(other) => findings.add(
                        Rule::RequestContentPart,
                        join(&at, "type"),
                        format!("a tool result's content cannot hold a `{other}` block (text, image, document, search_result)"),
                    ),
                    None => type_error(findings, &at, "a content block with a `type`", block),
                }
            }
        }
        Some(other) => type_error(
            findings,
            &join(path, "content"),
            "a string or an array of content blocks",
            other,
        ),
    }
    optional(findings, path, map, "is_error", Expect::Bool, false);
    check_cache_control(findings, path, map);
    unknown_keys(
        findings,
        path,
        map,
        &[
            "type",
            "tool_use_id",
            "content",
            "is_error",
            "cache_control",
            "toolset_name",
        ],
    );
    id.map_or(Pairing::Other, |id| Pairing::Result(id.to_owned()))
}
