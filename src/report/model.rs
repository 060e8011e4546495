//! The results model of a `run`: one value every renderer reads. `report.json` is its
//! serialisation (`schemas/report.schema.json`), and `cursor-harness report` re-renders from it.
//!
//! It is deterministic on purpose — same inputs, same bytes — so it holds verdicts, statuses,
//! violations, diffs and expectation outcomes, but no wall-clock times and no latencies. Those
//! vary from run to run and live beside it in `timings.json` ([`Timings`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::{RequestReport, ResponseReport};
use crate::conformance::Verdict;
use crate::dialect::Dialect;
use crate::timing::{Connection, Timing};

pub const REPORT_FORMAT: &str = "cursor-harness/report";
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format: String,
    pub version: u32,
    pub scenario: ScenarioSummary,
    /// `pass` when every expectation held (and coverage is complete when required).
    pub outcome: Outcome,
    pub summary: Summary,
    /// One row per (model, request dialect): the table people read first.
    pub headline: Vec<HeadlineRow>,
    pub expectations: Vec<ExpectationReport>,
    /// Set when the run was interrupted: the report covers what completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<Partial>,
    /// Cursor's formats against every target, when the scenario has `[[targets]]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<Matrix>,
    pub exchanges: Vec<ExchangeResult>,
}

/// The compatibility matrix: one row per Cursor format (model as selected, request dialect,
/// mode), one column per target, decided by [`super::matrix::build`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    /// The target names, in the scenario's order.
    pub columns: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixRow {
    /// The model as selected in Cursor (`_models` for the Verify call).
    pub model: String,
    /// Request dialect, or `none` for a request without a body.
    pub dialect: String,
    /// The mode the request most likely came from (inferred from the request).
    pub mode: String,
    /// One cell per column, in the columns' order.
    pub cells: Vec<MatrixCell>,
}

/// What one target did with one format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixCell {
    pub outcome: CellOutcome,
    pub exchanges: usize,
    /// Statuses the target answered with (`none` when it did not answer), with counts.
    pub statuses: BTreeMap<String, usize>,
    /// Error-severity violation codes of the answers, most frequent first.
    pub codes: Vec<String>,
    /// The target's own words when it refused or failed (an error message, shortened).
    pub message: Option<String>,
    /// The capture the cell's outcome comes from (its worst exchange), for the details.
    pub capture: Option<String>,
}

/// A cell's outcome, worst first: the worst exchange of the cell decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellOutcome {
    /// No (complete) answer: refused connection, timeout, cut stream.
    NoAnswer,
    /// An answer that breaks the contract Cursor reads.
    Breaks,
    /// An answer that conforms, but the gateway changed the request on its way to the
    /// provider (its provider leg departs from the reference translation).
    Mangled,
    /// An error in a well-formed envelope: the gateway said no, in the right shape.
    Refused,
    /// A success that conforms.
    Works,
    /// The target was not sent this format (a slice, an interrupted run).
    Absent,
}

impl CellOutcome {
    /// The words the reports use.
    pub fn words(self) -> &'static str {
        match self {
            CellOutcome::NoAnswer => "no answer",
            CellOutcome::Breaks => "breaks",
            CellOutcome::Mangled => "answered, but mangled",
            CellOutcome::Refused => "refused",
            CellOutcome::Works => "works",
            CellOutcome::Absent => "not sent",
        }
    }
}

/// A target of the run, as the reports name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub name: String,
    /// The target as written (`${ENV}` references unexpanded).
    pub target: String,
    /// The gateway's version, where it could be read.
    pub version: Option<String>,
    /// Where the version was read (`header x-litellm-version`, `scenario`).
    pub version_source: Option<String>,
}

/// A run stopped before every capture was replayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    pub reason: String,
    /// Captures that were never sent.
    pub not_replayed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub name: String,
    pub description: String,
    /// The scenario file, as given on the command line.
    pub file: String,
    /// The target as written in the scenario (`${ENV}` references unexpanded, so no host name
    /// lands in the report), or `null` when the captures were only checked.
    pub target: Option<String>,
    /// The scenario's `[[targets]]` this run sent to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetInfo>,
    /// The one target `--target NAME` chose among the scenario's `[[targets]]` (a slice:
    /// expectations about the others are not applicable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_target: Option<String>,
    pub profile: crate::conformance::Profile,
    /// `i/n` when the run covered one shard of the captures.
    pub shard: Option<String>,
    /// How many shard reports `report --merge` joined into this one (`null` for one run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<usize>,
    /// The `--model` glob when the run took only the captures of some models (a slice, like a
    /// shard); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub strict_coverage: bool,
    /// Every exchange must work (request and answer conform, an answer came): on by default
    /// in a scenario without expectations.
    #[serde(default)]
    pub fail_on_break: bool,
}

/// The counts of a run, all decided by [`super::verdict::finish`]: every output prints these
/// numbers and no other.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub exchanges: usize,
    pub unreadable: usize,
    pub requests_break: usize,
    /// Answers this run judged (replayed when there is a target) that succeeded and conform.
    pub responses_conform: usize,
    /// Error answers (a non-2xx status) whose error envelope is well-formed: the gateway said
    /// no in the right shape, which is not the same as answering.
    pub error_envelopes: usize,
    /// Answers this run judged that break (a success or an error envelope).
    pub responses_break: usize,
    /// Exchanges that got no (complete) answer: connection refused, timeout, cut off.
    pub transport_errors: usize,
    /// Warning-severity violations of the requests and judged answers (the error status
    /// itself, shown as the status, is not counted).
    pub warnings: usize,
    pub expectations: usize,
    pub expectations_passed: usize,
    pub expectations_failed: usize,
    /// Expectations that cover no exchange in this slice of the captures (a shard, a `--model`
    /// selection): judged when the shards are merged.
    pub expectations_not_applicable: usize,
    /// Exchanges no expectation covers.
    pub uncovered: usize,
    /// Checks made: the test cases of `junit.xml`.
    pub checks: usize,
    /// Checks that failed (JUnit failures and errors); the run fails when there is any.
    pub failures: usize,
    /// Checks skipped: expectations not applicable in this slice.
    pub skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadlineRow {
    /// The target's name, when the scenario has `[[targets]]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The model as selected in Cursor (`_models` for the Verify call).
    pub model: String,
    /// Request dialect, or `none` for a request without a body.
    pub dialect: String,
    pub foreign: Vec<Dialect>,
    pub exchanges: usize,
    /// Whether the request breaks the Chat Completions contract (any exchange of the row).
    pub request: Verdict,
    /// The error codes behind it, most frequent first.
    pub breaks: Vec<String>,
    /// Statuses the gateway answered with (`none` when it did not answer), with counts.
    pub statuses: BTreeMap<String, usize>,
    /// Whether the responses conform (any exchange of the row breaking makes it `breaks`).
    pub response: Option<Verdict>,
    /// The judged answers by kind, with counts.
    pub answers: BTreeMap<Answer, usize>,
    /// Warning-severity violations of the row's exchanges, distinct, most frequent first.
    pub warnings: Vec<WarningCount>,
}

/// What an answer amounts to: a success that conforms, an error in a well-formed envelope,
/// or something that breaks the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    Breaks,
    ErrorEnvelope,
    Conforms,
}

impl Answer {
    /// The words the reports use.
    pub fn words(self) -> &'static str {
        match self {
            Answer::Breaks => "breaks",
            Answer::ErrorEnvelope => "error envelope well-formed",
            Answer::Conforms => "answer conforms",
        }
    }
}

/// One warning of a headline row and how often it was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningCount {
    pub code: String,
    /// `request` or `response`.
    pub side: String,
    pub path: String,
    pub message: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationReport {
    pub name: String,
    pub verdict: ExpectationVerdict,
    /// Why, when the verdict is not about the exchanges it covered (it covered none).
    pub note: Option<String>,
    /// Exchanges the expectation covered.
    pub matched: usize,
    pub failed: usize,
    /// Why it failed, per exchange.
    pub failures: Vec<ExpectationFailure>,
}

/// Whether an expectation held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectationVerdict {
    Pass,
    /// An exchange it covers failed it, or (in a whole run) it covers no exchange at all.
    Fail,
    /// It covers no exchange in this slice (a shard, a `--model` selection); coverage is judged
    /// when the shards are merged.
    NotApplicable,
}

impl ExpectationVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectationVerdict::Pass => "pass",
            ExpectationVerdict::Fail => "fail",
            ExpectationVerdict::NotApplicable => "not-applicable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationFailure {
    pub capture: String,
    /// The target that failed it, when the scenario has `[[targets]]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeResult {
    /// The capture path as found (relative when given relative).
    pub capture: String,
    /// The target this result is about, when the scenario has `[[targets]]` (each capture is
    /// then judged once per target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub id: Option<String>,
    pub model: Option<String>,
    /// The Cursor mode the request most likely came from (`verify`, `agent`, `ask`,
    /// `background`, `chat`), inferred from the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    pub endpoint: Option<String>,
    /// Why the capture could not be read.
    pub error: Option<String>,
    /// How the captured exchange failed on the wire, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<crate::capture::TransportSummary>,
    /// The captured request, classified and checked.
    pub request: Option<RequestReport>,
    /// The captured response, checked (what the original gateway did).
    pub recorded: Option<ResponseReport>,
    /// What the target answered this run.
    pub replayed: Option<Replayed>,
    /// The replayed answer compared with the captured one.
    pub golden: Option<GoldenDiff>,
    /// What the target sent its provider for this exchange, when the scenario records the
    /// provider leg (`[provider]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leg: Option<LegResult>,
    pub expectations: Vec<ExpectationResult>,
    /// Whether any expectation covered this exchange.
    pub covered: bool,
    /// The request and the judged response, shortened for display.
    pub sample: Sample,
    /// What translating the request into Chat Completions lost, when the target said it
    /// translated it (the embedded gateway's `translate` profile does, in
    /// `x-cursor-harness-translated-from`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub losses: Vec<crate::conversation::Loss>,
    /// The smallest request that still fails the same way on the target (`run --shrink`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducer: Option<Reproducer>,
}

/// A request shrunk on its target by `run --shrink`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reproducer {
    /// `minimal`, `budget-spent`, `does-not-fail`, `flaky`, `unreachable`, or `error` (it
    /// could not be shrunk: the note says why).
    pub ending: String,
    /// The failure kept throughout, in words.
    pub failure: Option<String>,
    pub original_bytes: usize,
    pub bytes: usize,
    /// Requests the shrinking sent.
    pub requests: usize,
    /// The smallest body that fails the same way.
    pub body: Option<Value>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replayed {
    pub status: Option<u16>,
    /// The transport failure, when the target gave no (complete) answer.
    pub error: Option<String>,
    /// The target's own words in an error answer (its error message, shortened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub response: Option<ResponseReport>,
}

/// The provider leg of one replayed exchange: the provider requests the target sent for it,
/// compared with the request it was sent (`cursor-harness legs`, per exchange).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegResult {
    /// Provider requests linked to this exchange (retries included); 0 when the target
    /// answered without calling its provider.
    pub provider_requests: usize,
    /// `breaks` when a finding has error severity: the gateway mangled the request.
    pub verdict: Verdict,
    pub findings: Vec<crate::legs::compare::LegFinding>,
}

impl LegResult {
    /// Whether the gateway changed the request's meaning on its way to the provider.
    pub fn mangled(&self) -> bool {
        self.verdict == Verdict::Breaks
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldenDiff {
    pub equal: bool,
    pub changes: Vec<GoldenChange>,
    /// Unified diff of the two reassembled messages (canonical pretty JSON).
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldenChange {
    pub pointer: String,
    pub kind: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationResult {
    pub name: String,
    pub passed: bool,
    pub reasons: Vec<String>,
}

/// What an exchange looked like, cut down to what a reader needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The request body as JSON, long strings shortened (pointers stay valid).
    pub request: Option<Value>,
    /// The request body as text when it was not JSON.
    pub request_text: Option<String>,
    /// The judged response's body or stream text, shortened.
    pub response: Option<String>,
}

/// `timings.json`: what varies from run to run, per capture path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub format: String,
    pub exchanges: BTreeMap<String, ExchangeTimings>,
}

pub const TIMINGS_FORMAT: &str = "cursor-harness/timings";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExchangeTimings {
    /// Timing of the captured exchange.
    pub recorded: Option<Timing>,
    /// Timing of this run's replay.
    pub replayed: Option<Timing>,
    /// The connection the replayed request opened first (its timing includes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Connection>,
    /// Arrival offsets (ms) of the judged response's chunks, for the timeline.
    pub chunks: Vec<f64>,
    /// The replayed capture, relative to the report folder (its name holds a fresh id).
    pub file: Option<String>,
}

impl ScenarioSummary {
    /// The slice of the captures the run took (`shard 2/4`, `--model gpt-*`), when it took one.
    pub fn slice_label(&self) -> Option<String> {
        let parts: Vec<String> = [
            self.shard.as_ref().map(|shard| format!("shard {shard}")),
            self.model.as_ref().map(|model| format!("--model {model}")),
            self.only_target
                .as_ref()
                .map(|target| format!("--target {target}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

impl ExchangeResult {
    /// The key of this result in `timings.json`: the capture path, prefixed with the target's
    /// name when the scenario has `[[targets]]`.
    pub fn timing_key(&self) -> String {
        match &self.target {
            Some(target) => format!("{target}: {}", self.capture),
            None => self.capture.clone(),
        }
    }
}

impl Report {
    /// Every violation code of an exchange (request, then judged response).
    pub fn judged_response(result: &ExchangeResult) -> Option<&ResponseReport> {
        match &result.replayed {
            Some(replayed) => replayed.response.as_ref(),
            None => result.recorded.as_ref(),
        }
    }

    /// The status this run judged.
    pub fn judged_status(result: &ExchangeResult) -> Option<u16> {
        match &result.replayed {
            Some(replayed) => replayed.status,
            None => result.recorded.as_ref().map(|r| r.status),
        }
    }
}

/// Shorten every string longer than `max` characters, keeping the structure (so JSON pointers
/// into the sample still point at the same places).
pub fn shorten_strings(value: &Value, max: usize) -> Value {
    match value {
        Value::String(text) => {
            let count = text.chars().count();
            if count <= max {
                value.clone()
            } else {
                let kept: String = text.chars().take(max).collect();
                Value::String(format!("{kept}… [{} more characters]", count - max))
            }
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| shorten_strings(v, max)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), shorten_strings(v, max)))
                .collect(),
        ),
        other => other.clone(),
    }
}
