//! The smaller bodies to try, biggest cuts first: for each object or array, top down, remove
//! half of its members or elements, then a quarter, down to one at a time (the delta debugging
//! of Zeller and Hildebrandt over the JSON tree); then replace each subtree by the smallest
//! value of its type (`{}`, `[]`, `""`, `0`) and shorten each string by half (all but the
//! top-level `model`, which stays as it is when it stays at all). Order is deterministic, so a
//! shrink run is repeatable.

use serde_json::{Map, Value};

use crate::json::{join, join_index};

/// One smaller body and what was done to get it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reduction {
    pub body: Value,
    /// What changed, for the steps list (`removed /tools/1`, `emptied /input/0/content`).
    pub step: String,
}

/// Every reduction of `body`, in the order to try them.
pub fn reductions(body: &Value) -> Vec<Reduction> {
    let mut out = Vec::new();
    let mut containers = Vec::new();
    collect(body, "", &mut containers);
    // Removing members and elements first, shallowest containers first.
    containers.sort_by_key(|(pointer, _)| pointer.matches('/').count());
    for (pointer, len) in &containers {
        // Half of the members, then a quarter, … down to one at a time.
        let mut sizes = Vec::new();
        let mut size = (len / 2).max(1);
        loop {
            sizes.push(size);
            if size == 1 {
                break;
            }
            size /= 2;
        }
        for size in sizes {
            let mut start = 0;
            while start < *len {
                let end = (start + size).min(*len);
                if let Some(reduced) = without_range(body, pointer, start, end) {
                    let step = if end - start == 1 {
                        format!("removed {}", child_pointer(body, pointer, start))
                    } else {
                        format!("removed {} items of {}", end - start, shown(pointer))
                    };
                    out.push(Reduction {
                        body: reduced,
                        step,
                    });
                }
                start = end;
            }
        }
    }
    // Then simplifying values in place, shallowest first.
    let mut leaves = Vec::new();
    values(body, "", &mut leaves);
    leaves.sort_by_key(|pointer| pointer.matches('/').count());
    for pointer in leaves {
        // The model routes the request on a real gateway; an emptied one tests routing, not
        // the failure, and a reproducer without it tells a reader nothing.
        if pointer == "/model" {
            continue;
        }
        let Some(value) = body.pointer(&pointer) else {
            continue;
        };
        let simpler: Vec<(Value, &str)> = match value {
            Value::Object(map) if !map.is_empty() => vec![(Value::Object(Map::new()), "emptied")],
            Value::Array(items) if !items.is_empty() => vec![(Value::Array(Vec::new()), "emptied")],
            Value::String(text) if !text.is_empty() => {
                let half: String = text.chars().take(text.chars().count() / 2).collect();
                let mut options = vec![(Value::String(String::new()), "emptied")];
                if !half.is_empty() {
                    options.push((Value::String(half), "halved"));
                }
                options
            }
            Value::Number(n) if n.as_f64() != Some(0.0) => vec![(Value::from(0), "zeroed")],
            _ => Vec::new(),
        };
        for (replacement, what) in simpler {
            let mut reduced = body.clone();
            if let Some(slot) = reduced.pointer_mut(&pointer) {
                *slot = replacement;
                out.push(Reduction {
                    body: reduced,
                    step: format!("{what} {}", shown(&pointer)),
                });
            }
        }
    }
    out
}

fn shown(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the body"
    } else {
        pointer
    }
}

fn child_pointer(body: &Value, pointer: &str, index: usize) -> String {
    match body.pointer(pointer) {
        Some(Value::Object(map)) => map
            .keys()
            .nth(index)
            .map_or_else(|| pointer.to_owned(), |key| join(pointer, key)),
        _ => join_index(pointer, index),
    }
}

/// Every object and array with more than nothing in it, with its length.
fn collect(value: &Value, pointer: &str, out: &mut Vec<(String, usize)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push((pointer.to_owned(), map.len()));
            for (key, inner) in map {
                collect(inner, &join(pointer, key), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            out.push((pointer.to_owned(), items.len()));
            for (index, inner) in items.iter().enumerate() {
                collect(inner, &join_index(pointer, index), out);
            }
        }
        _ => {}
    }
}

/// Every value below the root.
fn values(value: &Value, pointer: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (join(pointer, k), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (join_index(pointer, i), v))
            .collect(),
        _ => return,
    };
    for (child, inner) in children {
        out.push(child.clone());
        values(inner, &child, out);
    }
}

/// `body` with members or elements `start..end` of the container at `pointer` removed.
fn without_range(body: &Value, pointer: &str, start: usize, end: usize) -> Option<Value> {
    let mut reduced = body.clone();
    match reduced.pointer_mut(pointer)? {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().skip(start).take(end - start).cloned().collect();
            for key in keys {
                map.shift_remove(&key);
            }
        }
        Value::Array(items) => {
            items.drain(start..end);
        }
        _ => return None,
    }
    Some(reduced)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn big_cuts_come_first_and_every_single_cut_is_tried() {
        let body = json!({"a": 1, "b": [1, 2, 3, 4], "c": "xyz"});
        let steps: Vec<String> = reductions(&body).into_iter().map(|r| r.step).collect();
        assert_eq!(steps[0], "removed /a");
        assert!(
            steps
                .iter()
                .position(|s| s == "removed 2 items of /b")
                .unwrap()
                < steps.iter().position(|s| s == "removed /b/0").unwrap()
        );
        for expected in [
            "removed /c",
            "removed /b/3",
            "emptied /b",
            "emptied /c",
            "halved /c",
            "zeroed /a",
        ] {
            assert!(
                steps.iter().any(|s| s == expected),
                "{expected} in {steps:?}"
            );
        }
        // Each reduction is a real, smaller body.
        for reduction in reductions(&body) {
            assert_ne!(reduction.body, body, "{}", reduction.step);
        }
    }
}
