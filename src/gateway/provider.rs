//! The provider profile: the embedded gateway as the provider a gateway under test calls. It
//! speaks each provider's own API at that API's endpoint (OpenAI Chat Completions and
//! Responses, Anthropic Messages, Gemini `generateContent`), judges every request strictly by
//! that endpoint's contract, refuses what the provider would refuse in the provider's own error
//! envelope, and otherwise answers in the provider's shape, streamed or not. Recorded (`record
//! --stub --provider`), what it receives is the provider leg that `legs` compares with the
//! client leg.
//!
//! The answer is decided from what the request means (the neutral conversation), so the same
//! request gets the same answer whatever API it came in: a tool call when a tool is forced, or
//! offered right after a user turn; otherwise a text that says how many turns arrived.

use bytes::Bytes;
use serde_json::{Value, json};

use super::answer::{Plan, Reply, example_for, split_words};
use crate::capture::Contract;
use crate::capture::contract::gemini_action;
use crate::conformance::{self, Profile, Severity, Violation};
use crate::conversation::{self, Conversation, Role, ToolChoice};
use crate::dialect::{self, Dialect};

/// Why the provider refuses a request: the first error its contract finds.
pub fn rejection(body: &Value, contract: Contract) -> Option<Violation> {
    let classification = dialect::classify(body, &Vec::new());
    conformance::check_request(body, &classification, Some(contract), Profile::Strict)
        .into_iter()
        .find(|v| v.severity == Severity::Error)
        .map(|mut violation| {
            // The provider says what is wrong with the body, not which API it resembles.
            if violation.code == "request.dialect" {
                violation.message = format!(
                    "this endpoint takes {} requests; {}",
                    Dialect::of_contract(contract).map_or("its own", Dialect::api_name),
                    violation.message
                );
            }
            violation
        })
}

/// Plan the answer to a request from what it means.
pub fn plan(body: &Value, raw_len: usize, contract: Contract, path: &str) -> Plan {
    let mut plan = Plan::for_request(body, raw_len);
    let dialect = Dialect::of_contract(contract).unwrap_or(Dialect::ChatCompletions);
    if let Some(read) = conversation::read(body, dialect, path) {
        if let Some(model) = &read.model {
            plan.model = model.clone();
        }
        plan.stream = read.stream;
        plan.reply = choose(&read).unwrap_or(plan.reply);
    }
    if contract == Contract::Gemini
        && let Some((model, _)) = gemini_action(path)
    {
        plan.model = model.to_owned();
    }
    plan
}

/// A tool call when one is forced, or offered right after a user turn.
fn choose(read: &Conversation) -> Option<Reply> {
    let tools: Vec<_> = read.tools.iter().filter(|t| !t.hosted).collect();
    if tools.is_empty() {
        return None;
    }
    let choice = read.tool_choice.as_ref().map(|c| &c.value);
    let tool = match choice {
        Some(ToolChoice::None) => return None,
        Some(ToolChoice::Named(name)) => tools.iter().find(|t| &t.name == name)?,
        Some(ToolChoice::Required) => tools[0],
        Some(ToolChoice::Auto) | None => {
            let last = read.turns.last().map(|t| t.role);
            if last != Some(Role::User) {
                return None;
            }
            tools[0]
        }
    };
    let custom = tool.grammar.is_some();
    let arguments = if custom {
        "cursor-harness".to_owned()
    } else {
        example_for(tool.schema.as_ref().unwrap_or(&json!({"type": "object"}))).to_string()
    };
    Some(Reply::ToolCall {
        name: tool.name.clone(),
        custom,
        arguments,
    })
}

fn short_id(plan: &Plan) -> &str {
    plan.id.rsplit('-').next().unwrap_or(&plan.id)
}

fn output_tokens(plan: &Plan) -> u64 {
    match &plan.reply {
        Reply::Text(text) => text.split_whitespace().count() as u64,
        Reply::ToolCall { arguments, .. } => (arguments.len() / 4).max(1) as u64,
    }
}

/// A named SSE event.
fn named(name: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

// ---- OpenAI Responses ----

fn responses_usage(plan: &Plan) -> Value {
    let output = output_tokens(plan);
    json!({"input_tokens": plan.prompt_tokens, "input_tokens_details": {"cached_tokens": 0},
           "output_tokens": output, "output_tokens_details": {"reasoning_tokens": 0},
           "total_tokens": plan.prompt_tokens + output})
}

fn responses_item(plan: &Plan) -> Value {
    let id = short_id(plan);
    match &plan.reply {
        Reply::Text(text) => {
            json!({"id": format!("msg_{id}"), "type": "message", "status": "completed",
            "role": "assistant", "content": [{"type": "output_text", "text": text, "annotations": []}]})
        }
        Reply::ToolCall {
            name,
            custom: true,
            arguments,
        } => json!({"id": format!("ctc_{id}"),
            "type": "custom_tool_call", "status": "completed", "call_id": format!("call_{id}"),
            "name": name, "input": arguments}),
        Reply::ToolCall {
            name, arguments, ..
        } => json!({"id": format!("fc_{id}"),
            "type": "function_call", "status": "completed", "call_id": format!("call_{id}"),
            "name": name, "arguments": arguments}),
    }
}

/// The `response` object: `status` and `output` as given.
fn responses_object(plan: &Plan, status: &str, output: Value, usage: Value) -> Value {
    json!({
        "id": format!("resp_{}", short_id(plan)), "object": "response", "created_at": plan.created,
        "status": status, "error": null, "incomplete_details": null, "instructions": null,
        "max_output_tokens": null, "model": plan.model, "output": output,
        "parallel_tool_calls": true, "previous_response_id": null,
        "reasoning": {"effort": null, "summary": null}, "store": false, "temperature": 1.0,
        "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [], "top_p": 1.0,
        "truncation": "disabled", "usage": usage, "user": null, "metadata": {}
    })
}

pub fn responses_json(plan: &Plan) -> Value {
    responses_object(
        plan,
        "completed",
        json!([responses_item(plan)]),
        responses_usage(plan),
    )
}

pub fn responses_events(plan: &Plan) -> Vec<Bytes> {
    let mut sequence = 0u64;
    let mut events = Vec::new();
    let mut push = |kind: &str, mut data: Value| {
        data["type"] = json!(kind);
        data["sequence_number"] = json!(sequence);
        sequence += 1;
        events.push(named(kind, &data));
    };
    let item = responses_item(plan);
    let item_id = item["id"].as_str().unwrap_or_default().to_owned();
    let mut opened = item.clone();
    opened["status"] = json!("in_progress");
    push(
        "response.created",
        json!({"response": responses_object(plan, "in_progress", json!([]), Value::Null)}),
    );
    push(
        "response.in_progress",
        json!({"response": responses_object(plan, "in_progress", json!([]), Value::Null)}),
    );
    match &plan.reply {
        Reply::Text(text) => {
            opened["content"] = json!([]);
            push(
                "response.output_item.added",
                json!({"output_index": 0, "item": opened}),
            );
            let part = json!({"type": "output_text", "text": "", "annotations": []});
            push(
                "response.content_part.added",
                json!({"item_id": item_id, "output_index": 0, "content_index": 0, "part": part}),
            );
            for piece in split_words(text) {
                push(
                    "response.output_text.delta",
                    json!({"item_id": item_id, "output_index": 0, "content_index": 0, "delta": piece, "logprobs": []}),
                );
            }
            push(
                "response.output_text.done",
                json!({"item_id": item_id, "output_index": 0, "content_index": 0, "text": text, "logprobs": []}),
            );
            push(
                "response.content_part.done",
                json!({"item_id": item_id, "output_index": 0, "content_index": 0,
                "part": {"type": "output_text", "text": text, "annotations": []}}),
            );
        }
        Reply::ToolCall {
            name,
            custom,
            arguments,
        } => {
            let (delta_kind, done_kind, field) = if *custom {
                (
                    "response.custom_tool_call_input.delta",
                    "response.custom_tool_call_input.done",
                    "input",
                )
            } else {
                (
                    "response.function_call_arguments.delta",
                    "response.function_call_arguments.done",
                    "arguments",
                )
            };
            opened[field] = json!("");
            push(
                "response.output_item.added",
                json!({"output_index": 0, "item": opened}),
            );
            push(
                delta_kind,
                json!({"item_id": item_id, "output_index": 0, "delta": arguments}),
            );
            push(
                done_kind,
                json!({"item_id": item_id, "output_index": 0, "name": name, field: arguments}),
            );
        }
    }
    push(
        "response.output_item.done",
        json!({"output_index": 0, "item": item}),
    );
    push(
        "response.completed",
        json!({"response": responses_json(plan)}),
    );
    events
}

// ---- Anthropic Messages ----

fn anthropic_block(plan: &Plan) -> Value {
    match &plan.reply {
        Reply::Text(text) => json!({"type": "text", "text": text}),
        Reply::ToolCall {
            name, arguments, ..
        } => json!({"type": "tool_use",
            "id": format!("toolu_{}", short_id(plan)), "name": name,
            "input": serde_json::from_str::<Value>(arguments).unwrap_or_else(|_| json!({"input": arguments}))}),
    }
}

fn stop_reason(plan: &Plan) -> &'static str {
    match plan.reply {
        Reply::Text(_) => "end_turn",
        Reply::ToolCall { .. } => "tool_use",
    }
}

fn anthropic_message(plan: &Plan, content: Value, stop: Value, output: u64) -> Value {
    json!({"id": format!("msg_{}", short_id(plan)), "type": "message", "role": "assistant",
        "content": content, "model": plan.model, "stop_reason": stop, "stop_sequence": null,
        "usage": {"input_tokens": plan.prompt_tokens, "output_tokens": output}})
}

pub fn anthropic_json(plan: &Plan) -> Value {
    anthropic_message(
        plan,
        json!([anthropic_block(plan)]),
        json!(stop_reason(plan)),
        output_tokens(plan),
    )
}

pub fn anthropic_events(plan: &Plan) -> Vec<Bytes> {
    let event = |kind: &str, mut data: Value| {
        data["type"] = json!(kind);
        named(kind, &data)
    };
    let mut events = vec![event(
        "message_start",
        json!({"message": anthropic_message(plan, json!([]), Value::Null, 1)}),
    )];
    match &plan.reply {
        Reply::Text(text) => {
            events.push(event(
                "content_block_start",
                json!({"index": 0, "content_block": {"type": "text", "text": ""}}),
            ));
            for piece in split_words(text) {
                events.push(event(
                    "content_block_delta",
                    json!({"index": 0, "delta": {"type": "text_delta", "text": piece}}),
                ));
            }
        }
        Reply::ToolCall { .. } => {
            let mut block = anthropic_block(plan);
            let input = block["input"].to_string();
            block["input"] = json!({});
            events.push(event(
                "content_block_start",
                json!({"index": 0, "content_block": block}),
            ));
            events.push(event(
                "content_block_delta",
                json!({"index": 0, "delta": {"type": "input_json_delta", "partial_json": input}}),
            ));
        }
    }
    events.push(event("content_block_stop", json!({"index": 0})));
    events.push(event(
        "message_delta",
        json!({"delta": {"stop_reason": stop_reason(plan), "stop_sequence": null},
        "usage": {"output_tokens": output_tokens(plan)}}),
    ));
    events.push(event("message_stop", json!({})));
    events
}

/// Anthropic's error envelope.
pub fn anthropic_error(message: &str) -> Value {
    json!({"type": "error", "error": {"type": "invalid_request_error", "message": message},
           "request_id": "req_cursor_harness"})
}

// ---- Gemini ----

fn gemini_part(plan: &Plan) -> Value {
    match &plan.reply {
        Reply::Text(text) => json!({"text": text}),
        Reply::ToolCall {
            name, arguments, ..
        } => json!({"functionCall": {"name": name,
            "args": serde_json::from_str::<Value>(arguments).unwrap_or_else(|_| json!({"input": arguments}))}}),
    }
}

fn gemini_usage(plan: &Plan) -> Value {
    let output = output_tokens(plan);
    json!({"promptTokenCount": plan.prompt_tokens, "candidatesTokenCount": output,
           "totalTokenCount": plan.prompt_tokens + output})
}

pub fn gemini_json(plan: &Plan) -> Value {
    json!({"candidates": [{"content": {"role": "model", "parts": [gemini_part(plan)]},
            "finishReason": "STOP", "index": 0}],
           "usageMetadata": gemini_usage(plan), "modelVersion": plan.model,
           "responseId": short_id(plan)})
}

pub fn gemini_events(plan: &Plan) -> Vec<Bytes> {
    let chunk = |parts: Value, last: bool| {
        let mut candidate = json!({"content": {"role": "model", "parts": parts}, "index": 0});
        let mut data = json!({"candidates": [candidate.clone()], "modelVersion": plan.model,
                              "responseId": short_id(plan)});
        if last {
            candidate["finishReason"] = json!("STOP");
            data["candidates"] = json!([candidate]);
            data["usageMetadata"] = gemini_usage(plan);
        }
        Bytes::from(format!("data: {data}\r\n\r\n"))
    };
    match &plan.reply {
        Reply::Text(text) => {
            let pieces = split_words(text);
            let count = pieces.len();
            pieces
                .into_iter()
                .enumerate()
                .map(|(i, piece)| chunk(json!([{"text": piece}]), i + 1 == count))
                .collect()
        }
        Reply::ToolCall { .. } => vec![chunk(json!([gemini_part(plan)]), true)],
    }
}

/// Google's error envelope.
pub fn gemini_error(message: &str) -> Value {
    json!({"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}})
}
