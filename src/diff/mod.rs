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
    /// Whether nothing differs (no change, nothing unmatched, nothing unreadable).
    pub equal: bool,
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
    #[error("{0}: {1}")]
    Unreadable(String, String),
    #[error("{0} holds {1} exchanges; compare it as a folder, or give one capture file")]
    NotOne(String, usize),
    #[error("cannot compare a file with a folder ({a} and {b}); give two files or two folders")]
    Mixed { a: String, b: String },
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

/// Compare what `a` and `b` name: two capture files, or two folders.
pub fn diff_paths(
    a: &Path,
    b: &Path,
    rules: &Rules,
    mode: FolderMode,
) -> Result<DiffReport, DiffError> {
    let (a_dir, b_dir) = (a.is_dir(), b.is_dir());
    if a_dir != b_dir {
        return Err(DiffError::Mixed {
            a: a.display().to_string(),
            b: b.display().to_string(),
        });
    }
    if !a_dir {
        let x = load_one(a)?;
        let y = load_one(b)?;
        let pair = diff_pair(
            &x,
            &a.display().to_string(),
            &y,
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
    let (left, mut unreadable) = load_all(a)?;
    let (right, more) = load_all(b)?;
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
            Some(diff),
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

fn report(
    mode: DiffMode,
    pairs: Vec<PairDiff>,
    only_in_a: Vec<Unmatched>,
    only_in_b: Vec<Unmatched>,
    unreadable: Vec<Unreadable>,
    sessions: Option<SessionDiff>,
) -> DiffReport {
    let equal = pairs.iter().all(|p| p.equal)
        && only_in_a.is_empty()
        && only_in_b.is_empty()
        && unreadable.is_empty()
        && sessions.as_ref().is_none_or(SessionDiff::is_empty);
    DiffReport {
        format: DIFF_FORMAT.to_owned(),
        version: 1,
        mode,
        equal,
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

fn load_one(path: &Path) -> Result<Exchange, DiffError> {
    let candidates = input::expand(&[path.to_path_buf()])?;
    let mut loaded: Vec<input::Loaded> = candidates.iter().flat_map(input::load).collect();
    if loaded.len() != 1 {
        return Err(DiffError::NotOne(path.display().to_string(), loaded.len()));
    }
    let loaded = loaded.remove(0);
    loaded
        .result
        .map_err(|why| DiffError::Unreadable(path.display().to_string(), why))
}

type Loaded = (Vec<(String, Exchange)>, Vec<Unreadable>);

fn load_all(dir: &Path) -> Result<Loaded, DiffError> {
    let candidates = input::expand(&[PathBuf::from(dir)])?;
    let mut exchanges = Vec::new();
    let mut unreadable = Vec::new();
    for loaded in candidates.iter().flat_map(input::load) {
        match loaded.result {
            Ok(exchange) => exchanges.push((loaded.origin, exchange)),
            Err(error) => unreadable.push(Unreadable {
                capture: loaded.origin,
                error,
            }),
        }
    }
    Ok((exchanges, unreadable))
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
