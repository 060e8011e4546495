//! `report --merge`: the reports of the shards of one run joined into the report of the whole
//! run. The exchanges are put back in the order one unsharded run would have them, and every
//! verdict is decided again by [`super::verdict::finish`] — so coverage is judged across all
//! shards: an expectation that matched nothing in any shard fails.

use std::collections::BTreeMap;
use std::path::Path;

use super::model::{Report, TIMINGS_FORMAT, Timings};
use super::verdict;

/// Why shard reports cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge")]
    Empty,
    #[error("{path}: not a shard report (it covers a whole run; `run --shard I/N` writes shards)")]
    NotAShard { path: String },
    #[error("{path}: {what} differs from {first}'s; merge the shards of one run of one scenario")]
    Mismatch {
        path: String,
        first: String,
        what: &'static str,
    },
    #[error("{path}: shard {shard} is given twice")]
    Duplicate { path: String, shard: String },
    #[error("shard(s) {missing} of {count} missing; coverage can only be judged with every shard")]
    Missing { missing: String, count: usize },
    #[error("{path}: shard {shard}: not of the form I/N")]
    BadShard { path: String, shard: String },
}

/// One shard's report as read, with the folder it came from.
pub struct Shard {
    /// The report folder (or file) as given.
    pub path: String,
    pub report: Report,
    pub timings: Option<Timings>,
}

/// Merge shard reports into one. Every shard `1/N` to `N/N` must be there exactly once, all of
/// one scenario run the same way.
pub fn merge(shards: Vec<Shard>) -> Result<(Report, Timings), MergeError> {
    let first = shards.first().ok_or(MergeError::Empty)?;
    let count = shard_of(first)?.1;
    let mut seen: BTreeMap<usize, &str> = BTreeMap::new();
    for shard in &shards {
        let (index, of) = shard_of(shard)?;
        let mismatch = |what: &'static str| MergeError::Mismatch {
            path: shard.path.clone(),
            first: first.path.clone(),
            what,
        };
        let (a, b) = (&first.report.scenario, &shard.report.scenario);
        if of != count {
            return Err(mismatch("the shard count"));
        }
        if a.name != b.name || a.file != b.file {
            return Err(mismatch("the scenario"));
        }
        let names_of = |s: &super::model::ScenarioSummary| -> Vec<String> {
            s.targets.iter().map(|t| t.name.clone()).collect()
        };
        if a.target != b.target || a.profile != b.profile || names_of(a) != names_of(b) {
            return Err(mismatch("the target or checker profile"));
        }
        if a.model != b.model {
            return Err(mismatch("the --model filter"));
        }
        if a.strict_coverage != b.strict_coverage || a.fail_on_break != b.fail_on_break {
            return Err(mismatch("strict_coverage or fail_on_break"));
        }
        let names =
            |r: &Report| -> Vec<String> { r.expectations.iter().map(|e| e.name.clone()).collect() };
        if names(&first.report) != names(&shard.report) {
            return Err(mismatch("the list of expectations"));
        }
        if seen.insert(index, &shard.path).is_some() {
            return Err(MergeError::Duplicate {
                path: shard.path.clone(),
                shard: format!("{index}/{count}"),
            });
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !seen.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            missing: missing.join(", "),
            count,
        });
    }
    let mut merged = first.report.clone();
    merged.scenario.shard = None;
    merged.scenario.merged_shards = Some(count);
    merged.exchanges = Vec::new();
    let mut timings = Timings {
        format: TIMINGS_FORMAT.to_owned(),
        exchanges: BTreeMap::new(),
    };
    for shard in shards {
        merged.exchanges.extend(shard.report.exchanges);
        for (capture, mut timing) in shard.timings.into_iter().flat_map(|t| t.exchanges) {
            // Replayed captures stay in the shard's folder: point there.
            timing.file = timing
                .file
                .map(|file| Path::new(&shard.path).join(file).display().to_string());
            timings.exchanges.insert(capture, timing);
        }
    }
    // The order of one whole run: by file path (as `run` sorts its selection), entries of one
    // HAR file in their own order (a file is never split across shards).
    // With several targets, a whole run goes target after target, in the scenario's order.
    let columns: Vec<String> = merged
        .scenario
        .targets
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let place = |target: &Option<String>| {
        target
            .as_ref()
            .and_then(|t| columns.iter().position(|c| c == t))
    };
    merged.exchanges.sort_by(|a, b| {
        (place(&a.target), Path::new(file_of(&a.capture)))
            .cmp(&(place(&b.target), Path::new(file_of(&b.capture))))
    });
    verdict::finish(&mut merged);
    Ok((merged, timings))
}

fn shard_of(shard: &Shard) -> Result<(usize, usize), MergeError> {
    let Some(text) = &shard.report.scenario.shard else {
        return Err(MergeError::NotAShard {
            path: shard.path.clone(),
        });
    };
    let bad = || MergeError::BadShard {
        path: shard.path.clone(),
        shard: text.clone(),
    };
    let (index, count) = text.split_once('/').ok_or_else(bad)?;
    let index: usize = index.parse().map_err(|_| bad())?;
    let count: usize = count.parse().map_err(|_| bad())?;
    if index == 0 || index > count {
        return Err(bad());
    }
    Ok((index, count))
}

/// The file an exchange was read from: its capture path without a HAR entry's `#N`.
fn file_of(capture: &str) -> &str {
    match capture.rsplit_once('#') {
        Some((file, entry)) if !entry.is_empty() && entry.bytes().all(|b| b.is_ascii_digit()) => {
            file
        }
        _ => capture,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_har_entry_sorts_with_its_file() {
        assert_eq!(super::file_of("x/a.har#12"), "x/a.har");
        assert_eq!(super::file_of("x/a#b.json"), "x/a#b.json");
        assert_eq!(super::file_of("x/a.json"), "x/a.json");
    }
}
