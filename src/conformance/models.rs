//! The model list (`GET …/models`): what Cursor's Verify button needs back.

use serde_json::Value;

use super::Rule;
use super::findings::Findings;
use crate::capture::{Body, Response};

pub fn check_models(response: &Response, findings: &mut Findings) {
    let value = match response.body.as_ref().map(Body::json) {
        Some(Ok(value)) => value,
        Some(Err(err)) => return findings.add(Rule::ResponseModelsList, "", err.message),
        None => {
            return findings.add(
                Rule::ResponseModelsList,
                "",
                "the models list is empty (no body)",
            );
        }
    };
    if value.get("object").and_then(Value::as_str) != Some("list") {
        findings.add(
            Rule::ResponseModelsList,
            "/object",
            "`object` must be \"list\"",
        );
    }
    let Some(data) = value.get("data").and_then(Value::as_array) else {
        return findings.add(
            Rule::ResponseModelsList,
            "/data",
            "`data` must be an array of models",
        );
    };
    for (i, model) in data.iter().enumerate() {
        if !model.get("id").is_some_and(Value::is_string) {
            findings.add(
                Rule::ResponseModelsList,
                format!("/data/{i}/id"),
                "model entry needs a string `id`",
            );
        }
        if model.get("object").and_then(Value::as_str) != Some("model") {
            findings.add(
                Rule::ResponseModelsList,
                format!("/data/{i}/object"),
                "model entry needs `object: \"model\"`",
            );
        }
    }
}
