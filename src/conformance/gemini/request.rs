//! Request rules: `GenerateContentRequest`. Names, types and required fields of every message
//! are checked by the tables (`schema.rs`, `walk.rs`); what the tables cannot say is in
//! `turns.rs` (roles, parts, function call and response turns), `tools.rs` (declarations and
//! `toolConfig`) and `config.rs` (`generationConfig`).

use serde_json::Value;

use super::schema::{GENERATION_CONFIG, REQUEST};
use super::walk::{check_known, names, unknown_name};
use super::{config, tools, turns};
use crate::conformance::Rule;
use crate::conformance::findings::{Findings, report_dialect};
use crate::dialect::{self, Classification, Dialect};
use crate::json::kind;

/// Check a request body against the `generateContent` request contract.
pub fn check_request(body: &Value, classification: &Classification, findings: &mut Findings) {
    let Value::Object(top) = body else {
        findings.add(
            Rule::RequestNotJson,
            "",
            format!("request body is a JSON {}, not an object", kind(body)),
        );
        return;
    };
    report_dialect(classification, Dialect::Gemini, findings);
    for key in top.keys() {
        if !REQUEST.fields.iter().any(|f| names(f.name, key)) {
            let hint = top_level_hint(key, classification);
            unknown_name(findings, "", key, &REQUEST, Some(hint));
        }
    }
    check_known(findings, "", top, &REQUEST);
    turns::check(top, findings);
    tools::check(top, findings);
    config::check(top, findings);
}

/// What an unknown top-level name is: a setting in the wrong place (a `generationConfig`
/// field, `stream`), or a field of the API the body is in.
fn top_level_hint(key: &str, classification: &Classification) -> (Option<Dialect>, String) {
    let owner = dialect::top_level_key_dialect(key).or_else(|| {
        (!matches!(classification.dialect, Dialect::Gemini | Dialect::Unknown))
            .then_some(classification.dialect)
    });
    let note = if key == "stream" {
        " (Gemini asks for a stream by path, `:streamGenerateContent?alt=sse`, not in the body)"
            .to_owned()
    } else if let Some(field) = GENERATION_CONFIG.fields.iter().find(|f| names(f.name, key)) {
        format!(
            " (a `generationConfig` field: `generationConfig.{}`)",
            field.name
        )
    } else if let Some(owner) = owner {
        format!(" ({} field)", owner.with_article())
    } else {
        String::new()
    };
    (owner, note)
}
