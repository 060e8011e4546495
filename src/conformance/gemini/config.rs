//! `generationConfig`: the ranges the reference gives, the thinking settings that exclude each
//! other, and structured output that needs its MIME type.

use serde_json::{Map, Value};

use super::walk::{get, object};
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, display_name};
use crate::json::join;

/// `(field, lowest, highest)` as the reference states them: temperature "[0.0, 2.0]", logprobs
/// "[0, 20]", topP a probability, candidateCount a count.
const RANGES: &[(&str, f64, f64)] = &[
    ("temperature", 0.0, 2.0),
    ("topP", 0.0, 1.0),
    ("candidateCount", 1.0, f64::INFINITY),
    ("logprobs", 0.0, 20.0),
];

/// "The set of character sequences (up to 5)".
const MAX_STOP_SEQUENCES: usize = 5;

pub(super) fn check(top: &Map<String, Value>, findings: &mut Findings) {
    let Some((path, config)) = object(top, "", "generationConfig") else {
        return;
    };
    for (name, low, high) in RANGES {
        if let Some((key, value)) = get(config, name)
            && let Some(number) = number(value)
            && !(*low..=*high).contains(&number)
        {
            let at = join(&path, key);
            let range = if high.is_infinite() {
                format!("at least {low}")
            } else {
                format!("between {low} and {high}")
            };
            findings.add(
                Rule::RequestRange,
                at.clone(),
                format!("`{}` is {number}; it must be {range}", display_name(&at)),
            );
        }
    }
    if let Some((key, Value::Array(stops))) = get(config, "stopSequences")
        && stops.len() > MAX_STOP_SEQUENCES
    {
        findings.add(
            Rule::RequestRange,
            join(&path, key),
            format!(
                "{} stop sequences; the API takes at most {MAX_STOP_SEQUENCES}",
                stops.len()
            ),
        );
    }
    check_thinking(config, &path, findings);
    check_structured_output(config, &path, findings);
}

/// A number, or a string holding one (proto3 JSON takes both).
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn check_thinking(config: &Map<String, Value>, path: &str, findings: &mut Findings) {
    let Some((path, thinking)) = object(config, path, "thinkingConfig") else {
        return;
    };
    let budget = get(thinking, "thinkingBudget");
    if let Some((key, value)) = budget
        && let Some(number) = number(value)
        && number < -1.0
    {
        findings.add(
            Rule::RequestRange,
            join(&path, key),
            format!("`thinkingBudget` is {number}; it is a token count, 0 (off) or -1 (dynamic)"),
        );
    }
    if let (Some((key, _)), Some(_)) = (budget, get(thinking, "thinkingLevel")) {
        findings.add(
            Rule::RequestThinking,
            join(&path, key),
            "thinking_budget and thinking_level are not supported together: send `thinkingLevel` (Gemini 3) or `thinkingBudget` (Gemini 2.5), not both",
        );
    }
}

/// A response schema needs a compatible `responseMimeType` (`application/json`), and only one of the two
/// schema forms may be set ("If set, `response_schema` must be omitted").
fn check_structured_output(config: &Map<String, Value>, path: &str, findings: &mut Findings) {
    let schema = get(config, "responseSchema");
    let json_schema =
        get(config, "responseJsonSchema").or_else(|| get(config, "_responseJsonSchema"));
    if let (Some(_), Some((key, _))) = (schema, json_schema) {
        findings.add(
            Rule::RequestResponseFormat,
            join(path, key),
            "`responseSchema` and `responseJsonSchema` are both set; send one",
        );
    }
    let Some((key, _)) = schema.or(json_schema) else {
        return;
    };
    let mime = get(config, "responseMimeType").and_then(|(_, v)| v.as_str());
    // `text/x.enum` is the other compatible type: the answer is one of the schema's enum values.
    if !mime.is_some_and(|m| {
        m.eq_ignore_ascii_case("application/json") || m.eq_ignore_ascii_case("text/x.enum")
    }) {
        findings.add(
            Rule::RequestResponseFormat,
            join(path, key),
            format!(
                "`{key}` needs `responseMimeType: \"application/json\"` (or `text/x.enum`); it is {}",
                mime.map_or("unset".to_owned(), |m| format!("'{m}'"))
            ),
        );
    }
}
