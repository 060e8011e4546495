//! The scenario file (TOML): what to replay where, and what must hold. Every error names the
//! file, line and column. `scenarios/README.md` documents the format with a commented example.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub use super::target_spec::TargetSpec;

use crate::conformance::{Profile, Verdict};
use crate::dialect::Dialect;

/// A scenario as written, with source positions kept for error messages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short name; the default report folder is `reports/<name>`.
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    /// Capture files, folders or globs (`captures/golden/**/*.json`), relative to the working
    /// directory.
    pub captures: Vec<Spanned<String>>,
    /// `embedded:strict`, `embedded:lenient`, or a URL with `${ENV}` references. Without a
    /// target, the captures are checked but not replayed.
    #[serde(default)]
    pub target: Option<Spanned<String>>,
    /// Environment variable holding the gateway key (sent as `Authorization: Bearer`).
    #[serde(default)]
    pub api_key_env: Option<Spanned<String>>,
    /// Send the key in this header instead (as given, without `Bearer`).
    #[serde(default)]
    pub auth_header: Option<String>,
    /// Several gateways in one run: each `[[targets]]` table names one (instead of `target`).
    #[serde(default)]
    pub targets: Vec<Spanned<TargetSpec>>,
    /// Headers set on every replayed request (`Name = "value"`; `${VAR}` in a value reads the
    /// environment, and such a value is a secret: redacted wherever it comes back).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Cursor's model name → the name to send (`"gpt-5.5" = "openai/gpt-5.5"`).
    #[serde(default)]
    pub model_map: BTreeMap<String, String>,
    /// Record the provider leg: the targets send their provider requests to a recorder on
    /// `listen`, and each replayed exchange is judged with what the provider received.
    #[serde(default)]
    pub provider: Option<Spanned<ProviderSpec>>,
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// `asap`, `original` or `x<K>`.
    #[serde(default = "default_pace")]
    pub pace: Spanned<String>,
    /// With a scheduled pace: the longest wait between one start and the next (`5s`, `2m`).
    #[serde(default)]
    pub max_gap: Option<String>,
    /// Seconds one replayed exchange may take.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    #[serde(default)]
    pub http2: bool,
    /// Checker profile for requests and responses.
    #[serde(default)]
    pub profile: Profile,
    /// Every exchange must be covered by at least one expectation.
    #[serde(default)]
    pub strict_coverage: bool,
    /// Every exchange must work: its request and answer conform and an answer came. Defaults
    /// to on for a scenario without expectations (so it never passes while requests break)
    /// and off otherwise (the expectations say what must hold).
    #[serde(default)]
    pub fail_on_break: Option<bool>,
    /// Report folder (default `reports/<name>`).
    #[serde(default)]
    pub out: Option<PathBuf>,
    /// Tolerances for `matches_golden`.
    #[serde(default)]
    pub diff: DiffSettings,
    #[serde(default, rename = "expect")]
    pub expectations: Vec<Spanned<Expectation>>,
}

impl ScenarioFile {
    /// Whether every exchange must work, as stated or by default.
    pub fn fail_on_break(&self) -> bool {
        self.fail_on_break.unwrap_or(self.expectations.is_empty())
    }
}

fn default_concurrency() -> usize {
    8
}
fn default_pace() -> Spanned<String> {
    Spanned::new(0..0, "asap".to_owned())
}
fn default_timeout() -> u64 {
    120
}

/// How golden and replayed answers are compared.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffSettings {
    /// JSON pointers (with `*` for any one segment) to ignore.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Pointers where only the JSON type must match.
    #[serde(default)]
    pub type_only: Vec<String>,
    /// Numeric tolerances: `{ pointer = "/usage/total_tokens", within = 10 }`.
    #[serde(default)]
    pub range: Vec<RangeTolerance>,
    /// Text that must match a regular expression: `{ pointer = "…", regex = "…" }`.
    #[serde(default)]
    pub regex: Vec<RegexTolerance>,
    /// Compare `id`, `created`, `system_fingerprint` and redaction tokens too.
    #[serde(default)]
    pub keep_volatile: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeTolerance {
    pub pointer: String,
    pub within: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegexTolerance {
    pub pointer: String,
    pub regex: String,
}

/// Where the provider leg is recorded: the targets are configured to call their provider
/// through `http://<listen>`, which forwards to the real provider (`upstream`, or the
/// embedded provider when absent).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// `127.0.0.1:<port>`: where the targets' provider calls go.
    pub listen: String,
    /// The real provider's base URL (`${VAR}` allowed); the embedded provider when absent.
    #[serde(default)]
    pub upstream: Option<String>,
}

/// What an expectation demands of the provider leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LegExpect {
    /// The provider received what the client sent, translated without loss.
    Faithful,
    /// The gateway changed the request's meaning (a known bug, pinned).
    Mangled,
}

/// One expectation: which exchanges it covers, and what must hold for each of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// What the expectation states, for reports ("GPT-named models get a Responses body").
    pub name: String,
    /// Model glob (`gpt-*`); exchanges without a model match only `*` patterns... and
    /// `_models` for the Verify call.
    #[serde(default)]
    pub model: Option<String>,
    /// Request dialect id.
    #[serde(default)]
    pub dialect: Option<Dialect>,
    /// Capture path glob (`captures/golden/gpt-5.5/*`).
    #[serde(default)]
    pub capture: Option<String>,
    /// Target name glob, with `[[targets]]`: the expectation holds for these targets only
    /// (every target when absent).
    #[serde(default)]
    pub target: Option<String>,
    /// The request must conform or break.
    #[serde(default)]
    pub request: Option<Verdict>,
    /// Violation codes that must all appear on the request.
    #[serde(default)]
    pub request_codes: Vec<String>,
    /// The response status (replayed when there is a target, else recorded); one or several.
    #[serde(default)]
    pub status: Option<StatusExpect>,
    /// The response must conform or break.
    #[serde(default)]
    pub response: Option<Verdict>,
    /// Violation codes that must all appear on the response.
    #[serde(default)]
    pub response_codes: Vec<String>,
    /// The replayed answer must equal the captured one (after tolerances).
    #[serde(default)]
    pub matches_golden: Option<bool>,
    /// The provider leg must be faithful (or, to pin a known bug, mangled); needs
    /// `[provider]`.
    #[serde(default)]
    pub leg: Option<LegExpect>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum StatusExpect {
    One(u16),
    Any(Vec<u16>),
}

impl StatusExpect {
    pub fn allows(&self, status: u16) -> bool {
        match self {
            StatusExpect::One(one) => *one == status,
            StatusExpect::Any(any) => any.contains(&status),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            StatusExpect::One(one) => one.to_string(),
            StatusExpect::Any(any) => any
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

/// A scenario problem, located in its file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {message}")]
    At {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// Read and parse a scenario file.
pub fn read(path: &Path) -> Result<(ScenarioFile, String), ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        file: path.display().to_string(),
        source,
    })?;
    let scenario = parse(&text, &path.display().to_string())?;
    Ok((scenario, text))
}

/// Parse scenario text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<ScenarioFile, ScenarioError> {
    let scenario: ScenarioFile = toml::from_str(text).map_err(|err| {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        ScenarioError::At {
            file: file.to_owned(),
            line,
            column,
            message: err.message().to_owned(),
        }
    })?;
    let at = |span: std::ops::Range<usize>, message: String| {
        let (line, column) = line_column(text, span.start);
        ScenarioError::At {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    };
    if scenario.name.get_ref().trim().is_empty() {
        return Err(at(scenario.name.span(), "`name` is empty".to_owned()));
    }
    // The name is the report folder (`reports/<name>`): checked like `--session`.
    if !crate::text::filename::is_folder_name(scenario.name.get_ref()) {
        return Err(at(
            scenario.name.span(),
            format!(
                "`name` {:?} cannot be a report folder: {}",
                scenario.name.get_ref(),
                crate::text::filename::FOLDER_NAME_RULE
            ),
        ));
    }
    if scenario.captures.is_empty() {
        return Err(at(
            0..0,
            "`captures` is empty: list capture files, folders or globs".to_owned(),
        ));
    }
    super::target_spec::validate(scenario.target.as_ref(), &scenario.targets)
        .map_err(|(span, message)| at(span, message))?;
    let mut names = std::collections::HashSet::new();
    for expectation in &scenario.expectations {
        let e = expectation.get_ref();
        if !names.insert(e.name.as_str()) {
            return Err(at(
                expectation.span(),
                format!(
                    "two expectations are named {:?}: reports and JUnit tell them apart by name, give each its own",
                    e.name
                ),
            ));
        }
        if e.model.is_none() && e.dialect.is_none() && e.capture.is_none() {
            return Err(at(
                expectation.span(),
                format!(
                    "expectation {:?} matches nothing: give `model`, `dialect` or `capture`",
                    e.name
                ),
            ));
        }
        let checks_something = e.request.is_some()
            || !e.request_codes.is_empty()
            || e.status.is_some()
            || e.response.is_some()
            || !e.response_codes.is_empty()
            || e.matches_golden.is_some()
            || e.leg.is_some();
        if !checks_something {
            return Err(at(
                expectation.span(),
                format!(
                    "expectation {:?} checks nothing: give `request`, `request_codes`, `status`, `response`, `response_codes`, `matches_golden` or `leg`",
                    e.name
                ),
            ));
        }
        if e.leg.is_some() && scenario.provider.is_none() {
            return Err(at(
                expectation.span(),
                format!(
                    "expectation {:?} checks `leg`, but the scenario records no provider leg: add a `[provider]` table",
                    e.name
                ),
            ));
        }
        if let Some(glob) = &e.target {
            super::target_spec::check_expectation_target(&scenario.targets, glob).map_err(
                |why| {
                    at(
                        expectation.span(),
                        format!("expectation {:?}: {why}", e.name),
                    )
                },
            )?;
        }
        for glob in [&e.model, &e.capture, &e.target].into_iter().flatten() {
            if let Err(err) = globset::Glob::new(glob) {
                return Err(at(
                    expectation.span(),
                    format!("expectation {:?}: bad glob {glob:?}: {err}", e.name),
                ));
            }
        }
        for code in e.request_codes.iter().chain(&e.response_codes) {
            if crate::conformance::Rule::from_code(code).is_none() {
                return Err(at(
                    expectation.span(),
                    format!(
                        "expectation {:?}: unknown violation code {code:?} (see `cursor-harness rules`)",
                        e.name
                    ),
                ));
            }
        }
    }
    Ok(scenario)
}

/// Replace `${VAR}` with the environment's value; a missing variable is an error naming it.
pub fn interpolate(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed `${{` in {text:?}"))?;
        let name = &after[..end];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("`${{{name}}}` is not a variable name"));
        }
        let value = lookup(name)
            .ok_or_else(|| format!("environment variable {name} is not set (used in {text:?})"))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_line_and_column() {
        let text = "name = \"x\"\ncaptures = [\"a\"]\nconcurrency = \"many\"\n";
        let err = parse(text, "s.toml").unwrap_err().to_string();
        assert!(err.starts_with("s.toml:3:15:"), "{err}");
        let text = "name = \"x\"\ncaptures = [\"a\"]\n\n[[expect]]\nname = \"e\"\nmodel = \"gpt-*\"\nrequest_codes = [\"request.nope\"]\n";
        let err = parse(text, "s.toml").unwrap_err().to_string();
        assert!(err.starts_with("s.toml:4:"), "{err}");
        assert!(err.contains("request.nope"), "{err}");
        let err = parse("name = \"x\"\ncaptures = [\"a\"]\ntypo = 1\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("s.toml:3:1:") && err.contains("typo"),
            "{err}"
        );
    }

    #[test]
    fn env_references_are_expanded_or_named_when_missing() {
        let lookup =
            |name: &str| (name == "GATEWAY_BASE_URL").then(|| "https://gw.example".to_owned());
        assert_eq!(
            interpolate("${GATEWAY_BASE_URL}/cursor/v1", lookup).unwrap(),
            "https://gw.example/cursor/v1"
        );
        let err = interpolate("${MISSING}/v1", lookup).unwrap_err();
        assert!(err.contains("MISSING is not set"), "{err}");
    }
}
