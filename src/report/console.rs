//! The summary `run` and `report --merge` print on the console: the outcome with the failure
//! count every other output shows, the counts, and the failed checks (a few per group).

use std::fmt::Write as _;

use super::model::{Outcome, Report};
use super::verdict::{self, CaseStatus};
use crate::text::terminal::Line;

/// Failed checks printed per group; the rest are counted.
const SHOWN_PER_SUITE: usize = 3;

/// The console summary of a report, ending in a newline.
pub fn summary(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} failure(s) · {} exchange(s) · {} unreadable · {} request(s) break · answers: {} conform, {} error envelope(s), {} break · {} transport error(s) · {} warning(s) · expectations: {} passed, {} failed{}{}{}",
        match report.outcome {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
        },
        s.failures,
        s.exchanges,
        s.unreadable,
        s.requests_break,
        s.responses_conform,
        s.error_envelopes,
        s.responses_break,
        s.transport_errors,
        s.warnings,
        s.expectations_passed,
        s.expectations_failed,
        if s.expectations_not_applicable > 0 {
            format!(
                ", {} not applicable in {}",
                s.expectations_not_applicable,
                report
                    .scenario
                    .slice_label()
                    .unwrap_or_else(|| "this run".to_owned())
            )
        } else {
            String::new()
        },
        if s.uncovered > 0 {
            format!(" · {} uncovered", s.uncovered)
        } else {
            String::new()
        },
        report
            .scenario
            .merged_shards
            .map_or(String::new(), |n| format!(" · {n} shards merged")),
    );
    for suite in verdict::suites(report) {
        let failed: Vec<&verdict::Case<'_>> = suite
            .cases
            .iter()
            .filter(|c| matches!(c.status, CaseStatus::Failed | CaseStatus::Errored))
            .collect();
        for case in failed.iter().take(SHOWN_PER_SUITE) {
            let _ = writeln!(
                out,
                "  ✘ {}\n      {}: {}",
                Line(&suite.name),
                Line(&case.name),
                Line(&case.message)
            );
        }
        if failed.len() > SHOWN_PER_SUITE {
            let _ = writeln!(
                out,
                "  ✘ {}: {} more failure(s) (see junit.xml or report.md)",
                Line(&suite.name),
                failed.len() - SHOWN_PER_SUITE
            );
        }
    }
    out
}
