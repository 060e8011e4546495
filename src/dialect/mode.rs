//! Which of Cursor's modes a request most likely came from, read from the request alone: the
//! rows of the compatibility matrix are Cursor's formats, and a format is a model, a dialect
//! and a mode (Agent and Ask send different bodies to the same model; background summaries
//! are not streamed; Verify lists models).
//!
//! This is an inference, named as one in the reports: Cursor does not label its requests.

use serde_json::Value;

/// The mode a request most likely came from (`verify`, `agent`, `ask`, `background`, `chat`).
///
/// - `verify`: a request without a body (Cursor's `GET {base}/models`).
/// - `background`: a body that does not ask for a stream (summaries, titles, probes).
/// - `agent`: a streamed body with tools, unless it is Ask's mix.
/// - `ask`: a Chat body (`messages`) whose tools mix nested function tools with a flat
///   Responses-style `custom` tool (Cursor's Ask mode, per LiteLLM's tests against Cursor).
/// - `chat`: a streamed body without tools.
pub fn infer(method: &str, body: Option<&Value>) -> &'static str {
    let Some(body) = body.filter(|_| !method.eq_ignore_ascii_case("GET")) else {
        return "verify";
    };
    if body.get("stream").and_then(Value::as_bool) != Some(true) {
        return "background";
    }
    let tools = body
        .get("tools")
        .and_then(Value::as_array)
        .filter(|tools| !tools.is_empty());
    match tools {
        None => "chat",
        Some(tools) => {
            let chat_body = body.get("messages").is_some();
            let flat_custom = tools
                .iter()
                .any(|t| t.get("type").and_then(Value::as_str) == Some("custom"));
            if chat_body && flat_custom {
                "ask"
            } else {
                "agent"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn modes_follow_what_each_mode_sends() {
        assert_eq!(infer("GET", None), "verify");
        assert_eq!(infer("GET", Some(&json!({}))), "verify");
        assert_eq!(
            infer("POST", Some(&json!({"model": "m", "messages": []}))),
            "background"
        );
        assert_eq!(
            infer(
                "POST",
                Some(
                    &json!({"stream": true, "input": [], "tools": [{"type": "function", "name": "f"}]})
                )
            ),
            "agent"
        );
        assert_eq!(
            infer(
                "POST",
                Some(&json!({"stream": true, "messages": [], "tools": [
                    {"type": "function", "function": {"name": "f"}},
                    {"type": "custom", "name": "ApplyPatch"}
                ]}))
            ),
            "ask"
        );
        assert_eq!(
            infer(
                "POST",
                Some(&json!({"stream": true, "messages": [], "tools": []}))
            ),
            "chat"
        );
    }
}
