//! The request (`MessageCreateParams`): the top-level fields, which Anthropic's schema closes
//! (`additionalProperties: false`), the three it requires (`model`, `messages`, `max_tokens`),
//! `system`, `metadata`, `stop_sequences`, the sampling ranges and `output_config`. Messages
//! are in `messages.rs`, tools in `tools.rs`, the thinking configuration in `thinking.rs`.
//!
//! The field list is the SDK's (`anthropic` 2.17.0 `types/message_create_params.py` and the
//! body `messages.create` sends), plus the sampling fields of the API reference the 2.17 types
//! no longer carry (`temperature` 0–1, `top_p`, `top_k`), plus the fields of the beta surface
//! (`beta.messages.create`), which need an `anthropic-beta` header this check cannot see.

use serde_json::{Map, Value};

use super::blocks::{Role, check_block};
use super::messages::check_messages;
use super::shapes::{Expect, check_cache_control_value, optional, unknown_keys};
use super::thinking::check_thinking;
use super::tools::{check_tool_choice, check_tools};
use crate::conformance::Rule;
use crate::conformance::fields::{Field, Spec, check_spec, field};
use crate::conformance::findings::{self, Findings, check_enum, type_error};
use crate::conformance::is_chat_field;
use crate::dialect::{self, Classification, Dialect};
use crate::json::{join, join_index, kind};

/// The fields the API requires.
const REQUIRED: &[&str] = &["model", "messages", "max_tokens"];

/// Every top-level field: the SDK's `messages.create` body, the sampling fields, the beta
/// fields. `nullable` is the SDK's `Optional[…]`; a null anywhere else is a type error, as the
/// API's own validation words it ("Input should be a valid string").
#[rustfmt::skip] // one row per field reads as a table
const FIELDS: &[Field] = &[
    field("model", Spec::Str, false),
    field("messages", Spec::Custom(check_messages), false),
    field("max_tokens", Spec::Int { min: 0, max: i64::MAX }, false),
    field("stream", Spec::Bool, false),
    field("system", Spec::Custom(check_system), false),
    field("metadata", Spec::Custom(check_metadata), false),
    field("stop_sequences", Spec::Custom(check_stop_sequences), false),
    field("temperature", Spec::Num { min: 0.0, max: 1.0 }, false),
    field("top_p", Spec::Num { min: 0.0, max: 1.0 }, false),
    field("top_k", Spec::Int { min: 0, max: i64::MAX }, false),
    field("tools", Spec::Custom(check_tools), false),
    field("tool_choice", Spec::Custom(check_tool_choice), false),
    field("thinking", Spec::Custom(check_thinking), false),
    field("output_config", Spec::Custom(check_output_config), false),
    field("cache_control", Spec::Custom(check_cache_control_value), true),
    field("container", Spec::Custom(check_container), true),
    field("diagnostics", Spec::Object, true),
    field("inference_geo", Spec::Str, true),
    field("service_tier", Spec::Enum(&["auto", "standard_only"]), false),
    field("speed", Spec::Enum(&["standard", "fast"]), true),
    // Beta (`anthropic-beta`): accepted, their shapes not checked.
    field("billing_policy", Spec::Custom(beta), true),
    field("compaction", Spec::Custom(beta), true),
    field("context_management", Spec::Custom(beta), true),
    field("fallback_credit_token", Spec::Custom(beta), true),
    field("fallbacks", Spec::Custom(beta), true),
    field("mcp_servers", Spec::Custom(beta), true),
    field("thread", Spec::Custom(beta), true),
];

pub(super) fn check_request(
    body: &Value,
    classification: &Classification,
    findings: &mut Findings,
) {
    let Value::Object(top) = body else {
        findings.add(
            Rule::RequestNotJson,
            "",
            format!("request body is a JSON {}, not an object", kind(body)),
        );
        return;
    };
    report_dialect(classification, findings);
    for required in REQUIRED {
        if !top.contains_key(*required) {
            findings.add(
                Rule::RequestMissingField,
                format!("/{required}"),
                format!("`{required}`: Field required"),
            );
        }
    }
    for (key, value) in top {
        let path = join("", key);
        match FIELDS.iter().find(|f| f.name == key) {
            Some(field) if value.is_null() && field.nullable => {}
            Some(field) => check_spec(&field.spec, findings, &path, value, top),
            None => {
                let owner = dialect::top_level_key_dialect(key)
                    .filter(|d| *d != Dialect::Anthropic)
                    .or_else(|| is_chat_field(key).then_some(Dialect::ChatCompletions));
                let note =
                    owner.map_or(String::new(), |d| format!(" ({} field)", d.with_article()));
                findings.add_in(
                    Rule::RequestUnknownField,
                    path,
                    format!("`{key}`: Extra inputs are not permitted{note}"),
                    owner,
                );
            }
        }
    }
}

fn beta(_: &mut Findings, _: &str, _: &Value, _: &Map<String, Value>) {}

/// A body in another API's dialect gets one headline violation naming it, unless it has no
/// evidence of its own: `{model, max_tokens, messages}` is valid Chat and valid Anthropic.
fn report_dialect(classification: &Classification, findings: &mut Findings) {
    let plain = classification.also_valid_as.contains(&Dialect::Anthropic)
        || !classification
            .evidence
            .iter()
            .any(|e| e.dialect == classification.dialect);
    if !plain {
        findings::report_dialect(classification, Dialect::Anthropic, findings);
    }
}

/// `system`: a string, or text blocks (which may carry `cache_control`).
fn check_system(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    match value {
        Value::String(_) => {}
        Value::Array(blocks) => {
            for (i, block) in blocks.iter().enumerate() {
                check_block(findings, &join_index(path, i), block, Role::System);
            }
        }
        other => type_error(findings, path, "a string or an array of text blocks", other),
    }
}

/// `metadata` (`MetadataParam`): only `user_id`, a string or null. Chat's free-form metadata
/// map is refused.
fn check_metadata(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Object(metadata) = value else {
        return type_error(findings, path, "an object", value);
    };
    optional(findings, path, metadata, "user_id", Expect::Str, true);
    unknown_keys(findings, path, metadata, &["user_id"]);
}

fn check_stop_sequences(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    _: &Map<String, Value>,
) {
    let Value::Array(stops) = value else {
        return type_error(findings, path, "an array of strings", value);
    };
    for (i, stop) in stops.iter().enumerate() {
        if !stop.is_string() {
            type_error(findings, &join_index(path, i), "a string", stop);
        }
    }
}

/// `output_config` (`OutputConfigParam`): `effort` and a JSON-schema `format`.
fn check_output_config(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    let Value::Object(config) = value else {
        return type_error(findings, path, "an object", value);
    };
    if let Some(effort) = config.get("effort").filter(|e| !e.is_null()) {
        check_enum(
            findings,
            &join(path, "effort"),
            effort,
            &["low", "medium", "high", "xhigh", "max"],
        );
    }
    match config.get("format") {
        None | Some(Value::Null) => {}
        Some(Value::Object(format)) => {
            let at = join(path, "format");
            match format.get("type") {
                Some(kind) => check_enum(findings, &join(&at, "type"), kind, &["json_schema"]),
                None => findings.add(
                    Rule::RequestMissingField,
                    join(&at, "type"),
                    "`output_config.format.type`: Field required",
                ),
            }
            match format.get("schema") {
                Some(Value::Object(_)) => {}
                Some(other) => type_error(findings, &join(&at, "schema"), "an object", other),
                None => findings.add(
                    Rule::RequestMissingField,
                    join(&at, "schema"),
                    "`output_config.format.schema`: Field required",
                ),
            }
            unknown_keys(findings, &at, format, &["type", "schema"]);
        }
        Some(other) => type_error(findings, &join(path, "format"), "an object", other),
    }
    unknown_keys(findings, path, config, &["effort", "format"]);
}

/// `container`: a container id, or the parameters of a new one.
fn check_container(findings: &mut Findings, path: &str, value: &Value, _: &Map<String, Value>) {
    if !(value.is_string() || value.is_object()) {
        type_error(findings, path, "a string or an object", value);
    }
}
