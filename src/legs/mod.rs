//! `legs`: both legs of a gateway. The client leg (what Cursor, or a replay, sent to the
//! gateway) and the provider leg (what the gateway sent to its provider) are recorded
//! independently; each provider exchange is linked to the client exchange that caused it
//! ([`mod@correlate`]), and each pair is compared by meaning ([`compare`] for the request,
//! [`answer`] for the way back). A 200 from a gateway proves nothing about what the provider
//! received: this is where a dropped system prompt or an untranslated tool shows.
//!
//! - [`mod@correlate`]: fingerprints, time windows, confidence, retries.
//! - [`compare`]: what was carried, translated, dropped or passed through untranslated.
//! - [`answer`]: the provider's answer against what the client received.
//! - [`reference`](mod@reference): the provider's Chat request against the reference translation.
//! - [`render`]: the text output; the JSON output is `schemas/legs.schema.json`.

pub mod answer;
pub mod compare;
pub mod correlate;
pub mod reference;
pub mod render;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use self::compare::{LegFinding, LegFindings, compare_requests};
use self::correlate::{Fingerprint, Link, correlate};
use crate::capture::input::{self, InputError};
use crate::capture::{Contract, Exchange};
use crate::conformance::{self, Profile, Severity, Verdict};
use crate::conversation::{self, Conversation};
use crate::dialect::{self, Dialect};

pub const LEGS_FORMAT: &str = "cursor-harness/legs";
pub const LEGS_VERSION: u32 = 1;

/// Everything `legs` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegsReport {
    pub format: String,
    pub version: u32,
    pub profile: Profile,
    /// Whether no pair has an error-severity finding.
    pub verdict: Verdict,
    pub pairs: Vec<LegPair>,
    /// Client exchanges no provider exchange was linked to (the gateway answered them itself,
    /// or the provider leg was not recorded).
    pub unmatched_client: Vec<Side>,
    /// Provider exchanges no client exchange explains.
    pub unmatched_provider: Vec<Side>,
    pub unreadable: Vec<Unreadable>,
    pub summary: LegsSummary,
}

/// One exchange of one leg.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    pub capture: String,
    pub id: String,
    pub model: Option<String>,
    pub endpoint: String,
    pub contract: Option<Contract>,
    pub dialect: Option<Dialect>,
    pub status: Option<u16>,
}

/// A client exchange, one provider exchange it caused, and what the gateway did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegPair {
    pub client: Side,
    pub provider: Side,
    pub link: Link,
    pub verdict: Verdict,
    pub findings: Vec<LegFinding>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unreadable {
    pub capture: String,
    pub error: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LegsSummary {
    pub client_exchanges: usize,
    pub provider_exchanges: usize,
    pub pairs: usize,
    /// Pairs with an error-severity finding.
    pub mangled: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings per rule code.
    pub by_code: BTreeMap<String, usize>,
}

/// An exchange read once for comparing.
struct Read {
    side: Side,
    exchange: Exchange,
    conversation: Option<Conversation>,
    fingerprint: Fingerprint,
    violations: Vec<conformance::Violation>,
}

fn read(origin: String, exchange: Exchange, profile: Profile) -> Read {
    let request = &exchange.request;
    let contract = exchange.contract();
    let body = request.body.as_ref().and_then(|body| body.json().ok());
    let (conversation, dialect, violations) = match &body {
        Some(body) => {
            let classification = dialect::classify(body, &request.headers);
            let violations = conformance::check_request(body, &classification, contract, profile);
            // Read by the dialect the body is in, so a body passed through untranslated still
            // says what it means.
            let conversation = conversation::read(body, classification.dialect, request.path());
            (conversation, Some(classification.dialect), violations)
        }
        None => (None, None, Vec::new()),
    };
    let start = epoch_ms(&exchange.recorded_at);
    let took = exchange
        .response
        .as_ref()
        .and_then(|r| r.ended_at_ms)
        .or_else(|| exchange.error.as_ref().and_then(|e| e.at_ms))
        // A request whose end is unknown stays open for the time a long answer takes.
        .unwrap_or(600_000.0);
    let fingerprint = match &conversation {
        Some(conversation) => Fingerprint::of(conversation, start, start.map(|s| s + took as i64)),
        None => Fingerprint::default(),
    };
    Read {
        side: Side {
            capture: origin,
            id: exchange.id.clone(),
            model: exchange.model_name().map(str::to_owned),
            endpoint: format!("{} {}", request.method, request.path()),
            contract,
            dialect,
            status: exchange.response.as_ref().map(|r| r.status),
        },
        conversation,
        fingerprint,
        violations,
        exchange,
    }
}

/// Milliseconds since the epoch of an RFC 3339 time, when it parses.
fn epoch_ms(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

/// One leg as read: its exchanges with where each came from, and what could not be read.
type Leg = (Vec<(String, Exchange)>, Vec<Unreadable>);

/// Load two legs from paths (captures, folders, HAR files) and compare them.
pub fn legs_paths(
    client: &[PathBuf],
    provider: &[PathBuf],
    profile: Profile,
) -> Result<LegsReport, InputError> {
    let load = |paths: &[PathBuf]| -> Result<Leg, InputError> {
        let candidates = input::expand(paths)?;
        let mut exchanges = Vec::new();
        let mut unreadable = Vec::new();
        for loaded in candidates
            .par_iter()
            .flat_map_iter(input::load)
            .collect::<Vec<_>>()
        {
            match loaded.result {
                Ok(exchange) => exchanges.push((loaded.origin, exchange)),
                Err(error) => unreadable.push(Unreadable {
                    capture: loaded.origin,
                    error,
                }),
            }
        }
        Ok((exchanges, unreadable))
    };
    let (clients, mut unreadable) = load(client)?;
    let (providers, more) = load(provider)?;
    unreadable.extend(more);
    let mut report = legs(clients, providers, profile);
    report.unreadable = unreadable;
    Ok(report)
}

/// Compare two legs already loaded.
pub fn legs(
    clients: Vec<(String, Exchange)>,
    providers: Vec<(String, Exchange)>,
    profile: Profile,
) -> LegsReport {
    let clients: Vec<Read> = clients
        .into_par_iter()
        .map(|(origin, exchange)| read(origin, exchange, profile))
        .collect();
    let providers: Vec<Read> = providers
        .into_par_iter()
        .map(|(origin, exchange)| read(origin, exchange, profile))
        .collect();
    let client_prints: Vec<Fingerprint> = clients.iter().map(|r| r.fingerprint.clone()).collect();
    let provider_prints: Vec<Fingerprint> =
        providers.iter().map(|r| r.fingerprint.clone()).collect();
    let links = correlate(&client_prints, &provider_prints);
    let mut linked_clients = vec![false; clients.len()];
    let mut pairs = Vec::new();
    let mut unmatched_provider = Vec::new();
    for (provider, link) in providers.iter().zip(links) {
        let Some((index, link)) = link else {
            unmatched_provider.push(provider.side.clone());
            continue;
        };
        linked_clients[index] = true;
        let client = &clients[index];
        let mut findings = LegFindings::new(profile);
        if let (Some(ours), Some(theirs)) = (&client.conversation, &provider.conversation) {
            let own = provider.side.contract.and_then(Dialect::of_contract);
            compare_requests(ours, theirs, &provider.violations, own, &mut findings);
            if provider.side.contract == Some(Contract::ChatCompletions)
                && let Some(Ok(body)) = provider.exchange.request.body.as_ref().map(|b| b.json())
            {
                reference::compare_with_reference(ours, &body, &mut findings);
            }
        }
        answer::compare_answers(&client.exchange, &provider.exchange, &mut findings);
        let findings = findings.list;
        let verdict = if findings.iter().any(|f| f.severity == Severity::Error) {
            Verdict::Breaks
        } else {
            Verdict::Conforms
        };
        pairs.push(LegPair {
            client: client.side.clone(),
            provider: provider.side.clone(),
            link,
            verdict,
            findings,
        });
    }
    pairs.sort_by(|a, b| {
        (a.client.capture.as_str(), a.link.attempt)
            .cmp(&(b.client.capture.as_str(), b.link.attempt))
    });
    let unmatched_client = clients
        .iter()
        .zip(&linked_clients)
        .filter(|(_, linked)| !**linked)
        .map(|(read, _)| read.side.clone())
        .collect();
    let mut summary = LegsSummary {
        client_exchanges: clients.len(),
        provider_exchanges: providers.len(),
        pairs: pairs.len(),
        ..LegsSummary::default()
    };
    for pair in &pairs {
        if pair.verdict == Verdict::Breaks {
            summary.mangled += 1;
        }
        for finding in &pair.findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
            *summary.by_code.entry(finding.code.clone()).or_default() += 1;
        }
    }
    LegsReport {
        format: LEGS_FORMAT.to_owned(),
        version: LEGS_VERSION,
        profile,
        verdict: if summary.mangled > 0 {
            Verdict::Breaks
        } else {
            Verdict::Conforms
        },
        pairs,
        unmatched_client,
        unmatched_provider,
        unreadable: Vec::new(),
        summary,
    }
}
