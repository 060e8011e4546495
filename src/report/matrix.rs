//! The compatibility matrix: Cursor's formats down, the targets across. A format is what
//! Cursor sends for one model as selected, in one request dialect, from one mode; a cell is
//! what one target did with it, decided by its worst exchange.

use std::collections::BTreeMap;

use super::judged;
use super::model::{Answer, CellOutcome, ExchangeResult, Matrix, MatrixCell, MatrixRow, Report};
use crate::conformance::Severity;

/// The matrix of a run with `[[targets]]` (`None` with one target or none).
pub fn build(report: &Report) -> Option<Matrix> {
    if report.scenario.targets.is_empty() {
        return None;
    }
    let columns: Vec<String> = report
        .scenario
        .targets
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let mut rows: BTreeMap<(String, String, String), Vec<Vec<&ExchangeResult>>> = BTreeMap::new();
    for result in report.exchanges.iter().filter(|e| e.error.is_none()) {
        let Some(column) = result
            .target
            .as_ref()
            .and_then(|t| columns.iter().position(|c| c == t))
        else {
            continue;
        };
        let key = (
            super::model_key(result),
            result
                .request
                .as_ref()
                .map_or("none".to_owned(), |r| r.dialect.as_str().to_owned()),
            result.mode.clone().unwrap_or_else(|| "-".to_owned()),
        );
        rows.entry(key)
            .or_insert_with(|| vec![Vec::new(); columns.len()])[column]
            .push(result);
    }
    let rows = rows
        .into_iter()
        .map(|((model, dialect, mode), cells)| MatrixRow {
            model,
            dialect,
            mode,
            cells: cells.into_iter().map(|results| cell(&results)).collect(),
        })
        .collect();
    Some(Matrix { columns, rows })
}

/// What one target did with one format's exchanges.
fn cell(results: &[&ExchangeResult]) -> MatrixCell {
    let mut statuses = BTreeMap::new();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    let mut worst: Option<(CellOutcome, &ExchangeResult)> = None;
    for result in results {
        let status = Report::judged_status(result).map_or("none".to_owned(), |s| s.to_string());
        *statuses.entry(status).or_insert(0) += 1;
        for violation in Report::judged_response(result)
            .into_iter()
            .flat_map(|r| &r.violations)
            .filter(|v| v.severity == Severity::Error)
        {
            *codes.entry(violation.code.clone()).or_insert(0) += 1;
        }
        let outcome = outcome(result);
        if worst.is_none_or(|(w, _)| outcome < w) {
            worst = Some((outcome, result));
        }
    }
    let mut ranked: Vec<(String, usize)> = codes.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let (outcome, example) = match worst {
        Some((outcome, example)) => (outcome, Some(example)),
        None => (CellOutcome::Absent, None),
    };
    MatrixCell {
        outcome,
        exchanges: results.len(),
        statuses,
        codes: ranked.into_iter().map(|(code, _)| code).collect(),
        // The worst exchange's words, else the first words any exchange of the cell had (a
        // cell that breaks on a 200 may also hold a 500 worth reading).
        message: example
            .and_then(words)
            .or_else(|| results.iter().find_map(|e| words(e))),
        capture: example.map(|e| e.capture.clone()),
    }
}

/// What the target said about one exchange: its error message, or the transport failure.
fn words(result: &ExchangeResult) -> Option<String> {
    let replayed = result.replayed.as_ref()?;
    replayed.message.clone().or_else(|| replayed.error.clone())
}

/// The outcome of one exchange on its target.
pub fn outcome(result: &ExchangeResult) -> CellOutcome {
    if judged::no_answer(result).is_some() {
        return CellOutcome::NoAnswer;
    }
    match judged::answer(result) {
        None => CellOutcome::NoAnswer,
        Some(Answer::Breaks) => CellOutcome::Breaks,
        Some(Answer::ErrorEnvelope) => CellOutcome::Refused,
        Some(Answer::Conforms) => match &result.leg {
            Some(leg) if leg.mangled() => CellOutcome::Mangled,
            _ => CellOutcome::Works,
        },
    }
}
