//! What is compared: a view of an exchange as JSON, with a stream reassembled into the message
//! a client ends up with. Chunk boundaries and timing are kept beside the view, not in it, so
//! they can be reported without counting as differences.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::assemble::Assembled;
use crate::capture::{Body, Exchange, Response};
use crate::sse;
use crate::timing::{Timing, first_content_chunk};

/// How a stream was cut into pieces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunking {
    /// Network chunks that arrived.
    pub chunks: usize,
    /// SSE events (the `[DONE]` sentinel included).
    pub events: usize,
    /// Events that carried content or a tool call.
    pub content_events: usize,
}

/// An exchange seen for comparison.
#[derive(Debug, Clone)]
pub struct View {
    pub value: Value,
    pub chunking: Option<Chunking>,
    pub timing: Option<Timing>,
}

/// The comparable view of `exchange`:
///
/// ```json
/// {"request": {"method", "endpoint", "body"},
///  "response": {"status", "kind", "message" | "body", "done", "events"},
///  "error": "reset"}
/// ```
///
/// `endpoint` is the path after the gateway's own prefix (`chat/completions`, `models`), since
/// the two legs of a replay reach different hosts and prefixes by design.
pub fn view(exchange: &Exchange) -> View {
    let request = &exchange.request;
    let mut value = json!({
        "request": {
            "method": request.method,
            "endpoint": endpoint(request.path()),
            "body": request.body.as_ref().map_or(Value::Null, body_value),
        },
        "response": Value::Null,
        "error": exchange.error.as_ref().map(|e| e.kind.as_str()),
    });
    let (mut chunking, mut timing) = (None, None);
    if let Some(response) = &exchange.response {
        let (response_value, cut) = response_view(response);
        value["response"] = response_value;
        chunking = cut;
        timing = Some(Timing::of(response, first_content_chunk(response)));
    }
    View {
        value,
        chunking,
        timing,
    }
}

/// `/t/<token>/v1/chat/completions` and `/api/llm/v1/chat/completions` are both
/// `chat/completions`.
fn endpoint(path: &str) -> String {
    for known in [
        "chat/completions",
        "models",
        "completions",
        "responses",
        "messages",
    ] {
        if path.trim_end_matches('/').ends_with(&format!("/{known}")) {
            return known.to_owned();
        }
    }
    path.to_owned()
}

fn body_value(body: &Body) -> Value {
    match body.json() {
        Ok(value) => value.into_owned(),
        Err(_) => match body {
            Body::Text(text) => Value::String(text.clone()),
            other => Value::String(format!("<{} binary bytes>", other.len())),
        },
    }
}

fn response_view(response: &Response) -> (Value, Option<Chunking>) {
    let mut out = Map::new();
    out.insert("status".into(), json!(response.status));
    if let Some(stream) = &response.stream {
        out.insert("kind".into(), json!("stream"));
        let bytes: Vec<std::borrow::Cow<'_, [u8]>> =
            stream.iter().map(|c| c.data.to_bytes()).collect();
        let parsed = sse::parse_chunks(bytes.iter().map(|b| b.as_ref()));
        let mut assembled = Assembled::default();
        let mut chat_chunks = 0;
        let mut content_events = 0;
        let mut done = false;
        let mut others = Vec::new();
        let mut events = 0;
        for (index, event) in parsed.events().enumerate() {
            events += 1;
            if event.is_done() {
                done = true;
                continue;
            }
            match crate::json::Node::parse(&event.data) {
                Ok(chunk) if chunk.get("choices").is_some() => {
                    chat_chunks += 1;
                    if crate::assemble::carries_content(&chunk) {
                        content_events += 1;
                    }
                    assembled.feed_chunk(index, &chunk);
                }
                Ok(other) => others.push(other.to_value()),
                Err(_) => others.push(Value::String(event.data.clone())),
            }
        }
        if chat_chunks > 0 {
            out.insert("message".into(), message(&assembled));
        }
        out.insert("done".into(), json!(done));
        if !others.is_empty() {
            out.insert("events".into(), Value::Array(others));
        }
        let chunking = Chunking {
            chunks: stream.len(),
            events,
            content_events,
        };
        return (Value::Object(out), Some(chunking));
    }
    match &response.body {
        None => {
            out.insert("kind".into(), json!("empty"));
        }
        Some(body) => {
            let value = body_value(body);
            let is_completion = value.get("choices").is_some_and(Value::is_array);
            out.insert(
                "kind".into(),
                json!(if value.is_string() { "text" } else { "json" }),
            );
            if is_completion {
                out.insert(
                    "message".into(),
                    message(&Assembled::from_completion(&value)),
                );
            } else {
                out.insert("body".into(), value);
            }
        }
    }
    (Value::Object(out), None)
}

/// The assembled message as JSON, choices as an array in index order so pointers read
/// `/response/message/choices/0/content`.
fn message(assembled: &Assembled) -> Value {
    let mut value = serde_json::to_value(assembled).unwrap_or(Value::Null);
    if let Some(choices) = value.get_mut("choices").and_then(Value::as_object_mut) {
        let list: Vec<Value> = std::mem::take(choices)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        value["choices"] = Value::Array(list);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_drop_every_prefix() {
        assert_eq!(
            endpoint("/t/[REDACTED:ab]/v1/chat/completions"),
            "chat/completions"
        );
        assert_eq!(endpoint("/api/llm/v1/chat/completions"), "chat/completions");
        assert_eq!(endpoint("/v1/models/"), "models");
        assert_eq!(endpoint("/other"), "/other");
    }
}
