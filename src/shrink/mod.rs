//! `shrink`: the smallest request that still fails the same way on the live target. The
//! capture's request is sent again (its "send again" view, with the key from the environment),
//! its failure's [`signature`] is taken twice (a target that answers differently twice is
//! flaky, and shrinking it would chase noise), then smaller bodies ([`reduce`]) are tried, the
//! biggest cuts first, keeping each one that fails with the same signature, until nothing
//! smaller does or the request budget is spent. The result is checked once more at the end.
//!
//! - [`signature`]: what counts as the same failure.
//! - [`reduce`]: the smaller bodies to try, in order.
//! - `oracle`: sends bodies to the target, several at once, and tells their signatures.

mod oracle;
pub mod reduce;
pub mod signature;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::oracle::Oracle;
use self::reduce::reductions;
use self::signature::Signature;
use crate::capture::Exchange;
use crate::capture::resend::Rewrite;
use crate::replay::client::{Client, ClientError};
use crate::replay::prepare::Auth;
use crate::replay::{ReplayError, Target};

/// How to shrink.
#[derive(Debug, Clone)]
pub struct ShrinkOptions {
    pub target: Target,
    pub auth: Option<Auth>,
    pub rewrite: Rewrite,
    /// Requests at most, the two first sends and the final check included.
    pub budget: usize,
    /// Candidates tried at once.
    pub concurrency: usize,
    pub timeout: Duration,
    pub http2: bool,
    /// CAs to trust for the target's certificate, besides the system's.
    pub target_cas: Vec<std::path::PathBuf>,
}

impl Default for ShrinkOptions {
    fn default() -> Self {
        ShrinkOptions {
            target: Target::Embedded(crate::gateway::Mode::Validate(
                crate::conformance::Profile::Strict,
            )),
            auth: None,
            rewrite: Rewrite::default(),
            budget: 300,
            concurrency: 4,
            timeout: Duration::from_secs(60),
            http2: false,
            target_cas: Vec::new(),
        }
    }
}

/// How a shrink ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ending {
    /// Nothing smaller fails the same way.
    Minimal,
    /// The budget ran out first: smaller may exist.
    BudgetSpent,
    /// The request does not fail on this target: nothing to shrink.
    DoesNotFail,
    /// The same request failed two different ways.
    Flaky,
    /// The target could not be reached, or stopped answering.
    Unreachable,
}

/// What shrinking found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shrunk {
    pub ending: Ending,
    /// The failure kept throughout (the original request's).
    pub signature: Option<Signature>,
    pub original_bytes: usize,
    /// The smallest body that fails the same way.
    pub body: Value,
    pub bytes: usize,
    /// Each kept reduction, in order.
    pub steps: Vec<String>,
    pub requests: usize,
    /// Sends that failed at the transport (not counted as progress).
    pub transport_failures: usize,
    pub elapsed_ms: f64,
    /// When the ending is not `minimal`, what happened.
    pub note: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ShrinkError {
    #[error("the capture's request has no JSON body to shrink")]
    NoJsonBody,
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Replay(#[from] ReplayError),
    #[error("the capture cannot be sent again: {0}")]
    Prepare(String),
}

/// Shrink the request of `exchange` against the target; `progress` hears of every kept step
/// (requests used so far, bytes of the body now).
pub async fn shrink(
    exchange: &Exchange,
    options: ShrinkOptions,
    progress: impl FnMut(usize, usize),
) -> Result<Shrunk, ShrinkError> {
    let original = exchange
        .request
        .body
        .as_ref()
        .and_then(|body| body.json().ok())
        .map(|body| body.into_owned())
        .ok_or(ShrinkError::NoJsonBody)?;
    let (stop, base) = match &options.target {
        Target::Url(uri) => (None, uri.clone()),
        Target::Embedded(mode) => {
            let (stop, base) = crate::replay::serve_embedded(*mode, 1).await?;
            (Some(stop), base)
        }
    };
    let result = async {
        let client = Client::new(&base, options.http2, options.timeout, &options.target_cas)?;
        let oracle = Oracle::new(
            client,
            base,
            exchange.clone(),
            options.auth.clone(),
            options.rewrite.clone(),
            options.http2,
        )
        .map_err(ShrinkError::Prepare)?;
        Ok(search(Arc::new(oracle), original, &options, progress).await)
    }
    .await;
    if let Some(stop) = stop {
        let _ = stop.send(());
    }
    result
}

/// The search itself: the first sends, the passes of reductions, the final check.
async fn search(
    oracle: Arc<Oracle>,
    original: Value,
    options: &ShrinkOptions,
    mut progress: impl FnMut(usize, usize),
) -> Shrunk {
    let started = Instant::now();
    let size = |body: &Value| serde_json::to_vec(body).map_or(0, |b| b.len());
    let mut result = Shrunk {
        ending: Ending::Minimal,
        signature: None,
        original_bytes: size(&original),
        body: original.clone(),
        bytes: 0,
        steps: Vec::new(),
        requests: 0,
        transport_failures: 0,
        elapsed_ms: 0.0,
        note: None,
    };
    let finish = |mut result: Shrunk, ending: Ending, note: Option<String>| {
        result.ending = ending;
        result.note = note;
        result.requests = oracle.requests();
        result.transport_failures = oracle.transport_failures();
        result.bytes = size(&result.body);
        result.elapsed_ms = crate::capture::millis(started.elapsed());
        result
    };
    let first = oracle.ask(vec![original.clone(), original]).await;
    let signature = match (&first[0], &first[1]) {
        (None, _) | (_, None) => {
            let note =
                "the target did not answer the original request (check --target and --timeout)";
            return finish(result, Ending::Unreachable, Some(note.to_owned()));
        }
        (Some(a), Some(b)) if a != b => {
            result.signature = Some(a.clone());
            let note = format!(
                "the same request failed as {} and then as {}",
                a.describe(),
                b.describe()
            );
            return finish(result, Ending::Flaky, Some(note));
        }
        (Some(a), Some(_)) => a.clone(),
    };
    result.signature = Some(signature.clone());
    if !signature.is_failure() {
        let note = "the target answers this request without breaking any rule";
        return finish(result, Ending::DoesNotFail, Some(note.to_owned()));
    }
    let width = options.concurrency.max(1);
    let mut ending = Ending::Minimal;
    'passes: loop {
        let candidates = reductions(&result.body);
        let mut kept = false;
        for batch in candidates.chunks(width) {
            // One request stays for the final check.
            if oracle.requests() + batch.len() + 1 > options.budget {
                ending = Ending::BudgetSpent;
                break 'passes;
            }
            let answers = oracle
                .ask(batch.iter().map(|r| r.body.clone()).collect())
                .await;
            // Half the sends lost: the answers left say nothing about the body.
            if oracle.transport_failures() * 2 > oracle.requests() {
                ending = Ending::Unreachable;
                break 'passes;
            }
            // The first in order, not the first to finish: the same run every time.
            if let Some(index) = answers.iter().position(|a| a.as_ref() == Some(&signature)) {
                result.body = batch[index].body.clone();
                result.steps.push(batch[index].step.clone());
                progress(oracle.requests(), size(&result.body));
                kept = true;
                break;
            }
        }
        if !kept {
            break;
        }
    }
    if ending == Ending::Unreachable {
        let note = format!(
            "{} of {} sends failed at the transport; the target stopped answering",
            oracle.transport_failures(),
            oracle.requests()
        );
        return finish(result, ending, Some(note));
    }
    let last = oracle.ask(vec![result.body.clone()]).await;
    if last[0].as_ref() != Some(&signature) {
        let note = format!(
            "the shrunk request failed as {} on the final check",
            last[0].as_ref().map_or(
                "nothing (a transport failure)".to_owned(),
                Signature::describe
            )
        );
        return finish(result, Ending::Flaky, Some(note));
    }
    let note = (ending == Ending::BudgetSpent).then(|| {
        format!(
            "the budget of {} requests ran out; a smaller request may exist (raise --budget)",
            options.budget
        )
    });
    finish(result, ending, note)
}
