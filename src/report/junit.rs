//! JUnit XML for CI (GitHub and GitLab render it): the checks of [`super::verdict::suites`],
//! one suite per expectation with one test case per exchange it covers (a skipped case when it
//! is not applicable in this slice of the captures), then the exchanges that must work and the capture problems
//! (unreadable, uncovered). Failures carry the reasons and the violations behind them. Text
//! from captures and scenarios goes through [`crate::text::xml`].

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::model::{ExchangeResult, Report};
use super::verdict::{self, CaseStatus};
use crate::conformance::Severity;
use crate::text::xml::text as xml;

pub fn render(report: &Report) -> String {
    let mut junit = JunitReport::new(format!("cursor-harness: {}", xml(&report.scenario.name)));
    for suite in verdict::suites(report) {
        let mut out = TestSuite::new(xml(&suite.name).into_owned());
        for case in suite.cases {
            let status = match case.status {
                CaseStatus::Passed => TestCaseStatus::success(),
                CaseStatus::Skipped => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(xml(&case.message).into_owned());
                    status
                }
                CaseStatus::Failed | CaseStatus::Errored => {
                    let kind = if case.status == CaseStatus::Errored {
                        NonSuccessKind::Error
                    } else {
                        NonSuccessKind::Failure
                    };
                    let mut status = TestCaseStatus::non_success(kind);
                    status.set_message(xml(&case.message).into_owned());
                    if let Some(result) = case.exchange
                        && result.error.is_none()
                    {
                        status.set_description(xml(&violation_text(result)).into_owned());
                    }
                    status
                }
            };
            let mut test = TestCase::new(xml(&case.name).into_owned(), status);
            test.set_classname(xml(&case.classname).into_owned());
            out.add_test_case(test);
        }
        junit.add_test_suite(out);
    }
    junit.to_string().unwrap_or_default()
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
