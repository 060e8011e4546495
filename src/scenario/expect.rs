//! Expectations: which exchanges each one covers, and whether each check holds for them.

use globset::GlobMatcher;

use super::file::{Expectation, LegExpect, StatusExpect};
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
    target: Option<GlobMatcher>,
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
            target: matcher(&e.target),
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
        let target_ok = self.target.as_ref().is_none_or(|t| {
            result.error.is_none()
                && result
                    .target
                    .as_deref()
                    .is_some_and(|name| t.is_match(name))
        });
        model_ok && dialect_ok && capture_ok && target_ok
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
        if let Some(expected) = e.leg {
            leg_reasons(result, expected, &mut reasons);
        }
        ExpectationResult {
            name: e.name.clone(),
            passed: reasons.is_empty(),
            reasons,
        }
    }
}

/// Why the provider leg is not what the expectation says, naming the gateway's departures.
fn leg_reasons(result: &ExchangeResult, expected: LegExpect, reasons: &mut Vec<String>) {
    let Some(leg) = &result.leg else {
        reasons.push(
            "no provider leg was recorded for this exchange (the target did not call the provider recorder, or nothing was replayed)"
                .to_owned(),
        );
        return;
    };
    if let Some(why) = crate::report::judged::no_answer(result) {
        reasons.push(format!(
            "no answer from the target ({why}), so no provider leg to judge"
        ));
        return;
    }
    if leg.provider_requests == 0 {
        reasons.push("the target answered without calling its provider".to_owned());
        return;
    }
    match (expected, leg.mangled()) {
        (LegExpect::Faithful, true) => {
            for finding in leg
                .findings
                .iter()
                .filter(|f| f.severity == crate::conformance::Severity::Error)
                .take(5)
            {
                reasons.push(format!(
                    "provider leg: {} ({}){}",
                    finding.message,
                    finding.code,
                    finding
                        .provider_path
                        .as_deref()
                        .map_or(String::new(), |p| format!(
                            " at {}",
                            if p.is_empty() { "/" } else { p }
                        ))
                ));
            }
        }
        (LegExpect::Mangled, false) => reasons.push(
            "the provider leg is faithful, expected the gateway to mangle it (fixed upstream? update the expectation)"
                .to_owned(),
        ),
        _ => {}
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
