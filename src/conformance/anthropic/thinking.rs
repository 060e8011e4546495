//! `thinking` (`ThinkingConfigParam`): `{type: enabled, budget_tokens, display?}`,
//! `{type: disabled}`, `{type: adaptive, display?}` or `{type: between_tools}`, and what
//! Anthropic refuses beside it. The budget must be at least 1024 and below `max_tokens` (the
//! SDK's own docstring); thinking does not go with a changed `temperature`, with `top_k`, with
//! `top_p` below 0.95, or with a `tool_choice` that forces tool use (the extended-thinking
//! guide, and the API's 400 "Thinking may not be enabled when tool_choice forces tool use").

use serde_json::{Map, Value};

use super::shapes::{required, unknown_keys};
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, check_enum, type_error};
use crate::json::join;

/// The smallest budget Anthropic accepts.
const MIN_BUDGET: i64 = 1024;

pub(super) fn check_thinking(
    findings: &mut Findings,
    path: &str,
    value: &Value,
    top: &Map<String, Value>,
) {
    let Value::Object(config) = value else {
        return type_error(findings, path, "an object", value);
    };
    let Some(kind) = required(findings, path, config, "type", Rule::RequestMissingField) else {
        return;
    };
    let display = |findings: &mut Findings| {
        if let Some(display) = config.get("display").filter(|d| !d.is_null()) {
            check_enum(
                findings,
                &join(path, "display"),
                display,
                &["summarized", "omitted"],
            );
        }
    };
    match kind.as_str() {
        Some("enabled") => {
            check_budget(findings, path, config, top);
            display(findings);
            unknown_keys(
                findings,
                path,
                config,
                &["type", "budget_tokens", "display"],
            );
        }
        Some("adaptive") => {
            display(findings);
            unknown_keys(findings, path, config, &["type", "display"]);
        }
        Some("disabled" | "between_tools") => {
            unknown_keys(findings, path, config, &["type"]);
            return;
        }
        _ => {
            return check_enum(
                findings,
                &join(path, "type"),
                kind,
                &["enabled", "disabled", "adaptive", "between_tools"],
            );
        }
    }
    check_compatibility(findings, top);
}

fn check_budget(
    findings: &mut Findings,
    path: &str,
    config: &Map<String, Value>,
    top: &Map<String, Value>,
) {
    let at = join(path, "budget_tokens");
    let budget = match required(
        findings,
        path,
        config,
        "budget_tokens",
        Rule::RequestMissingField,
    ) {
        None => return,
        Some(budget) => match budget.as_i64() {
            Some(budget) => budget,
            None => return type_error(findings, &at, "an integer", budget),
        },
    };
    if budget < MIN_BUDGET {
        findings.add(
            Rule::RequestThinking,
            at.clone(),
            format!("`thinking.budget_tokens` is {budget}; it must be at least {MIN_BUDGET}"),
        );
    }
    if let Some(max_tokens) = top.get("max_tokens").and_then(Value::as_i64)
        && budget >= max_tokens
    {
        findings.add(
            Rule::RequestThinking,
            at,
            format!("`max_tokens` ({max_tokens}) must be greater than `thinking.budget_tokens` ({budget}): thinking tokens count toward `max_tokens`"),
        );
    }
}

/// What thinking does not go with.
fn check_compatibility(findings: &mut Findings, top: &Map<String, Value>) {
    if let Some(temperature) = top.get("temperature").and_then(Value::as_f64)
        && temperature != 1.0
    {
        findings.add(
            Rule::RequestThinking,
            "/temperature",
            format!(
                "`temperature` is {temperature}; it may only be set to 1 when thinking is enabled"
            ),
        );
    }
    if top.get("top_k").is_some_and(|k| !k.is_null()) {
        findings.add(
            Rule::RequestThinking,
            "/top_k",
            "`top_k` cannot be set when thinking is enabled",
        );
    }
    if let Some(top_p) = top.get("top_p").and_then(Value::as_f64)
        && top_p < 0.95
    {
        findings.add(
            Rule::RequestThinking,
            "/top_p",
            format!("`top_p` is {top_p}; with thinking it must be between 0.95 and 1"),
        );
    }
    if let Some(kind) = top
        .get("tool_choice")
        .and_then(|c| c.get("type"))
        .and_then(Value::as_str)
        && matches!(kind, "any" | "tool")
    {
        findings.add(
            Rule::RequestThinking,
            "/tool_choice/type",
            format!("Thinking may not be enabled when tool_choice forces tool use (`tool_choice.type` is '{kind}'; use auto or none)"),
        );
    }
}
