//! `check`: classify and check every exchange found under the given paths, in parallel, in a
//! deterministic order. The result is the JSON contract of `docs/check-output.md`
//! (`schemas/check-results.schema.json`).

pub mod markdown;
pub mod text;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::capture::input::{self, Candidate, InputError, Loaded};
use crate::capture::{Contract, Exchange, ProvenanceKind, TransportSummary};
use crate::conformance::{self, Profile, RequestContext, ResponseKind, Rule, Verdict, Violation};
use crate::dialect::{self, Classification, Confidence, Dialect, Evidence};
use crate::timing::Timing;

/// Everything `check` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResults {
    pub profile: Profile,
    pub results: Vec<ExchangeReport>,
    pub summary: Summary,
}

/// The verdict on one exchange (or the reason its file could not be read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeReport {
    /// Where the exchange was read from (`file.har#3` for HAR entries).
    pub capture: String,
    pub id: Option<String>,
    pub model: Option<String>,
    pub provenance: Option<ProvenanceKind>,
    /// `METHOD /path` of the request.
    pub endpoint: Option<String>,
    /// The contract the exchange was judged by (`null`: no contract covers the endpoint).
    pub contract: Option<Contract>,
    /// Why the file could not be read; such a row has no request or response.
    pub error: Option<String>,
    /// A transport failure recorded in the capture.
    pub transport: Option<TransportSummary>,
    /// `null` when the request had no body to check (e.g. `GET /models`).
    pub request: Option<RequestReport>,
    /// `null` when the exchange has no response.
    pub response: Option<ResponseReport>,
    pub timing: Option<Timing>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestReport {
    pub dialect: Dialect,
    pub foreign: Vec<Dialect>,
    pub confidence: Confidence,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_valid_as: Vec<Dialect>,
    pub evidence: Vec<Evidence>,
    pub verdict: Verdict,
    pub violations: Vec<Violation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseReport {
    pub status: u16,
    pub kind: ResponseKind,
    /// The API the answer is in (`chat-completions` when it is right).
    pub dialect: Option<Dialect>,
    pub verdict: Verdict,
    pub violations: Vec<Violation>,
    /// Body bytes the capture left out (its `omitted`): rules about how the body ends may be
    /// judging the capture's cut, not the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omitted_bytes: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub exchanges: usize,
    pub unreadable: usize,
    pub requests_conform: usize,
    pub requests_break: usize,
    pub responses_conform: usize,
    pub responses_break: usize,
    pub transport_errors: usize,
    /// One row per (model, request dialect).
    pub by_model: Vec<ModelRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    pub model: String,
    /// Request dialect, or `none` for body-less requests such as `GET /models`.
    pub dialect: String,
    pub exchanges: usize,
    pub requests_break: usize,
    pub responses_break: usize,
    /// Response statuses seen, with counts (`"200": 3`).
    pub statuses: BTreeMap<String, usize>,
}

impl ExchangeReport {
    /// Whether this row means trouble: unreadable, a transport failure, or a break.
    pub fn failed(&self) -> bool {
        self.error.is_some()
            || self.transport.is_some()
            || self
                .request
                .as_ref()
                .is_some_and(|r| r.verdict == Verdict::Breaks)
            || self
                .response
                .as_ref()
                .is_some_and(|r| r.verdict == Verdict::Breaks)
    }

    /// Every violation of the row, request first.
    pub fn violations(&self) -> impl Iterator<Item = &Violation> {
        let request = self.request.iter().flat_map(|r| r.violations.iter());
        let response = self.response.iter().flat_map(|r| r.violations.iter());
        request.chain(response)
    }
}

impl CheckResults {
    pub fn any_failed(&self) -> bool {
        self.results.iter().any(ExchangeReport::failed)
    }
}

/// Check everything under `paths`. Fails when a path does not exist or when nothing at all was
/// found to check; unreadable files (and folders with nothing in them) become rows with `error`.
pub fn check_paths(paths: &[PathBuf], profile: Profile) -> Result<CheckResults, InputError> {
    check_paths_as(paths, profile, None)
}

/// [`check_paths`] with every exchange judged by `contract` when one is given, rather than by
/// the contract of its endpoint.
pub fn check_paths_as(
    paths: &[PathBuf],
    profile: Profile,
    contract: Option<Contract>,
) -> Result<CheckResults, InputError> {
    let candidates = input::expand(paths)?;
    Ok(check_candidates_as(&candidates, profile, contract))
}

/// Check already-expanded inputs (in parallel; the output keeps the input order).
pub fn check_candidates(candidates: &[Candidate], profile: Profile) -> CheckResults {
    check_candidates_as(candidates, profile, None)
}

/// [`check_candidates`] under a chosen contract.
pub fn check_candidates_as(
    candidates: &[Candidate],
    profile: Profile,
    contract: Option<Contract>,
) -> CheckResults {
    finish(
        check_where(candidates, profile, contract, &|_| true),
        profile,
    )
}

/// Check the inputs `keep` lets through (in parallel, in input order), each by `contract` when
/// one is given; the rows, without a summary (see [`finish`]).
pub fn check_where(
    candidates: &[Candidate],
    profile: Profile,
    contract: Option<Contract>,
    keep: &(dyn Fn(&Loaded) -> bool + Sync),
) -> Vec<ExchangeReport> {
    candidates
        .par_iter()
        .flat_map_iter(|candidate| {
            input::load(candidate)
                .into_iter()
                .filter(|loaded| keep(loaded))
                .map(move |loaded| check_loaded_as(loaded, profile, contract))
        })
        .collect()
}

/// Assemble results with their summary.
pub fn finish(results: Vec<ExchangeReport>, profile: Profile) -> CheckResults {
    let summary = summarise(&results);
    CheckResults {
        profile,
        results,
        summary,
    }
}

pub fn check_loaded(loaded: Loaded, profile: Profile) -> ExchangeReport {
    check_loaded_as(loaded, profile, None)
}

/// [`check_loaded`] under a chosen contract.
pub fn check_loaded_as(
    loaded: Loaded,
    profile: Profile,
    contract: Option<Contract>,
) -> ExchangeReport {
    match loaded.result {
        Ok(exchange) => check_exchange_as(&exchange, loaded.origin, profile, contract),
        Err(error) => ExchangeReport {
            capture: loaded.origin,
            id: None,
            model: None,
            provenance: None,
            endpoint: None,
            contract: None,
            error: Some(error),
            transport: None,
            request: None,
            response: None,
            timing: None,
        },
    }
}

/// Classify and check one exchange under the contract of its endpoint.
pub fn check_exchange(exchange: &Exchange, origin: String, profile: Profile) -> ExchangeReport {
    check_exchange_as(exchange, origin, profile, None)
}

/// Classify and check one exchange; `contract` overrides the one its endpoint speaks (a
/// gateway's unusual path, `check --contract`).
pub fn check_exchange_as(
    exchange: &Exchange,
    origin: String,
    profile: Profile,
    contract: Option<Contract>,
) -> ExchangeReport {
    let request = &exchange.request;
    let contract = contract.or_else(|| exchange.contract());
    // The query matters too: Gemini's `alt=sse` decides how a stream is delivered.
    let target = request.target.as_str();
    let parsed = request.body.as_ref().map(|body| body.json());
    let (mut request_report, context) = match &parsed {
        None => (None, RequestContext::without_body(contract, target)),
        Some(Ok(body)) => {
            let classification = dialect::classify(body, &request.headers);
            let violations = conformance::check_request(body, &classification, contract, profile);
            (
                Some(request_report(classification, violations)),
                RequestContext::from_body(body, contract, target),
            )
        }
        Some(Err(err)) => {
            let classification = Classification {
                dialect: Dialect::Unknown,
                foreign: Vec::new(),
                confidence: Confidence::High,
                also_valid_as: Vec::new(),
                evidence: Vec::new(),
            };
            let violations = conformance::unreadable_request(&err.message, profile);
            (
                Some(request_report(classification, violations)),
                RequestContext::without_body(contract, target),
            )
        }
    };
    if let (Some(report), Some(note)) = (&mut request_report, &request.encoding_mismatch) {
        report.violations.push(conformance::encoding_mismatch(
            Rule::RequestContentEncoding,
            note,
            profile,
        ));
        report.verdict = Verdict::of(&report.violations);
    }
    let (mut response_report, timing) = match &exchange.response {
        None => (None, None),
        Some(response) => {
            let mut checked = conformance::check_response(response, &context, profile);
            if let Some(note) = &response.encoding_mismatch {
                checked.violations.push(conformance::encoding_mismatch(
                    Rule::ResponseContentEncoding,
                    note,
                    profile,
                ));
            }
            let timing = Timing::of(response, checked.first_content_chunk);
            (
                Some(ResponseReport {
                    status: response.status,
                    kind: checked.kind,
                    dialect: checked.dialect,
                    verdict: Verdict::of(&checked.violations),
                    violations: checked.violations,
                    omitted_bytes: response.omitted.as_ref().map(|o| o.bytes),
                }),
                Some(timing),
            )
        }
    };
    let mut transport = exchange.error.as_ref().map(|e| TransportSummary {
        kind: e.kind,
        message: e.message.clone(),
    });
    if let (Some(failure), Some(response), Some(report)) =
        (&transport, &exchange.response, response_report.as_mut())
        && response.omitted.is_none()
        && response.stream_complete()
    {
        // Recorded by a build (or a tool) that called this a failure: the client had the
        // whole stream, so it is a note, not a transport failure.
        let rule = conformance::Rule::StreamClosedAfterEnd;
        report.violations.push(Violation {
            code: rule.code().to_owned(),
            severity: rule.severity(profile),
            path: "/stream".to_owned(),
            message: format!(
                "the stream was complete; then the connection ended ({}: {})",
                failure.kind.as_str(),
                failure.message
            ),
            dialect: None,
        });
        transport = None;
    }
    ExchangeReport {
        capture: origin,
        id: Some(exchange.id.clone()),
        model: exchange.model_name().map(str::to_owned),
        provenance: Some(exchange.provenance.kind),
        endpoint: Some(format!("{} {}", request.method, request.path())),
        contract,
        error: None,
        transport,
        request: request_report,
        response: response_report,
        timing,
    }
}

fn request_report(classification: Classification, violations: Vec<Violation>) -> RequestReport {
    RequestReport {
        dialect: classification.dialect,
        foreign: classification.foreign,
        confidence: classification.confidence,
        also_valid_as: classification.also_valid_as,
        evidence: classification.evidence,
        verdict: Verdict::of(&violations),
        violations,
    }
}

fn summarise(results: &[ExchangeReport]) -> Summary {
    let mut summary = Summary::default();
    let mut rows: BTreeMap<(String, String), ModelRow> = BTreeMap::new();
    for result in results {
        if result.error.is_some() {
            summary.unreadable += 1;
            continue;
        }
        summary.exchanges += 1;
        if result.transport.is_some() {
            summary.transport_errors += 1;
        }
        let model = result.model.clone().unwrap_or_else(|| "(none)".to_owned());
        let dialect = result
            .request
            .as_ref()
            .map_or("none".to_owned(), |r| r.dialect.as_str().to_owned());
        let row = rows
            .entry((model.clone(), dialect.clone()))
            .or_insert_with(|| ModelRow {
                model,
                dialect,
                exchanges: 0,
                requests_break: 0,
                responses_break: 0,
                statuses: BTreeMap::new(),
            });
        row.exchanges += 1;
        if let Some(request) = &result.request {
            match request.verdict {
                Verdict::Conforms => summary.requests_conform += 1,
                Verdict::Breaks => {
                    summary.requests_break += 1;
                    row.requests_break += 1;
                }
            }
        }
        match &result.response {
            Some(response) => {
                *row.statuses.entry(response.status.to_string()).or_default() += 1;
                match response.verdict {
                    Verdict::Conforms => summary.responses_conform += 1,
                    Verdict::Breaks => {
                        summary.responses_break += 1;
                        row.responses_break += 1;
                    }
                }
            }
            None => *row.statuses.entry("none".to_owned()).or_default() += 1,
        }
    }
    summary.by_model = rows.into_values().collect();
    summary
}
