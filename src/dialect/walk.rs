//! Walking a body for fingerprints: top-level keys, messages and Responses items, content
//! parts, Gemini contents, tools and `tool_choice`, collecting evidence per dialect.

use crate::json::Member as _;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::fingerprints::{
    GEMINI_PART_KEYS, HINT, RESPONSES_ITEM_TYPES, SHAPE, TOP_LEVEL_KEYS, part_type_dialect,
    tool_choice_shape, tool_shape,
};
use super::{Dialect, Evidence};

/// Collects evidence, keeping the first path and a count for each distinct reason.
#[derive(Default)]
pub(super) struct Collector {
    pub(super) found: Vec<(Evidence, u32)>,
    index: BTreeMap<(Dialect, String), usize>,
}

impl Collector {
    pub(super) fn add(
        &mut self,
        path: impl FnOnce() -> String,
        dialect: Dialect,
        weight: u32,
        why: &str,
    ) {
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

    pub(super) fn score(&self, dialect: Dialect) -> u32 {
        self.found
            .iter()
            .filter(|(evidence, _)| evidence.dialect == dialect)
            .map(|(_, weight)| weight)
            .sum()
    }
}

pub(super) fn scan_top_level(top: &Map<String, Value>, found: &mut Collector) {
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
        .member("stream_options")
        .and_then(|o| o.member("include_usage"))
        .is_some()
    {
        found.add(
            || "/stream_options/include_usage".to_owned(),
            Dialect::ChatCompletions,
            HINT,
            "`stream_options.include_usage` exists only in Chat Completions",
        );
    }
    if let Some(system) = top.member("system") {
        scan_parts(system, "/system", found);
    }
    if let Some(Value::Array(messages)) = top.member("messages") {
        for (i, message) in messages.iter().enumerate() {
            scan_message(message, &format!("/messages/{i}"), found);
        }
    }
    if let Some(Value::Array(items)) = top.member("input") {
        for (i, item) in items.iter().enumerate() {
            scan_input_item(item, &format!("/input/{i}"), found);
        }
    }
    if let Some(Value::Array(contents)) = top.member("contents") {
        for (i, content) in contents.iter().enumerate() {
            scan_gemini_content(content, &format!("/contents/{i}"), found);
        }
    }
    if let Some(Value::Array(tools)) = top.member("tools") {
        for (i, tool) in tools.iter().enumerate() {
            if let Value::Object(tool) = tool
                && let Some((dialect, weight, why)) = tool_shape(tool)
            {
                found.add(|| format!("/tools/{i}"), dialect, weight, why);
            }
            if let Some(Value::Object(_)) = tool.member("cache_control") {
                found.add(
                    || format!("/tools/{i}/cache_control"),
                    Dialect::Anthropic,
                    SHAPE,
                    "`cache_control` marker (Anthropic prompt caching)",
                );
            }
        }
    }
    if let Some(Value::Object(choice)) = top.member("tool_choice")
        && let Some((dialect, why)) = tool_choice_shape(choice)
    {
        found.add(|| "/tool_choice".to_owned(), dialect, SHAPE, why);
    }
    if top
        .member("service_tier")
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
    scan_message_in(message, path, found, Container::Messages);
}

/// Where a message sits: `developer` is a role of Chat `messages` *and* of Responses `input`,
/// so it is Chat evidence only in `messages`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Messages,
    Input,
}

fn scan_message_in(message: &Value, path: &str, found: &mut Collector, container: Container) {
    let Value::Object(message) = message else {
        return;
    };
    match message.member("role").and_then(Value::as_str) {
        Some("developer") if container == Container::Input => {}
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
    if let Some(content) = message.member("content") {
        scan_parts(content, &format!("{path}/content"), found);
    }
}

fn scan_input_item(item: &Value, path: &str, found: &mut Collector) {
    let Value::Object(map) = item else {
        return;
    };
    match map.member("type").and_then(Value::as_str) {
        Some(kind) if RESPONSES_ITEM_TYPES.contains(&kind) => found.add(
            || format!("{path}/type"),
            Dialect::Responses,
            SHAPE,
            "Responses input item type (function_call, reasoning, custom_tool_call, …)",
        ),
        _ => scan_message_in(item, path, found, Container::Input),
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
        let kind = part.member("type").and_then(Value::as_str);
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
        if part.member("cache_control").is_some_and(Value::is_object) {
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

fn scan_gemini_content(content: &Value, path: &str, found: &mut Collector) {
    if content.member("role").and_then(Value::as_str) == Some("model") {
        found.add(
            || format!("{path}/role"),
            Dialect::Gemini,
            SHAPE,
            "role `model` is Gemini",
        );
    }
    if let Some(Value::Array(parts)) = content.member("parts") {
        for (i, part) in parts.iter().enumerate() {
            if part.member("type").is_none() && part.is_object() {
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
