//! The verdict of a run, decided in one place. [`finish`] turns the judged exchanges into the
//! expectation verdicts, the headline, the summary counts and the outcome; [`suites`] lists the
//! checks behind them. Every output (the exit code, the console summary, `report.md`,
//! `report.json`, `junit.xml`, `report.html`) reads these and decides nothing of its own, so
//! they cannot disagree.
//!
//! An expectation that covers no exchange is a scenario bug (a typo in a glob) in a whole run,
//! so it fails; in one shard of a run it is only not applicable there, and `report --merge`
//! judges it across all shards.

use std::collections::BTreeMap;

use super::model::{
    Answer, ExchangeResult, ExpectationFailure, ExpectationReport, ExpectationVerdict, HeadlineRow,
    Outcome, Report, Summary, WarningCount,
};
use crate::conformance::{Rule, Severity, Verdict, Violation};

/// Decide everything that follows from the exchanges: expectation verdicts, headline,
/// summary and outcome. `report.expectations` must name the scenario's expectations (in
/// order); the rest of each is recomputed.
pub fn finish(report: &mut Report) {
    let slice = slice_words(&report.scenario);
    for expectation in &mut report.expectations {
        judge_expectation(expectation, &report.exchanges, slice.as_deref());
    }
    report.headline = headline(&report.exchanges);
    report.matrix = super::matrix::build(report);
    let mut summary = Summary {
        expectations: report.expectations.len(),
        ..Summary::default()
    };
    for expectation in &report.expectations {
        match expectation.verdict {
            ExpectationVerdict::Pass => summary.expectations_passed += 1,
            ExpectationVerdict::Fail => summary.expectations_failed += 1,
            ExpectationVerdict::NotApplicable => summary.expectations_not_applicable += 1,
        }
    }
    for result in &report.exchanges {
        if result.error.is_some() {
            summary.unreadable += 1;
            continue;
        }
        summary.exchanges += 1;
        if result
            .request
            .as_ref()
            .is_some_and(|r| r.verdict == Verdict::Breaks)
        {
            summary.requests_break += 1;
        }
        match answer(result) {
            Some(Answer::Conforms) => summary.responses_conform += 1,
            Some(Answer::ErrorEnvelope) => summary.error_envelopes += 1,
            Some(Answer::Breaks) => summary.responses_break += 1,
            None => {}
        }
        if no_answer(result).is_some() {
            summary.transport_errors += 1;
        }
        summary.warnings += warnings_of(result).count();
        if !result.covered {
            summary.uncovered += 1;
        }
    }
    for suite in suites(report) {
        for case in &suite.cases {
            summary.checks += 1;
            match case.status {
                CaseStatus::Failed | CaseStatus::Errored => summary.failures += 1,
                CaseStatus::Skipped => summary.skipped += 1,
                CaseStatus::Passed => {}
            }
        }
    }
    report.outcome = if summary.failures > 0 {
        Outcome::Fail
    } else {
        Outcome::Pass
    };
    report.summary = summary;
}

/// What part of the captures the run took, in words, when it took only a part: a shard, the
/// models of `--model`, or both. Coverage is judged only over all of them.
fn slice_words(scenario: &super::model::ScenarioSummary) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(shard) = &scenario.shard {
        parts.push(format!("in shard {shard}"));
    }
    if let Some(model) = &scenario.model {
        parts.push(format!("among the models `{model}` selected by --model"));
    }
    if let Some(target) = &scenario.only_target {
        parts.push(format!("on the target `{target}` selected by --target"));
    }
    if parts.is_empty() {
        return None;
    }
    let mut words = parts.join(", ");
    if scenario.shard.is_some() {
        words.push_str("; judged across all shards by `report --merge`");
    }
    Some(words)
}

fn judge_expectation(
    expectation: &mut ExpectationReport,
    exchanges: &[ExchangeResult],
    slice: Option<&str>,
) {
    let outcomes: Vec<(&ExchangeResult, &super::model::ExpectationResult)> = exchanges
        .iter()
        .filter_map(|e| {
            e.expectations
                .iter()
                .find(|o| o.name == expectation.name)
                .map(|o| (e, o))
        })
        .collect();
    expectation.failures = outcomes
        .iter()
        .filter(|(_, o)| !o.passed)
        .map(|(e, o)| ExpectationFailure {
            capture: e.capture.clone(),
            target: e.target.clone(),
            reasons: o.reasons.clone(),
        })
        .collect();
    expectation.matched = outcomes.len();
    expectation.failed = expectation.failures.len();
    (expectation.verdict, expectation.note) = match (outcomes.len(), slice) {
        (0, Some(slice)) => (
            ExpectationVerdict::NotApplicable,
            Some(format!("covers no exchange {slice}")),
        ),
        (0, None) => (
            ExpectationVerdict::Fail,
            Some("covers no exchange (check its model, dialect and capture selectors)".to_owned()),
        ),
        _ if expectation.failed > 0 => (ExpectationVerdict::Fail, None),
        _ => (ExpectationVerdict::Pass, None),
    };
}

pub use super::judged::{answer, no_answer};

/// The warnings of an exchange's request and judged answer, with their side. The error status
/// is left out: the status and answer columns already say it.
pub fn warnings_of(result: &ExchangeResult) -> impl Iterator<Item = (&'static str, &Violation)> {
    let request = result
        .request
        .iter()
        .flat_map(|r| r.violations.iter().map(|v| ("request", v)));
    let response = Report::judged_response(result)
        .into_iter()
        .flat_map(|r| r.violations.iter().map(|v| ("response", v)));
    request.chain(response).filter(|(_, v)| {
        v.severity == Severity::Warning && v.code != Rule::ResponseErrorStatus.code()
    })
}

/// Rows of the headline: one per (target, model, request dialect), computed from the
/// exchanges.
pub fn headline(exchanges: &[ExchangeResult]) -> Vec<HeadlineRow> {
    /// Per row: the row, error codes with counts, warnings (code, side, path, message) with
    /// counts.
    type Warnings = BTreeMap<(String, String, String, String), usize>;
    type Building = (HeadlineRow, BTreeMap<String, usize>, Warnings);
    let mut rows: BTreeMap<(Option<String>, String, String), Building> = BTreeMap::new();
    for result in exchanges.iter().filter(|e| e.error.is_none()) {
        let model = super::model_key(result);
        let dialect = result
            .request
            .as_ref()
            .map_or("none".to_owned(), |r| r.dialect.as_str().to_owned());
        let (row, codes, warnings) = rows
            .entry((result.target.clone(), model.clone(), dialect.clone()))
            .or_insert_with(|| {
                (
                    HeadlineRow {
                        target: result.target.clone(),
                        model,
                        dialect,
                        foreign: Vec::new(),
                        exchanges: 0,
                        request: Verdict::Conforms,
                        breaks: Vec::new(),
                        statuses: BTreeMap::new(),
                        response: None,
                        answers: BTreeMap::new(),
                        warnings: Vec::new(),
                    },
                    BTreeMap::new(),
                    BTreeMap::new(),
                )
            });
        row.exchanges += 1;
        if let Some(request) = &result.request {
            for foreign in &request.foreign {
                if !row.foreign.contains(foreign) {
                    row.foreign.push(*foreign);
                }
            }
            if request.verdict == Verdict::Breaks {
                row.request = Verdict::Breaks;
            }
        }
        let judged = Report::judged_response(result);
        for violation in result
            .request
            .iter()
            .flat_map(|r| &r.violations)
            .chain(judged.into_iter().flat_map(|r| &r.violations))
        {
            if violation.severity == Severity::Error {
                *codes.entry(violation.code.clone()).or_default() += 1;
            }
        }
        for (side, violation) in warnings_of(result) {
            *warnings
                .entry((
                    violation.code.clone(),
                    side.to_owned(),
                    violation.path.clone(),
                    violation.message.clone(),
                ))
                .or_default() += 1;
        }
        let status = Report::judged_status(result).map_or("none".to_owned(), |s| s.to_string());
        *row.statuses.entry(status).or_default() += 1;
        if let Some(response) = judged {
            row.response = Some(match (row.response, response.verdict) {
                (Some(Verdict::Breaks), _) | (_, Verdict::Breaks) => Verdict::Breaks,
                _ => Verdict::Conforms,
            });
        }
        if let Some(answer) = answer(result) {
            *row.answers.entry(answer).or_default() += 1;
        }
    }
    rows.into_values()
        .map(|(mut row, codes, warnings)| {
            row.foreign.sort();
            let mut ranked: Vec<(String, usize)> = codes.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            row.breaks = ranked.into_iter().map(|(code, _)| code).collect();
            let mut warnings: Vec<WarningCount> = warnings
                .into_iter()
                .map(|((code, side, path, message), count)| WarningCount {
                    code,
                    side,
                    path,
                    message,
                    count,
                })
                .collect();
            warnings.sort_by_key(|w| std::cmp::Reverse(w.count));
            row.warnings = warnings;
            row
        })
        .collect()
}

/// How one check ended, as JUnit says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatus {
    Passed,
    Failed,
    /// The check could not be made (an unreadable capture).
    Errored,
    /// Not applicable here (an expectation with no exchange in this slice of the captures).
    Skipped,
}

/// One check: an expectation held to one exchange, one exchange that must work, one capture
/// that must be readable and covered.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    /// The capture path, or what stands for it when the check is about no exchange.
    pub name: String,
    /// `<model>.<dialect>`, so CI groups cases by format.
    pub classname: String,
    pub status: CaseStatus,
    /// Why it failed or was skipped, in a line.
    pub message: String,
    /// The exchange it is about, for the violations behind the failure.
    pub exchange: Option<&'a ExchangeResult>,
}

/// A group of checks: one per expectation, then the exchanges that must work (when the
/// scenario says so), then the captures (unreadable, or covered by no expectation).
#[derive(Debug, Clone)]
pub struct Suite<'a> {
    pub name: String,
    pub cases: Vec<Case<'a>>,
}

/// The name of the suite of exchanges that must work (`fail_on_break`).
pub const EVERY_EXCHANGE: &str = "every exchange works (request and answer conform)";
/// The name of the suite of capture problems.
pub const CAPTURES: &str = "captures";

/// Every check of the run, grouped; empty suites are left out. With `[[targets]]`, one suite
/// per target holds every check about that target (each case named after its check), so CI
/// shows each gateway on its own; checks about no target (an expectation that covers nothing,
/// an unreadable capture) keep their own suites.
pub fn suites(report: &Report) -> Vec<Suite<'_>> {
    let by_check = suites_by_check(report);
    if report.scenario.targets.is_empty() {
        return by_check;
    }
    let mut per_target: Vec<Suite<'_>> = report
        .scenario
        .targets
        .iter()
        .map(|t| Suite {
            name: t.name.clone(),
            cases: Vec::new(),
        })
        .collect();
    let mut other: Vec<Suite<'_>> = Vec::new();
    for suite in by_check {
        let mut rest = Vec::new();
        for case in suite.cases {
            let target = case.exchange.and_then(|e| e.target.as_deref());
            match per_target
                .iter_mut()
                .find(|s| Some(s.name.as_str()) == target)
            {
                Some(own) => own.cases.push(Case {
                    name: format!("{} :: {}", suite.name, case.name),
                    ..case
                }),
                None => rest.push(case),
            }
        }
        if !rest.is_empty() {
            other.push(Suite {
                name: suite.name,
                cases: rest,
            });
        }
    }
    per_target.retain(|s| !s.cases.is_empty());
    per_target.extend(other);
    per_target
}

/// Every check of the run, one suite per check (expectation, every exchange works, captures)
/// whatever the targets.
pub fn suites_by_check(report: &Report) -> Vec<Suite<'_>> {
    let mut suites = Vec::new();
    for expectation in &report.expectations {
        let mut cases: Vec<Case<'_>> = report
            .exchanges
            .iter()
            .filter_map(|result| {
                let outcome = result
                    .expectations
                    .iter()
                    .find(|o| o.name == expectation.name)?;
                Some(Case {
                    name: super::safe::relative_display(&result.capture),
                    classname: classname(result),
                    status: if outcome.passed {
                        CaseStatus::Passed
                    } else {
                        CaseStatus::Failed
                    },
                    message: outcome.reasons.join("; "),
                    exchange: Some(result),
                })
            })
            .collect();
        if cases.is_empty() {
            let note = expectation.note.clone().unwrap_or_default();
            cases.push(match expectation.verdict {
                ExpectationVerdict::NotApplicable => Case {
                    name: "(no exchange in this slice)".to_owned(),
                    classname: "expectation".to_owned(),
                    status: CaseStatus::Skipped,
                    message: format!("not applicable: {note}"),
                    exchange: None,
                },
                _ => Case {
                    name: "(no exchange)".to_owned(),
                    classname: "expectation".to_owned(),
                    status: CaseStatus::Failed,
                    message: note,
                    exchange: None,
                },
            });
        }
        suites.push(Suite {
            name: expectation.name.clone(),
            cases,
        });
    }
    if report.scenario.fail_on_break {
        let cases = report
            .exchanges
            .iter()
            .filter(|e| e.error.is_none())
            .map(|result| {
                let why = breaks(result);
                Case {
                    name: super::safe::relative_display(&result.capture),
                    classname: classname(result),
                    status: if why.is_empty() {
                        CaseStatus::Passed
                    } else {
                        CaseStatus::Failed
                    },
                    message: why.join("; "),
                    exchange: Some(result),
                }
            })
            .collect::<Vec<_>>();
        if !cases.is_empty() {
            suites.push(Suite {
                name: EVERY_EXCHANGE.to_owned(),
                cases,
            });
        }
    }
    let mut problems = Vec::new();
    for result in &report.exchanges {
        if let Some(error) = &result.error {
            problems.push(Case {
                name: super::safe::relative_display(&result.capture),
                classname: classname(result),
                status: CaseStatus::Errored,
                message: format!("unreadable: {error}"),
                exchange: Some(result),
            });
        } else if !result.covered && report.scenario.strict_coverage {
            problems.push(Case {
                name: super::safe::relative_display(&result.capture),
                classname: classname(result),
                status: CaseStatus::Failed,
                message: "no expectation covers this exchange (strict_coverage = true)".to_owned(),
                exchange: Some(result),
            });
        }
    }
    if !problems.is_empty() {
        suites.push(Suite {
            name: CAPTURES.to_owned(),
            cases: problems,
        });
    }
    suites
}

/// Why an exchange does not work: its request breaks, its answer breaks, or no answer came.
fn breaks(result: &ExchangeResult) -> Vec<String> {
    let mut why = Vec::new();
    if let Some(request) = &result.request
        && request.verdict == Verdict::Breaks
    {
        why.push(format!(
            "request breaks ({})",
            error_codes(&request.violations)
        ));
    }
    if let Some(reason) = no_answer(result) {
        why.push(format!("no complete answer: {reason}"));
    }
    if let Some(response) = Report::judged_response(result)
        && response.verdict == Verdict::Breaks
    {
        why.push(format!(
            "answer breaks ({})",
            error_codes(&response.violations)
        ));
    }
    why
}

fn error_codes(violations: &[Violation]) -> String {
    let mut codes: Vec<&str> = violations
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .map(|v| v.code.as_str())
        .collect();
    codes.dedup();
    codes.join(", ")
}

fn classname(result: &ExchangeResult) -> String {
    format!(
        "{}.{}",
        super::model_key(result),
        result
            .request
            .as_ref()
            .map_or("none", |r| r.dialect.as_str())
    )
}
