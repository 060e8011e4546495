//! Diff: compare two exchanges by what a client ends up with, or two folders of them (matched
//! by capture id and replay link), or two sessions by their request formats.
//!
//! - [`mod@view`]: the comparable JSON view, a stream reassembled into its message.
//! - [`compare`]: the JSON-aware walk and the tolerance rules.
//! - [`sessions`]: request fields and tool definitions per model, session against session.
//! - [`verdicts`]: which rules each answer broke under its contract, side by side.
//! - [`render`]: the text output (changes, then a unified diff rendered with `similar`).
//!
//! The JSON output is `schemas/diff.schema.json`.

pub mod compare;
pub mod render;
pub mod sessions;
pub mod verdicts;
pub mod view;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::compare::{Change, Rules};
use self::sessions::SessionDiff;
use self::verdicts::RuleDiff;
use self::view::{Chunking, view};
use crate::capture::Exchange;
use crate::capture::input::{self, InputError};
use crate::timing::Timing;

pub const DIFF_FORMAT: &str = "cursor-harness/diff";

/// The whole answer of `diff`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffReport {
    pub format: String,
    pub version: u32,
    pub mode: DiffMode,
    /// Whether nothing differs (no change, nothing unmatched, nothing unreadable) and something
    /// was compared.
    pub equal: bool,
    /// What was compared: pairs in the exchange and pairs modes, exchanges (both sides) in the
    /// sessions mode; 0 when `auto` found nothing to pair.
    pub compared: usize,
    /// Why nothing was compared, when nothing was (the comparison then fails).
    pub nothing_compared: Option<String>,
    pub pairs: Vec<PairDiff>,
    /// Exchanges of A that nothing in B matched (folder modes).
    pub only_in_a: Vec<Unmatched>,
    pub only_in_b: Vec<Unmatched>,
    pub unreadable: Vec<Unreadable>,
    /// Session mode only.
    pub sessions: Option<SessionDiff>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffMode {
    /// Two exchanges.
    Exchange,
    /// Two folders, exchanges matched by id and replay link.
    Pairs,
    /// Two sessions, request formats per model.
    Sessions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairDiff {
    pub a: String,
    pub b: String,
    pub a_id: String,
    pub b_id: String,
    pub model: Option<String>,
    /// No change in the message and no rule broken by one side only.
    pub equal: bool,
    pub changes: Vec<Change>,
    /// The rules one answer broke and the other did not.
    pub rules: RuleDiff,
    /// How each stream was cut up; reported, never counted as a difference.
    pub chunking: Option<Sides<Option<Chunking>>>,
    pub timing: Option<Sides<Option<Timing>>>,
    /// Unified diff of the canonical views (ignored fields masked); empty when equal.
    pub unified: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sides<T> {
    pub a: T,
    pub b: T,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unmatched {
    pub capture: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unreadable {
    pub capture: String,
    pub error: String,
}

/// How folders are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderMode {
    Auto,
    Pairs,
    Sessions,
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    Input(#[from] InputError),
    /// A capture file that could not be read (the message names it).
    #[error("{0}")]
    Unreadable(String),
}

/// Compare two exchanges.
pub fn diff_pair(
    a: &Exchange,
    a_name: &str,
    b: &Exchange,
    b_name: &str,
    rules: &Rules,
) -> PairDiff {
    let before = view(a);
    let after = view(b);
    let changes = compare::compare(&before.value, &after.value, rules);
    let unified = if changes.is_empty() {
        String::new()
    } else {
        render::unified(&before.value, &after.value, a_name, b_name, rules)
    };
    let streams = before.chunking.is_some() || after.chunking.is_some();
    let rules_broken = verdicts::compare(a, b);
    PairDiff {
        a: a_name.to_owned(),
        b: b_name.to_owned(),
        a_id: a.id.clone(),
        b_id: b.id.clone(),
        model: a.model_name().or_else(|| b.model_name()).map(str::to_owned),
        equal: changes.is_empty() && rules_broken.is_empty(),
        changes,
        rules: rules_broken,
        chunking: streams.then_some(Sides {
            a: before.chunking,
            b: after.chunking,
        }),
        timing: (before.timing.is_some() || after.timing.is_some()).then_some(Sides {
            a: before.timing,
            b: after.timing,
        }),
        unified,
    }
}

/// Compare what `a` and `b` name: two capture files, or two collections of exchanges (folders,
/// HAR files).
///
/// Collections are paired by id and replay link. When nothing links them, `auto` compares
/// their request formats as sessions so the reader sees something, but the comparison fails:
/// no pair was compared, which is what a golden-against-run diff exists for. `--mode sessions`
/// asks for the sessions comparison and is judged on it alone.
pub fn diff_paths(
    a: &Path,
    b: &Path,
    rules: &Rules,
    mode: FolderMode,
) -> Result<DiffReport, DiffError> {
    let left = load_side(a)?;
    let right = load_side(b)?;
    if let (Some(x), Some(y)) = (single(a, &left)?, single(b, &right)?) {
        let pair = diff_pair(
            x,
            &a.display().to_string(),
            y,
            &b.display().to_string(),
            rules,
        );
        return Ok(report(
            DiffMode::Exchange,
            vec![pair],
            Vec::new(),
            Vec::new(),
            Vec::new(),
            None,
        ));
    }
    let (left, mut unreadable) = split(left);
    let (right, more) = split(right);
    unreadable.extend(more);
    let matched = match_pairs(&left, &right);
    let linked = !matched.is_empty();
    let sessions = match mode {
        FolderMode::Sessions => true,
        FolderMode::Pairs => false,
        FolderMode::Auto => !linked,
    };
    if sessions {
        let x: Vec<&Exchange> = left.iter().map(|(_, e)| e).collect();
        let y: Vec<&Exchange> = right.iter().map(|(_, e)| e).collect();
        let diff = sessions::diff_sessions(&x, &y);
        return Ok(report(
            DiffMode::Sessions,
            Vec::new(),
            Vec::new(),
            Vec::new(),
            unreadable,
            Some((diff, x.len() + y.len(), mode == FolderMode::Auto)),
        ));
    }
    let mut used_b = vec![false; right.len()];
    let mut pairs = Vec::new();
    let mut only_in_a = Vec::new();
    for (i, (origin, exchange)) in left.iter().enumerate() {
        match matched.get(&i) {
            Some(&j) => {
                used_b[j] = true;
                let (b_origin, b_exchange) = &right[j];
                pairs.push(diff_pair(exchange, origin, b_exchange, b_origin, rules));
            }
            None => only_in_a.push(Unmatched {
                capture: origin.clone(),
                id: exchange.id.clone(),
            }),
        }
    }
    let only_in_b = right
        .iter()
        .zip(used_b)
        .filter(|(_, used)| !used)
        .map(|((origin, exchange), _)| Unmatched {
            capture: origin.clone(),
            id: exchange.id.clone(),
        })
        .collect();
    Ok(report(
        DiffMode::Pairs,
        pairs,
        only_in_a,
        only_in_b,
        unreadable,
        None,
    ))
}

/// A sessions comparison: the diff, how many exchanges it compared, and whether it is only
/// the fallback of `auto` (nothing linked the two sides).
type SessionsCompared = (SessionDiff, usize, bool);

fn report(
    mode: DiffMode,
    pairs: Vec<PairDiff>,
    only_in_a: Vec<Unmatched>,
    only_in_b: Vec<Unmatched>,
    unreadable: Vec<Unreadable>,
    sessions: Option<SessionsCompared>,
) -> DiffReport {
    let (compared, nothing_compared) = match &sessions {
        Some((_, exchanges, true)) => (
            0,
            Some(format!(
                "0 pairs compared: no exchange of B shares an id or a replay link with one of A; their request formats ({exchanges} exchange(s)) are compared as sessions above. Pass --mode sessions if that is the comparison you want"
            )),
        ),
        Some((_, exchanges, false)) => (
            *exchanges,
            (*exchanges == 0).then(|| "neither side holds an exchange".to_owned()),
        ),
        None => (
            pairs.len(),
            pairs.is_empty().then(|| {
                format!(
                    "0 pairs compared: no exchange of B shares an id or a replay link with one of A ({} in A, {} in B); compare their request formats with --mode sessions",
                    only_in_a.len(),
                    only_in_b.len()
                )
            }),
        ),
    };
    let sessions = sessions.map(|(diff, _, _)| diff);
    let equal = pairs.iter().all(|p| p.equal)
        && only_in_a.is_empty()
        && only_in_b.is_empty()
        && unreadable.is_empty()
        && sessions.as_ref().is_none_or(SessionDiff::is_empty)
        && nothing_compared.is_none();
    DiffReport {
        format: DIFF_FORMAT.to_owned(),
        version: 1,
        mode,
        equal,
        compared,
        nothing_compared,
        pairs,
        only_in_a,
        only_in_b,
        unreadable,
        sessions,
    }
}

/// For each exchange of A, the one of B it corresponds to: B replays A, A replays B, both are
/// the same capture, or both replay the same capture (two runs of one golden folder).
fn match_pairs(left: &[(String, Exchange)], right: &[(String, Exchange)]) -> HashMap<usize, usize> {
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut by_link: HashMap<&str, usize> = HashMap::new();
    for (j, (_, exchange)) in right.iter().enumerate() {
        by_id.entry(exchange.id.as_str()).or_insert(j);
        if let Some(link) = &exchange.replay_of {
            by_link.entry(link.id.as_str()).or_insert(j);
        }
    }
    let mut out = HashMap::new();
    let mut taken = vec![false; right.len()];
    for (i, (_, exchange)) in left.iter().enumerate() {
        let own_link = exchange.replay_of.as_ref().map(|l| l.id.as_str());
        let candidates = [
            by_link.get(exchange.id.as_str()),
            by_id.get(exchange.id.as_str()),
            own_link.and_then(|id| by_link.get(id)),
            own_link.and_then(|id| by_id.get(id)),
        ];
        if let Some(&&j) = candidates.iter().flatten().find(|&&&j| !taken[j]) {
            taken[j] = true;
            out.insert(i, j);
        }
    }
    out
}

/// Everything a path holds: one capture, every exchange of a HAR file, or a folder's.
fn load_side(path: &Path) -> Result<Vec<input::Loaded>, DiffError> {
    let candidates = input::expand(&[PathBuf::from(path)])?;
    let mut loaded: Vec<input::Loaded> = candidates.iter().flat_map(input::load).collect();
    // What the diff shows of a capture is redacted again, whoever wrote the capture.
    crate::capture::redact::scrub_loaded(&mut loaded);
    Ok(loaded)
}

/// The one exchange of a capture file; `None` for a folder or a file of several (a HAR file),
/// which are compared as collections.
fn single<'a>(path: &Path, loaded: &'a [input::Loaded]) -> Result<Option<&'a Exchange>, DiffError> {
    match loaded {
        [one] if !path.is_dir() => match &one.result {
            Ok(exchange) => Ok(Some(exchange)),
            // The reason already names the file.
            Err(why) => Err(DiffError::Unreadable(why.clone())),
        },
        _ => Ok(None),
    }
}

type Side = (Vec<(String, Exchange)>, Vec<Unreadable>);

fn split(loaded: Vec<input::Loaded>) -> Side {
    let mut exchanges = Vec::new();
    let mut unreadable = Vec::new();
    for loaded in loaded {
        match loaded.result {
            Ok(exchange) => exchanges.push((loaded.origin, exchange)),
            Err(error) => unreadable.push(Unreadable {
                capture: loaded.origin,
                error,
            }),
        }
    }
    (exchanges, unreadable)
}

/// Canonical form for the text diff: object keys sorted at every level.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), canonical(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}
