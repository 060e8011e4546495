//! `run --shrink`: one failing request of each format that breaks (per target, model and
//! dialect) shrunk on its own target to the smallest body that still fails the same way; the
//! reports show it as the reproducer instead of the fixed trimming rule.

use std::collections::{HashMap, HashSet};

use super::targets::Resolved;
use crate::capture::Exchange;
use crate::conformance::Verdict;
use crate::report::model::{ExchangeResult, Report, Reproducer};
use crate::shrink::{self, ShrinkOptions};

/// Shrink the first breaking exchange of each (target, model, dialect), in order; each result
/// shrunk gets its `reproducer`.
pub async fn shrink_failing(
    results: &mut [ExchangeResult],
    originals: &HashMap<String, Exchange>,
    targets: &[Resolved],
    budget: usize,
) {
    let mut done: HashSet<(Option<String>, String, String)> = HashSet::new();
    for result in results.iter_mut() {
        if result.error.is_some() || !breaks(result) {
            continue;
        }
        let key = (
            result.target.clone(),
            crate::report::model_key(result),
            result
                .request
                .as_ref()
                .map_or("none".to_owned(), |r| r.dialect.as_str().to_owned()),
        );
        if done.contains(&key) {
            continue;
        }
        let Some(target) = targets.iter().find(|t| t.name == result.target) else {
            continue;
        };
        let Some(original) = result.id.as_ref().and_then(|id| originals.get(id)) else {
            continue;
        };
        done.insert(key);
        let options = ShrinkOptions {
            target: target.options.target.clone(),
            auth: target.options.auth.clone(),
            rewrite: target.options.rewrite.clone(),
            budget,
            concurrency: 4,
            timeout: target.options.timeout,
            http2: target.options.http2,
            target_cas: target.options.target_cas.clone(),
        };
        eprintln!(
            "shrinking {}{}",
            result
                .target
                .as_deref()
                .map_or(String::new(), |t| format!("{t}: ")),
            result.capture
        );
        result.reproducer = Some(match shrink::shrink(original, options, |_, _| {}).await {
            Ok(shrunk) => Reproducer {
                ending: serde_json::to_value(shrunk.ending)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                failure: shrunk.signature.as_ref().map(|s| s.describe()),
                original_bytes: shrunk.original_bytes,
                bytes: shrunk.bytes,
                requests: shrunk.requests,
                body: Some(shrunk.body),
                note: shrunk.note,
            },
            Err(err) => Reproducer {
                ending: "error".to_owned(),
                failure: None,
                original_bytes: 0,
                bytes: 0,
                requests: 0,
                body: None,
                note: Some(err.to_string()),
            },
        });
    }
}

/// Whether the request or the judged answer breaks the contract, or the target refused it.
fn breaks(result: &ExchangeResult) -> bool {
    result
        .request
        .as_ref()
        .is_some_and(|r| r.verdict == Verdict::Breaks)
        || Report::judged_response(result).is_some_and(|r| r.verdict == Verdict::Breaks)
}
