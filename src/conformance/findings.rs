//! Collecting violations, and the findings every part of the request checker reports the same
//! way: a wrong type, a null where none is allowed, a value outside an enum, a key the spec does
//! not define.

use serde_json::{Map, Value};

use super::{Profile, Rule, Violation};
use crate::dialect::{Classification, Dialect};
use crate::json::{join, kind};

/// Collects violations for one request or response under one profile.
#[derive(Debug)]
pub(crate) struct Findings {
    profile: Profile,
    list: Vec<Violation>,
}

impl Findings {
    pub(crate) fn new(profile: Profile) -> Findings {
        Findings {
            profile,
            list: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, rule: Rule, path: impl Into<String>, message: impl Into<String>) {
        self.push(rule, path.into(), message.into(), None);
    }

    pub(crate) fn add_in(
        &mut self,
        rule: Rule,
        path: impl Into<String>,
        message: impl Into<String>,
        dialect: Option<Dialect>,
    ) {
        self.push(rule, path.into(), message.into(), dialect);
    }

    fn push(&mut self, rule: Rule, path: String, message: String, dialect: Option<Dialect>) {
        self.list.push(Violation {
            code: rule.code().to_owned(),
            severity: rule.severity(self.profile),
            path,
            message,
            dialect,
        });
    }

    pub(crate) fn into_vec(self) -> Vec<Violation> {
        self.list
    }
}

pub fn type_error(findings: &mut Findings, path: &str, expected: &str, value: &Value) {
    findings.add(
        Rule::RequestType,
        path,
        format!(
            "`{}` must be {expected}, got {}",
            display_name(path),
            kind(value)
        ),
    );
}

/// An explicit null on an optional field whose schema has no null. OpenAI has accepted some
/// of these and rejected others over time, and SDKs send them (openai-python allows
/// `tool_calls=None`), so it is its own rule rather than a type error.
pub fn null_not_allowed(findings: &mut Findings, path: &str) {
    findings.add(
        Rule::RequestNull,
        path,
        format!(
            "`{}` is null; the spec does not allow null here (omit the field instead)",
            display_name(path)
        ),
    );
}

pub fn check_enum(findings: &mut Findings, path: &str, value: &Value, values: &[&str]) {
    match value.as_str() {
        Some(s) if values.contains(&s) => {}
        Some(s) => findings.add(
            Rule::RequestEnum,
            path,
            format!(
                "`{}` is '{s}'; expected one of {}",
                display_name(path),
                values.join(", ")
            ),
        ),
        None => type_error(findings, path, "a string", value),
    }
}

/// `messages[1].content` style name for messages.
pub fn display_name(path: &str) -> String {
    let param = super::pointer_to_param(path);
    if param.is_empty() {
        "body".to_owned()
    } else {
        param
    }
}

/// Report keys of a Chat object that Chat does not define, naming the API they come from.
pub fn nested_unknown(
    findings: &mut Findings,
    path: &str,
    map: &Map<String, Value>,
    allowed: &[&str],
) {
    for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
        let owner = match key.as_str() {
            "cache_control" | "input_schema" | "tool_use_id" | "is_error" | "citations" => {
                Some(Dialect::Anthropic)
            }
            "call_id" | "status" | "phase" => Some(Dialect::Responses),
            _ => None,
        };
        let note = owner.map_or(String::new(), |d| format!(" ({} field)", d.with_article()));
        findings.add_in(
            Rule::RequestNestedUnknownField,
            join(path, key),
            format!(
                "`{}` is not a Chat Completions field{note}",
                display_name(&join(path, key))
            ),
            owner,
        );
    }
}

/// A body in another API's dialect than the contract's own gets one headline violation naming
/// its dialect and where the evidence is; the rest of the checks still run.
pub fn report_dialect(classification: &Classification, own: Dialect, findings: &mut Findings) {
    let dialect = classification.dialect;
    if dialect == own || dialect == Dialect::Unknown {
        return;
    }
    let shown: Vec<String> = classification
        .evidence
        .iter()
        .filter(|e| e.dialect == dialect)
        .take(3)
        .map(|e| e.path.clone())
        .collect();
    // A Chat body is Chat by default, with no marker to point at.
    let evidence = if shown.is_empty() {
        String::new()
    } else {
        format!(" (evidence at {})", shown.join(", "))
    };
    findings.add_in(
        Rule::RequestDialect,
        "",
        format!(
            "body is {} request, not {}{evidence}",
            dialect.with_article(),
            own.api_name(),
        ),
        Some(dialect),
    );
}
