//! JUnit XML for CI (GitHub and GitLab render it): one suite per expectation, one test case per
//! exchange it covers; unreadable captures and (under `strict_coverage`) uncovered exchanges are
//! their own failing cases. Failures carry the reasons and the violations behind them.

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::model::{ExchangeResult, Report};
use super::safe::relative_display;
use crate::conformance::Severity;

pub fn render(report: &Report) -> String {
    let mut junit = JunitReport::new(format!("cursor-harness: {}", report.scenario.name));
    for expectation in &report.expectations {
        let mut suite = TestSuite::new(expectation.name.clone());
        for result in &report.exchanges {
            let Some(outcome) = result
                .expectations
                .iter()
                .find(|e| e.name == expectation.name)
            else {
                continue;
            };
            let status = if outcome.passed {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(outcome.reasons.join("; "));
                status.set_type("expectation");
                status.set_description(violation_text(result));
                status
            };
            suite.add_test_case(case(result, status));
        }
        junit.add_test_suite(suite);
    }
    let mut problems = TestSuite::new("captures");
    for result in &report.exchanges {
        if let Some(error) = &result.error {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(format!("unreadable: {error}"));
            problems.add_test_case(case(result, status));
        } else if !result.covered && report.scenario.strict_coverage {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message("no expectation covers this exchange (strict_coverage = true)");
            status.set_description(violation_text(result));
            problems.add_test_case(case(result, status));
        }
    }
    if !problems.test_cases.is_empty() {
        junit.add_test_suite(problems);
    }
    junit.to_string().unwrap_or_default()
}

fn case(result: &ExchangeResult, status: TestCaseStatus) -> TestCase {
    let mut case = TestCase::new(relative_display(&result.capture), status);
    case.set_classname(format!(
        "{}.{}",
        super::model_key(result),
        result
            .request
            .as_ref()
            .map_or("none", |r| r.dialect.as_str())
    ));
    case
}

/// The errors of the exchange, one per line, for the failure's text.
fn violation_text(result: &ExchangeResult) -> String {
    let judged = Report::judged_response(result);
    let mut lines: Vec<String> = result
        .request
        .iter()
        .flat_map(|r| r.violations.iter().map(|v| ("request", v)))
        .chain(
            judged
                .into_iter()
                .flat_map(|r| r.violations.iter().map(|v| ("response", v))),
        )
        .filter(|(_, v)| v.severity == Severity::Error)
        .map(|(side, v)| {
            format!(
                "{side} {} at {}: {}",
                v.code,
                if v.path.is_empty() { "/" } else { &v.path },
                v.message
            )
        })
        .collect();
    if let Some(status) = Report::judged_status(result) {
        lines.push(format!("status {status}"));
    }
    lines.join("\n")
}
