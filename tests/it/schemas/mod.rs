//! The checked-in JSON Schemas are the contracts users and CI read: every capture under
//! `captures/` and everything the tool writes must match them, and they must refuse what the
//! tool refuses (a schema that accepts anything would pass every other test here).

/// The capture schema: every capture under `captures/`, what the tool writes, what it refuses.
mod capture;
/// The run.json and diff schemas: real output of `replay` and `diff`, broken documents.
mod replay;
/// The check-results schema: real `check --format json` output, broken documents.
mod results;

use std::fs;

use cursor_harness::capture::input::{InputKind, load_bytes};
use jsonschema::Validator;
use serde_json::Value;

use crate::support;

pub(crate) const CAPTURE_SCHEMA: &str = "schemas/capture.v1.schema.json";
pub(crate) const RESULTS_SCHEMA: &str = "schemas/check-results.schema.json";

/// Compile a checked-in schema as draft 2020-12 (which also checks it against the meta-schema).
pub(crate) fn schema(relative: &str) -> Validator {
    let path = support::project_path(relative);
    let text = fs::read_to_string(&path).unwrap_or_else(|err| panic!("{relative}: {err}"));
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{relative}: not JSON: {err}"));
    for key in ["$id", "title", "description"] {
        assert!(value[key].is_string(), "{relative} has no {key}");
    }
    jsonschema::draft202012::new(&value)
        .unwrap_or_else(|err| panic!("{relative} is not a valid 2020-12 schema: {err}"))
}

/// Every way `instance` breaks the schema, one line each: `instance path: what`.
pub(crate) fn violations(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|err| format!("{}: {err}", err.instance_path()))
        .collect()
}

pub(crate) fn assert_matches(validator: &Validator, instance: &Value, what: &str, schema: &str) {
    let found = violations(validator, instance);
    assert!(
        found.is_empty(),
        "{what} does not match {schema}:\n  {}",
        found.join("\n  ")
    );
}

/// Whether the tool's own reader takes these bytes as a capture.
pub(crate) fn reader_accepts(origin: &str, bytes: &[u8]) -> Result<(), String> {
    let mut loaded = load_bytes(origin, bytes);
    if loaded.len() != 1 {
        return Err(format!(
            "{origin}: read as {} exchanges (a HAR file?)",
            loaded.len()
        ));
    }
    let loaded = loaded.remove(0);
    match (loaded.kind, loaded.result) {
        (InputKind::Capture, Ok(_)) => Ok(()),
        (kind, Ok(_)) => Err(format!("{origin}: read as {kind:?}, not as a capture")),
        (_, Err(why)) => Err(why),
    }
}

/// The first ```json block of a document under `docs/`.
pub(crate) fn documented_example(relative: &str) -> String {
    let text = fs::read_to_string(support::project_path(relative)).unwrap();
    let start = text
        .find("```json\n")
        .unwrap_or_else(|| panic!("{relative} has no example"))
        + 8;
    let end = start + text[start..].find("```").unwrap();
    text[start..end].to_owned()
}
