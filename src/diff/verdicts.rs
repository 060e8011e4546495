//! Comparing two answers by what their contract says of them: which rules each broke. Two
//! gateways can hand a client the same message while one of them breaks what the client needs
//! (a chunk without its `finish_reason` key): the message alone would call them equal.
//!
//! Each answer is judged under the strict profile by the contract of its request's endpoint;
//! a rule counts when it was broken at `error` or `warning` severity (an `info` is a note, not
//! a difference).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::capture::Exchange;
use crate::conformance::{self, Profile, RequestContext, Severity, Violation};

/// The rules only one side broke, and those both did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleDiff {
    pub only_a: Vec<RuleHit>,
    pub only_b: Vec<RuleHit>,
    /// Codes both sides broke.
    pub both: Vec<String>,
}

impl RuleDiff {
    pub fn is_empty(&self) -> bool {
        self.only_a.is_empty() && self.only_b.is_empty()
    }
}

/// One broken rule, with its first occurrence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleHit {
    pub code: String,
    pub severity: Severity,
    /// Where it was first broken, and how often.
    pub path: String,
    pub message: String,
    pub count: usize,
}

/// Compare the rules the answers of `a` and `b` broke.
pub fn compare(a: &Exchange, b: &Exchange) -> RuleDiff {
    let (left, right) = (broken(a), broken(b));
    let mut diff = RuleDiff::default();
    for (code, hit) in &left {
        if right.contains_key(code) {
            diff.both.push(code.clone());
        } else {
            diff.only_a.push(hit.clone());
        }
    }
    diff.only_b = right
        .into_iter()
        .filter(|(code, _)| !left.contains_key(code))
        .map(|(_, hit)| hit)
        .collect();
    diff
}

/// The rules an exchange's answer broke, by code.
fn broken(exchange: &Exchange) -> BTreeMap<String, RuleHit> {
    let Some(response) = &exchange.response else {
        return BTreeMap::new();
    };
    let request = &exchange.request;
    let contract = exchange.contract();
    let context = match request.body.as_ref().map(|body| body.json()) {
        Some(Ok(body)) => RequestContext::from_body(&body, contract, request.path()),
        _ => RequestContext::without_body(contract, request.path()),
    };
    let checked = conformance::check_response(response, &context, Profile::Strict);
    let mut hits: BTreeMap<String, RuleHit> = BTreeMap::new();
    for violation in checked
        .violations
        .into_iter()
        .filter(|v| v.severity != Severity::Info)
    {
        let Violation {
            code,
            severity,
            path,
            message,
            ..
        } = violation;
        hits.entry(code.clone())
            .and_modify(|hit| hit.count += 1)
            .or_insert(RuleHit {
                code,
                severity,
                path,
                message,
                count: 1,
            });
    }
    hits
}
