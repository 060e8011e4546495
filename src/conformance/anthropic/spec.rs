//! The names the Messages API defines, read off the official Python SDK's types
//! (`anthropic` 2.17.0, `src/anthropic/types`): block, delta and event types, stop reasons,
//! server tool families. The request and answer checks share them.

/// `StopReason` (`stop_reason.py`).
pub(super) const STOP_REASONS: &[&str] = &[
    "end_turn",
    "max_tokens",
    "stop_sequence",
    "tool_use",
    "pause_turn",
    "refusal",
    "model_context_window_exceeded",
];

/// Blocks the answer's `content` may hold (`ContentBlock`), plus the beta blocks
/// (`beta.messages`) a gateway may pass through.
pub(super) const OUTPUT_BLOCKS: &[&str] = &[
    "text",
    "thinking",
    "redacted_thinking",
    "tool_use",
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "code_execution_tool_result",
    "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result",
    "tool_search_tool_result",
    "container_upload",
    "mcp_tool_use",
    "mcp_tool_result",
    "compaction",
];

/// Results of server tools: Anthropic runs the tool and writes the result into the assistant
/// turn, so they pair with `server_tool_use`, not with a client's `tool_result`.
pub(super) const SERVER_RESULT_BLOCKS: &[&str] = &[
    "web_search_tool_result",
    "web_fetch_tool_result",
    "code_execution_tool_result",
    "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result",
    "tool_search_tool_result",
    "mcp_tool_result",
];

/// The delta types of `content_block_delta` (`RawContentBlockDelta`, plus the beta
/// `compaction_delta`), with the blocks each may extend.
pub(super) const DELTAS: &[(&str, &[&str])] = &[
    ("text_delta", &["text"]),
    ("citations_delta", &["text"]),
    (
        "input_json_delta",
        &["tool_use", "server_tool_use", "mcp_tool_use"],
    ),
    ("thinking_delta", &["thinking"]),
    ("signature_delta", &["thinking"]),
    ("compaction_delta", &["compaction"]),
];

/// Stream event types (`RawMessageStreamEvent`, plus `ping` and `error`).
pub(super) const EVENTS: &[&str] = &[
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
];

/// Whether a tool `type` is a dated Anthropic tool (`bash_20250124`, `web_search_20260318`,
/// `computer_toolset_20260801`, …) or one of the undated tool-search aliases.
pub(super) fn is_server_tool_type(kind: &str) -> bool {
    matches!(kind, "tool_search_tool_bm25" | "tool_search_tool_regex")
        || kind.rsplit_once('_').is_some_and(|(family, date)| {
            !family.is_empty()
                && family.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                && date.len() == 8
                && date.bytes().all(|b| b.is_ascii_digit())
        })
}

/// A toolset (`browser_toolset_20260801`) bundles several tools and has no single `name`.
pub(super) fn is_toolset(kind: &str) -> bool {
    kind.contains("_toolset_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_tool_types_are_recognised_and_others_are_not() {
        for kind in [
            "bash_20250124",
            "text_editor_20250728",
            "web_search_20260318",
            "computer_toolset_20260801",
            "tool_search_tool_bm25",
        ] {
            assert!(is_server_tool_type(kind), "{kind}");
        }
        for kind in [
            "function",
            "custom",
            "web_search",
            "bash_2025",
            "Bash_20250124",
        ] {
            assert!(!is_server_tool_type(kind), "{kind}");
        }
    }
}
