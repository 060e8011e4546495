//! The JSON-aware comparison: walk two values together, object keys by name (so key order never
//! matters), arrays by position, and report each difference as (pointer, before, after) unless
//! a tolerance rule covers its pointer.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json;

/// What a rule allows at its pointer.
#[derive(Debug, Clone)]
pub enum Tolerance {
    /// Not compared at all (nor anything below).
    Ignore,
    /// Equal when both have the same JSON type.
    TypeOnly,
    /// Numbers equal when they differ by at most this much.
    Within(f64),
    /// Numbers equal when the after value lies in this range (inclusive).
    Between(f64, f64),
    /// Strings equal when both match.
    Matches(Regex),
}

/// A tolerance at a pointer pattern: `/a/*/b` (`*` is one segment), `/a/**/b` (any number).
#[derive(Debug, Clone)]
pub struct Rule {
    pub pattern: String,
    segments: Vec<String>,
    pub tolerance: Tolerance,
}

impl Rule {
    pub fn new(pattern: &str, tolerance: Tolerance) -> Result<Rule, String> {
        if !pattern.is_empty() && !pattern.starts_with('/') {
            return Err(format!(
                "{pattern:?} is not a JSON pointer (it must start with '/', e.g. /response/message/usage)"
            ));
        }
        Ok(Rule {
            pattern: pattern.to_owned(),
            segments: split(pattern),
            tolerance,
        })
    }

    fn matches(&self, pointer: &[String]) -> bool {
        matches(&self.segments, pointer)
    }
}

fn split(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer[1..]
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn matches(pattern: &[String], pointer: &[String]) -> bool {
    match pattern.split_first() {
        None => pointer.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=pointer.len()).any(|skip| matches(rest, &pointer[skip..]))
        }
        Some((first, rest)) => match pointer.split_first() {
            Some((segment, tail)) => (first == "*" || first == segment) && matches(rest, tail),
            None => false,
        },
    }
}

/// The tolerance rules of one comparison: the user's first, then (unless volatile fields are
/// kept) the defaults for fields that change on every answer.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub rules: Vec<Rule>,
    /// Whether redaction tokens compare equal whatever their hash (different keys, same role).
    pub mask_redactions: bool,
}

/// Fields that differ between any two answers to the same request.
pub const VOLATILE: &[&str] = &[
    "/response/body/id",
    "/response/events/*/id",
    "/response/message/choices/*/tool_calls/*/id",
    "/**/created",
    "/**/created_at",
    "/**/system_fingerprint",
];

impl Rules {
    pub fn new(mut user: Vec<Rule>, keep_volatile: bool) -> Rules {
        if !keep_volatile {
            for pattern in VOLATILE {
                user.push(Rule::new(pattern, Tolerance::Ignore).expect("volatile patterns parse"));
            }
        }
        Rules {
            rules: user,
            mask_redactions: !keep_volatile,
        }
    }

    fn find(&self, pointer: &[String]) -> Option<&Tolerance> {
        self.rules
            .iter()
            .find(|rule| rule.matches(pointer))
            .map(|rule| &rule.tolerance)
    }

    /// Whether a pointer is ignored (for masking the text diff).
    pub fn ignores(&self, pointer: &[String]) -> bool {
        matches!(self.find(pointer), Some(Tolerance::Ignore))
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// JSON pointer into the compared view.
    pub path: String,
    pub kind: ChangeKind,
    /// `null` when added.
    pub before: Option<Value>,
    /// `null` when removed.
    pub after: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// Every difference between `a` and `b` that the rules do not tolerate.
pub fn compare(a: &Value, b: &Value, rules: &Rules) -> Vec<Change> {
    let mut out = Vec::new();
    walk(&mut Vec::new(), Some(a), Some(b), rules, &mut out);
    out
}

fn walk(
    path: &mut Vec<String>,
    a: Option<&Value>,
    b: Option<&Value>,
    rules: &Rules,
    out: &mut Vec<Change>,
) {
    if let (Some(a), Some(b)) = (a, b)
        && let Some(tolerance) = rules.find(path)
    {
        let tolerated = match tolerance {
            Tolerance::Ignore => true,
            Tolerance::TypeOnly => json::kind(a) == json::kind(b),
            Tolerance::Within(delta) => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() <= *delta,
                _ => false,
            },
            Tolerance::Between(low, high) => b.as_f64().is_some_and(|y| *low <= y && y <= *high),
            Tolerance::Matches(regex) => match (a.as_str(), b.as_str()) {
                (Some(x), Some(y)) => regex.is_match(x) && regex.is_match(y),
                _ => false,
            },
        };
        if tolerated {
            return;
        }
        if !matches!(tolerance, Tolerance::Ignore) {
            return out.push(change(path, Some(a), Some(b)));
        }
    }
    if a.is_none() || b.is_none() {
        if rules.ignores(path) {
            return;
        }
        return out.push(change(path, a, b));
    }
    let (a, b) = (a.unwrap_or(&Value::Null), b.unwrap_or(&Value::Null));
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                path.push(key.clone());
                walk(path, Some(value), y.get(key), rules, out);
                path.pop();
            }
            for (key, value) in y {
                if !x.contains_key(key) {
                    path.push(key.clone());
                    walk(path, None, Some(value), rules, out);
                    path.pop();
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for index in 0..x.len().max(y.len()) {
                path.push(index.to_string());
                walk(path, x.get(index), y.get(index), rules, out);
                path.pop();
            }
        }
        (Value::String(x), Value::String(y)) if rules.mask_redactions => {
            if unredacted(x) != unredacted(y) {
                out.push(change(path, Some(a), Some(b)));
            }
        }
        _ => {
            if a != b {
                out.push(change(path, Some(a), Some(b)));
            }
        }
    }
}

fn change(path: &[String], before: Option<&Value>, after: Option<&Value>) -> Change {
    Change {
        path: pointer(path),
        kind: match (before, after) {
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        },
        before: before.cloned(),
        after: after.cloned(),
    }
}

pub fn pointer(path: &[String]) -> String {
    path.iter()
        .fold(String::new(), |acc, key| json::join(&acc, key))
}

/// Redaction tokens with their hash replaced: two captures redacted with different keys (a
/// golden folder and a run folder) hold different tokens for the same role.
pub fn unredacted(text: &str) -> Cow<'_, str> {
    static TOKEN: OnceLock<Regex> = OnceLock::new();
    let token = TOKEN.get_or_init(|| Regex::new(r"\[REDACTED:[0-9a-f]+\]").expect("regex"));
    token.replace_all(text, "[REDACTED]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> Rules {
        Rules::new(Vec::new(), false)
    }

    #[test]
    fn reordered_objects_are_equal_and_changes_name_their_pointer() {
        let a = json!({"x": 1, "y": {"p": "a", "q": [1, 2]}});
        let b = json!({"y": {"q": [1, 2], "p": "a"}, "x": 1});
        assert_eq!(compare(&a, &b, &rules()), []);
        let c = json!({"x": 1, "y": {"p": "b", "q": [1]}, "z/w": true});
        let changes = compare(&a, &c, &rules());
        let paths: Vec<(&str, ChangeKind)> =
            changes.iter().map(|c| (c.path.as_str(), c.kind)).collect();
        assert_eq!(
            paths,
            [
                ("/y/p", ChangeKind::Changed),
                ("/y/q/1", ChangeKind::Removed),
                ("/z~1w", ChangeKind::Added)
            ]
        );
    }

    #[test]
    fn volatile_fields_and_redaction_tokens_are_ignored_unless_kept() {
        let a = json!({"response": {"body": {"id": "a", "created": 1, "x": "Bearer [REDACTED:0123456789ab]"}}});
        let b = json!({"response": {"body": {"id": "b", "created": 2, "x": "Bearer [REDACTED:ba9876543210]"}}});
        assert_eq!(compare(&a, &b, &rules()), []);
        assert_eq!(compare(&a, &b, &Rules::new(Vec::new(), true)).len(), 3);
    }

    #[test]
    fn tolerances_apply_at_their_pointer_patterns() {
        let a = json!({"u": {"prompt_tokens": 100, "total": 5}, "s": "call_abc", "t": 1, "list": [{"n": 1}, {"n": 2}]});
        let b = json!({"u": {"prompt_tokens": 103, "total": 9}, "s": "call_xyz", "t": "one", "list": [{"n": 7}, {"n": 8}]});
        let user = vec![
            Rule::new("/u/prompt_tokens", Tolerance::Within(5.0)).unwrap(),
            Rule::new("/u/total", Tolerance::Between(0.0, 10.0)).unwrap(),
            Rule::new("/s", Tolerance::Matches(Regex::new("^call_").unwrap())).unwrap(),
            Rule::new("/list/*/n", Tolerance::TypeOnly).unwrap(),
        ];
        let changes = compare(&a, &b, &Rules::new(user, false));
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["/t"]);
        let strict = vec![Rule::new("/u/prompt_tokens", Tolerance::Within(1.0)).unwrap()];
        let changes = compare(&a, &b, &Rules::new(strict, false));
        assert!(changes.iter().any(|c| c.path == "/u/prompt_tokens"));
        assert!(Rule::new("u/x", Tolerance::Ignore).is_err());
    }

    #[test]
    fn double_star_matches_any_depth() {
        let rule = Rule::new("/**/created", Tolerance::Ignore).unwrap();
        let seg = |p: &str| split(p);
        assert!(rule.matches(&seg("/created")));
        assert!(rule.matches(&seg("/a/b/created")));
        assert!(!rule.matches(&seg("/a/created/b")));
    }
}
