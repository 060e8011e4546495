//! One `[[targets]]` table of a scenario, and the checks made when the file is parsed: one form
//! or the other, names fit for folders and unique, expectations naming targets that exist.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

/// One `[[targets]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// Short name: the matrix column, the JUnit suite, the replay folder (`replay/<name>`).
    pub name: String,
    /// A base URL (with `${VAR}` references), `embedded` or `embedded:<profile>`.
    pub target: String,
    /// Environment variable holding this gateway's key.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Send the key in this header instead of `Authorization: Bearer`.
    #[serde(default)]
    pub auth_header: Option<String>,
    /// Headers for this target, over the scenario's `headers`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Model names for this target, over the scenario's `model_map`.
    #[serde(default)]
    pub model_map: BTreeMap<String, String>,
    #[serde(default)]
    pub concurrency: Option<usize>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    #[serde(default)]
    pub http2: Option<bool>,
    /// The gateway's version, for the report, when the gateway does not say it in a header
    /// (`${VAR}` allowed: a version an install script recorded).
    #[serde(default)]
    pub version: Option<String>,
}

/// Structural checks, at parse time: one form or the other, names fit for folders and unique.
pub fn validate(
    target: Option<&Spanned<String>>,
    targets: &[Spanned<TargetSpec>],
) -> Result<(), (Range<usize>, String)> {
    if let (Some(target), false) = (target, targets.is_empty()) {
        return Err((
            target.span(),
            "give either `target` or `[[targets]]`, not both".to_owned(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for spec in targets {
        let name = spec.get_ref().name.as_str();
        let fits = !name.is_empty()
            && name.len() <= 64
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !fits {
            return Err((
                spec.span(),
                format!(
                    "target name {name:?}: use letters, digits, '-', '_' and '.' (it names a folder and a report column)"
                ),
            ));
        }
        if !seen.insert(name) {
            return Err((
                spec.span(),
                format!("two targets are named {name:?}: give each its own name"),
            ));
        }
        if spec.get_ref().target.trim().is_empty() {
            return Err((spec.span(), format!("target {name:?}: `target` is empty")));
        }
    }
    Ok(())
}

/// An expectation's `target` glob must name at least one of the scenario's targets.
pub fn check_expectation_target(targets: &[Spanned<TargetSpec>], glob: &str) -> Result<(), String> {
    if targets.is_empty() {
        return Err(format!(
            "`target = {glob:?}` needs `[[targets]]` tables to choose from"
        ));
    }
    let matcher = globset::Glob::new(glob)
        .map_err(|err| format!("bad glob {glob:?}: {err}"))?
        .compile_matcher();
    if !targets.iter().any(|t| matcher.is_match(&t.get_ref().name)) {
        let names: Vec<&str> = targets.iter().map(|t| t.get_ref().name.as_str()).collect();
        return Err(format!(
            "`target = {glob:?}` names none of the targets ({})",
            names.join(", ")
        ));
    }
    Ok(())
}
