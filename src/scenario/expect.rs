//! Expectations: which exchanges each one covers, and whether each check holds for them.

use globset::GlobMatcher;

use super::file::{Expectation, StatusExpect};
use crate::conformance::Verdict;
use crate::dialect::Dialect;
use crate::report::model::{ExchangeResult, ExpectationResult, Report};
use crate::report::safe::relative_display;

/// An expectation with its globs compiled.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub expectation: Expectation,
    model: Option<GlobMatcher>,
    capture: Option<GlobMatcher>,
}

/// Compile expectations (their globs were validated when the file was parsed).
pub fn compile(expectations: &[Expectation]) -> Vec<Compiled> {
    let matcher = |glob: &Option<String>| {
        glob.as_ref()
            .and_then(|g| globset::Glob::new(g).ok())
            .map(|g| g.compile_matcher())
    };
    expectations
        .iter()
        .map(|e| Compiled {
            model: matcher(&e.model),
            capture: matcher(&e.capture),
            expectation: e.clone(),
        })
        .collect()
}

impl Compiled {
    /// Whether the expectation is about this exchange (every given selector must match).
    pub fn covers(&self, result: &ExchangeResult) -> bool {
        let model_ok = self
            .model
            .as_ref()
            .is_none_or(|m| m.is_match(crate::report::model_key(result)));
        let dialect_ok = self.expectation.dialect.is_none_or(|d| {
            result.request.as_ref().map(|r| r.dialect) == Some(d)
                || (d == Dialect::Unknown && result.request.is_none())
        });
        let capture_ok = self.capture.as_ref().is_none_or(|c| {
            c.is_match(&result.capture) || c.is_match(relative_display(&result.capture))
        });
        model_ok && dialect_ok && capture_ok
    }

    /// Check every stated property; the reasons say what differed.
    pub fn evaluate(&self, result: &ExchangeResult) -> ExpectationResult {
        let e = &self.expectation;
        let mut reasons = Vec::new();
        if let Some(error) = &result.error {
            reasons.push(format!("the capture could not be read: {error}"));
            return ExpectationResult {
                name: e.name.clone(),
                passed: false,
                reasons,
            };
        }
        if let Some(expected) = e.request {
            match &result.request {
                Some(request) if request.verdict == expected => {}
                Some(request) => reasons.push(format!(
                    "request {}, expected it to {}",
                    request.verdict.as_str(),
                    verb(expected)
                )),
                None => reasons.push(format!(
                    "no request body to judge, expected it to {}",
                    verb(expected)
                )),
            }
        }
        let request_codes: Vec<&str> = result
            .request
            .iter()
            .flat_map(|r| r.violations.iter().map(|v| v.code.as_str()))
            .collect();
        for code in &e.request_codes {
            if !request_codes.contains(&code.as_str()) {
                reasons.push(format!("request has no `{code}` violation"));
            }
        }
        let status = Report::judged_status(result);
        if let Some(expected) = &e.status {
            match status {
                Some(status) if expected.allows(status) => {}
                Some(status) => {
                    reasons.push(format!("status {status}, expected {}", expected.describe()))
                }
                None => reasons.push(format!(
                    "no response, expected status {}",
                    describe_status(expected)
                )),
            }
        }
        let judged = Report::judged_response(result);
        if let Some(expected) = e.response {
            match judged {
                Some(response) if response.verdict == expected => {}
                Some(response) => reasons.push(format!(
                    "response {}, expected it to {}",
                    response.verdict.as_str(),
                    verb(expected)
                )),
                None => reasons.push(format!(
                    "no response to judge, expected it to {}",
                    verb(expected)
                )),
            }
        }
        let response_codes: Vec<&str> = judged
            .iter()
            .flat_map(|r| r.violations.iter().map(|v| v.code.as_str()))
            .collect();
        for code in &e.response_codes {
            if !response_codes.contains(&code.as_str()) {
                reasons.push(format!("response has no `{code}` violation"));
            }
        }
        if let Some(expected) = e.matches_golden {
            match &result.golden {
                Some(diff) if diff.equal == expected => {}
                Some(diff) => reasons.push(if expected {
                    format!("the replayed answer differs from the golden capture ({} change(s), first at {})", diff.changes.len(), diff.changes.first().map_or("?", |c| c.pointer.as_str()))
                } else {
                    "the replayed answer equals the golden capture".to_owned()
                }),
                None => reasons.push("matches_golden needs a target to replay against and a captured response".to_owned()),
            }
        }
        ExpectationResult {
            name: e.name.clone(),
            passed: reasons.is_empty(),
            reasons,
        }
    }
}

fn verb(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Conforms => "conform",
        Verdict::Breaks => "break",
    }
}

fn describe_status(expected: &StatusExpect) -> String {
    expected.describe()
}
