//! Session against session: what changed in the request format between two recordings, per
//! model. A field's (or a tool definition's) shape is the set of `path: type` facts found in it
//! across every request of the model (`/content[]: object`, `/content[]/type = "text"`), so a
//! new part type, a string that became an array, or a new schema property shows up as a fact
//! that appeared or vanished, whatever the conversation's text was.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::capture::Exchange;

/// Keys whose string values are discriminators worth keeping in a shape.
const LITERAL_KEYS: &[&str] = &["type", "role", "object", "syntax"];
/// Deep enough for message parts and tool schemas, bounded against pathological bodies.
const MAX_DEPTH: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDiff {
    pub models: Vec<ModelChanges>,
}

impl SessionDiff {
    pub fn is_empty(&self) -> bool {
        self.models.iter().all(ModelChanges::is_empty)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelChanges {
    pub model: String,
    /// Requests of the model in A and in B.
    pub before: usize,
    pub after: usize,
    /// Top-level request fields.
    pub fields: Vec<ShapeChange>,
    /// Tool definitions, by name.
    pub tools: Vec<ShapeChange>,
}

impl ModelChanges {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.tools.is_empty() && (self.before > 0) == (self.after > 0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapeChange {
    pub name: String,
    pub change: ShapeChangeKind,
    /// Shape facts only in A (`vanished` and `changed`).
    pub removed: Vec<String>,
    /// Shape facts only in B (`appeared` and `changed`).
    pub added: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeChangeKind {
    Appeared,
    Vanished,
    Changed,
}

type Shapes = BTreeMap<String, BTreeSet<String>>;

#[derive(Default)]
struct ModelShapes {
    requests: usize,
    fields: Shapes,
    tools: Shapes,
}

fn collect(exchanges: &[&Exchange]) -> BTreeMap<String, ModelShapes> {
    let mut out: BTreeMap<String, ModelShapes> = BTreeMap::new();
    for exchange in exchanges {
        // Bodies kept as text (not compact JSON on the wire) are JSON all the same.
        let Some(Ok(parsed)) = exchange.request.body.as_ref().map(|b| b.json()) else {
            continue;
        };
        let Value::Object(body) = parsed.as_ref() else {
            continue;
        };
        let model = exchange.model_name().unwrap_or("(none)").to_owned();
        let entry = out.entry(model).or_default();
        entry.requests += 1;
        for (key, value) in body {
            let facts = entry.fields.entry(key.clone()).or_default();
            shape(value, "", 0, facts, false);
        }
        for tool in body
            .get("tools")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = tool
                .pointer("/function/name")
                .or_else(|| tool.get("name"))
                .or_else(|| tool.pointer("/custom/name"))
                .and_then(Value::as_str)
                .unwrap_or("(unnamed)");
            shape(
                tool,
                "",
                0,
                entry.tools.entry(name.to_owned()).or_default(),
                false,
            );
        }
    }
    out
}

/// Add the `path: type` facts of `value` to `facts`. Inside a JSON Schema `properties` object
/// the keys are names worth keeping; elsewhere too, since request keys are the format.
fn shape(value: &Value, path: &str, depth: usize, facts: &mut BTreeSet<String>, literal: bool) {
    let at = if path.is_empty() { "/" } else { path };
    match value {
        Value::Object(map) => {
            facts.insert(format!("{at}: object"));
            if depth >= MAX_DEPTH {
                return;
            }
            for (key, inner) in map {
                let literal = LITERAL_KEYS.contains(&key.as_str());
                shape(
                    inner,
                    &crate::json::join(path, key),
                    depth + 1,
                    facts,
                    literal,
                );
            }
        }
        Value::Array(items) => {
            facts.insert(format!("{at}: array"));
            if depth >= MAX_DEPTH {
                return;
            }
            for item in items {
                shape(item, &format!("{path}[]"), depth + 1, facts, literal);
            }
        }
        Value::String(text) if literal => {
            facts.insert(format!("{at} = {}", Value::String(text.clone())));
        }
        other => {
            facts.insert(format!("{at}: {}", crate::json::kind(other)));
        }
    }
}

fn changes(before: &Shapes, after: &Shapes) -> Vec<ShapeChange> {
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let empty = BTreeSet::new();
            let a = before.get(name);
            let b = after.get(name);
            let removed: Vec<String> = a
                .unwrap_or(&empty)
                .difference(b.unwrap_or(&empty))
                .cloned()
                .collect();
            let added: Vec<String> = b
                .unwrap_or(&empty)
                .difference(a.unwrap_or(&empty))
                .cloned()
                .collect();
            let change = match (a, b) {
                (None, Some(_)) => ShapeChangeKind::Appeared,
                (Some(_), None) => ShapeChangeKind::Vanished,
                _ if removed.is_empty() && added.is_empty() => return None,
                _ => ShapeChangeKind::Changed,
            };
            Some(ShapeChange {
                name: name.clone(),
                change,
                removed,
                added,
            })
        })
        .collect()
}

/// Per model, the request fields and tool definitions that appeared, vanished or changed shape.
pub fn diff_sessions(a: &[&Exchange], b: &[&Exchange]) -> SessionDiff {
    let before = collect(a);
    let after = collect(b);
    let models: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let empty = ModelShapes::default();
    SessionDiff {
        models: models
            .into_iter()
            .map(|model| {
                let x = before.get(model).unwrap_or(&empty);
                let y = after.get(model).unwrap_or(&empty);
                ModelChanges {
                    model: model.clone(),
                    before: x.requests,
                    after: y.requests,
                    fields: changes(&x.fields, &y.fields),
                    tools: changes(&x.tools, &y.tools),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Body, Provenance, ProvenanceKind, Request};
    use serde_json::json;

    fn exchange(body: Value) -> Exchange {
        Exchange::new(
            "s",
            Provenance {
                kind: ProvenanceKind::Recorded,
                source: "t".into(),
            },
            Request {
                method: "POST".into(),
                target: "/v1/chat/completions".into(),
                http_version: "HTTP/1.1".into(),
                headers: vec![],
                body: Some(Body::Json(body)),
                omitted: None,
                encoding_mismatch: None,
            },
        )
    }

    #[test]
    fn fields_and_tools_that_appear_vanish_or_change_shape_are_reported_per_model() {
        let old = exchange(
            json!({"model": "gpt-5.5", "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"type": "function", "function": {"name": "read", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}}],
            "user": "u"}),
        );
        let new = exchange(
            json!({"model": "gpt-5.5", "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
            "tools": [{"type": "function", "function": {"name": "read", "parameters": {"type": "object", "properties": {"path": {"type": "string"}, "lines": {"type": "integer"}}}}},
                      {"type": "custom", "name": "ApplyPatch"}],
            "user": "someone else"}),
        );
        let diff = diff_sessions(&[&old], &[&new]);
        assert_eq!(diff.models.len(), 1);
        let model = &diff.models[0];
        let fields: Vec<(&str, ShapeChangeKind)> = model
            .fields
            .iter()
            .map(|c| (c.name.as_str(), c.change))
            .collect();
        assert!(
            fields.contains(&("input", ShapeChangeKind::Appeared)),
            "{fields:?}"
        );
        assert!(
            fields.contains(&("messages", ShapeChangeKind::Vanished)),
            "{fields:?}"
        );
        assert!(
            fields.contains(&("tools", ShapeChangeKind::Changed)),
            "{fields:?}"
        );
        assert!(
            !fields.iter().any(|(name, _)| *name == "user"),
            "same shape, other text"
        );
        let read = model.tools.iter().find(|t| t.name == "read").unwrap();
        assert_eq!(read.change, ShapeChangeKind::Changed);
        assert!(read.added.iter().any(|f| f.contains("lines")), "{read:?}");
        let patch = model.tools.iter().find(|t| t.name == "ApplyPatch").unwrap();
        assert_eq!(patch.change, ShapeChangeKind::Appeared);
        assert!(diff_sessions(&[&old], &[&old]).is_empty());
    }
}
