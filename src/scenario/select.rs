//! Which captures a scenario covers: files, folders and globs, in a deterministic order, and a
//! deterministic split into shards for a CI matrix.

use std::path::{Path, PathBuf};

use crate::capture::input::{self, Candidate, InputError};

/// One shard of `count`, 1-based (`--shard 2/4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(text: &str) -> Result<Shard, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("--shard {text:?}: expected I/N, e.g. 2/4"))?;
        let index: usize = index
            .trim()
            .parse()
            .map_err(|_| format!("--shard {text:?}: I is not a number"))?;
        let count: usize = count
            .trim()
            .parse()
            .map_err(|_| format!("--shard {text:?}: N is not a number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("--shard {text:?}: need 1 <= I <= N"));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether a capture belongs to this shard. By a stable hash of its path, so adding a
    /// capture moves no other capture to a different shard.
    pub fn takes(&self, path: &Path) -> bool {
        (fnv1a(path.to_string_lossy().as_bytes()) % self.count as u64) as usize == self.index - 1
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("capture pattern {pattern:?}: {reason}")]
    Pattern { pattern: String, reason: String },
}

/// Expand the scenario's capture entries (relative to `base`) into candidates: sorted, without
/// duplicates, restricted to `shard` when given.
pub fn select(
    patterns: &[String],
    base: &Path,
    shard: Option<Shard>,
) -> Result<Vec<Candidate>, SelectError> {
    let mut candidates = Vec::new();
    for pattern in patterns {
        if pattern.contains(['*', '?', '[', '{']) {
            candidates.extend(glob(pattern, base)?);
        } else {
            let path = base.join(pattern);
            let shown = if base == Path::new("") || base == Path::new(".") {
                PathBuf::from(pattern)
            } else {
                path
            };
            candidates.extend(input::expand(&[shown])?);
        }
    }
    let key = |candidate: &Candidate| candidate.path().to_owned();
    candidates.sort_by_key(key);
    candidates.dedup_by_key(|c| key(c));
    if let Some(shard) = shard {
        candidates.retain(|c| shard.takes(&key(c)));
    }
    Ok(candidates)
}

/// Files matching a glob: walk from the longest literal prefix, match the rest.
fn glob(pattern: &str, base: &Path) -> Result<Vec<Candidate>, SelectError> {
    let fail = |reason: String| SelectError::Pattern {
        pattern: pattern.to_owned(),
        reason,
    };
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| fail(e.to_string()))?
        .compile_matcher();
    let literal: Vec<&str> = pattern
        .split('/')
        .take_while(|part| !part.contains(['*', '?', '[', '{']))
        .collect();
    let root = literal.join("/");
    let start = if root.is_empty() {
        base.to_owned()
    } else {
        base.join(&root)
    };
    if !start.exists() {
        return Err(fail(format!("{} does not exist", start.display())));
    }
    let found = input::expand(&[start]).map_err(SelectError::Input)?;
    Ok(found
        .into_iter()
        .filter(|candidate| {
            let path = candidate.path();
            let relative = path.strip_prefix(base).unwrap_or(path);
            matcher.is_match(relative)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_capture_exactly_once() {
        let paths: Vec<PathBuf> = (0..500)
            .map(|i| PathBuf::from(format!("captures/s/m{}/{i:06}.json", i % 7)))
            .collect();
        for count in [1, 2, 3, 4, 7] {
            let mut seen = vec![0; paths.len()];
            for index in 1..=count {
                let shard = Shard { index, count };
                for (i, path) in paths.iter().enumerate() {
                    if shard.takes(path) {
                        seen[i] += 1;
                    }
                }
            }
            assert!(seen.iter().all(|n| *n == 1), "count {count}");
        }
    }

    #[test]
    fn shard_syntax_is_checked() {
        assert_eq!(
            "2/4".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 4 }
        );
        for bad in ["0/4", "5/4", "x/4", "2", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn globs_and_folders_select_sorted_unique_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a/x.json", "a/y.json", "b/z.json", "b/notes.txt"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{}").unwrap();
        }
        let picked = select(
            &["a/*.json".into(), "a".into(), "b/**/*.json".into()],
            dir.path(),
            None,
        )
        .unwrap();
        let names: Vec<String> = picked
            .iter()
            .map(|c| {
                c.path()
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, vec!["a/x.json", "a/y.json", "b/z.json"]);
    }
}
