//! Checking a request's top-level fields from a table: each field's type, range or enum, its
//! nullability and deprecation, the required ones, and the keys the contract does not define.
//! Every contract's request checker describes its fields this way.

use serde_json::{Map, Value};

use super::Rule;
use super::findings::{Findings, check_enum, null_not_allowed, type_error};
use crate::dialect::Dialect;
use crate::json::join;

/// How a top-level field's value is checked.
pub enum Spec {
    Bool,
    Int { min: i64, max: i64 },
    Num { min: f64, max: f64 },
    Str,
    Enum(&'static [&'static str]),
    Object,
    Custom(CustomCheck),
}

/// A Chat Completions top-level field.
pub struct Field {
    pub name: &'static str,
    pub spec: Spec,
    /// The spec allows an explicit `null`.
    pub nullable: bool,
    /// Why the field is deprecated, when it is.
    pub deprecated: Option<&'static str>,
}

pub const fn field(name: &'static str, spec: Spec, nullable: bool) -> Field {
    Field {
        name,
        spec,
        nullable,
        deprecated: None,
    }
}

pub const fn deprecated(
    name: &'static str,
    spec: Spec,
    nullable: bool,
    why: &'static str,
) -> Field {
    Field {
        name,
        spec,
        nullable,
        deprecated: Some(why),
    }
}

pub const I64_ANY: Spec = Spec::Int {
    min: i64::MIN,
    max: i64::MAX,
};

/// What a custom field check gets: the findings, the field's pointer, its value, and the whole
/// object (some fields depend on others, like `stream_options` on `stream`).
pub type CustomCheck = fn(&mut Findings, &str, &Value, &Map<String, Value>);

/// Check `top` against a field table: each required field is present (a missing one is reported
/// as the provider words it, "Missing required parameter"), each known field has the type its
/// spec says, and each unknown key is reported by `unknown`, which words the message and names
/// the API the key belongs to, or returns `None` to say nothing.
pub fn check_fields(
    top: &Map<String, Value>,
    fields: &[Field],
    required: &[(&str, &str)],
    findings: &mut Findings,
    unknown: impl Fn(&str) -> Option<(String, Option<Dialect>)>,
) {
    for (name, _) in required {
        if !top.contains_key(*name) {
            findings.add(
                Rule::RequestMissingField,
                format!("/{name}"),
                format!("Missing required parameter: '{name}'"),
            );
        }
    }
    for (key, value) in top {
        let path = join("", key);
        let Some(field) = fields.iter().find(|f| f.name == key) else {
            if let Some((message, owner)) = unknown(key) {
                findings.add_in(Rule::RequestUnknownField, path, message, owner);
            }
            continue;
        };
        if let Some(why) = field.deprecated {
            findings.add(Rule::RequestDeprecated, path.clone(), why);
        }
        if value.is_null() {
            // A required field cannot be omitted instead, so its null is a plain type error
            // (OpenAI: "None is not of type 'array'"); `request.null` is for optional fields.
            match required.iter().find(|(name, _)| name == key) {
                Some((_, expected)) => type_error(findings, &path, expected, value),
                None if !field.nullable => null_not_allowed(findings, &path),
                None => {}
            }
            continue;
        }
        check_spec(&field.spec, findings, &path, value, top);
    }
}

pub fn check_spec(
    spec: &Spec,
    findings: &mut Findings,
    path: &str,
    value: &Value,
    top: &Map<String, Value>,
) {
    let name = path.trim_start_matches('/');
    match spec {
        Spec::Bool => {
            if !value.is_boolean() {
                type_error(findings, path, "a boolean", value);
            }
        }
        Spec::Int { min, max } => match value.as_i64() {
            Some(n) if n < *min || n > *max => findings.add(
                Rule::RequestRange,
                path,
                format!("`{name}` is {n}; it must be between {min} and {max}"),
            ),
            Some(_) => {}
            None => type_error(findings, path, "an integer", value),
        },
        Spec::Num { min, max } => match value.as_f64() {
            Some(n) if n < *min || n > *max => findings.add(
                Rule::RequestRange,
                path,
                format!("`{name}` is {n}; it must be between {min} and {max}"),
            ),
            Some(_) => {}
            None => type_error(findings, path, "a number", value),
        },
        Spec::Str => {
            if !value.is_string() {
                type_error(findings, path, "a string", value);
            }
        }
        Spec::Enum(values) => check_enum(findings, path, value, values),
        Spec::Object => {
            if !value.is_object() {
                type_error(findings, path, "an object", value);
            }
        }
        Spec::Custom(check) => check(findings, path, value, top),
    }
}
