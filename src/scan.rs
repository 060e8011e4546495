//! The redaction scanner over files: walk files and folders, find key-shaped strings with
//! [`redact::scan_text`], and report each one masked with its file, line and column.
//!
//! It looks where redaction looks: in the text as written and in what its JSON escapes stand
//! for, and in every capture (or HAR entry) it reads as redaction reads one: the stream as a
//! client reassembles it, the path and query percent-decoded, headers and parameters secret by
//! their name ([`redact::Redactor::probe`]). A folder that holds a key file (the redaction hash
//! key, the interception CA's key) is not safe to share either: named with the reason.
//!
//! `cursor-harness scan` prints the report; anything that writes files meant to be shared
//! (`run`'s reports) scans them with [`scan_paths`] before calling them ready. Nothing here
//! ever prints a secret: excerpts have every key on the line masked, and a path that itself
//! holds a key shape is masked the same way.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::capture::redact::{self, Finding};

/// Folders never walked: version-control internals are compressed, so a scan of them finds
/// nothing and costs a read of the whole history.
const SKIPPED_FOLDERS: &[&str] = &[".git", ".hg", ".svn"];

/// Longest excerpt printed around a finding, in characters on each side of the masked key.
const CONTEXT: usize = 40;

/// A path given to [`scan_paths`] that does not exist (exit code 2 for the command).
#[derive(Debug, thiserror::Error)]
#[error("{path}: no such file or folder")]
pub struct ScanError {
    pub path: String,
}

/// What a scan found and what it could not look at.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// Files read and scanned.
    pub files: usize,
    /// Key-shaped strings, in walk order, then by position in the file.
    pub hits: Vec<Hit>,
    /// Paths not scanned, with why (symlinks leading outside a folder, special files).
    pub skipped: Vec<(PathBuf, String)>,
    /// Files that could not be read, with why: not proven clean.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Key files met on the way (the redaction hash key, the CA key), with what each unlocks.
    /// Their contents are not scanned: the file is the finding.
    pub key_files: Vec<(PathBuf, &'static str)>,
}

/// One key-shaped string in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub path: PathBuf,
    /// 1-based line; 0 when the key shape is in the file's name.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// What it looks like (a kind from [`redact::PATTERNS`], or why a name makes it secret).
    pub kind: String,
    /// The line around it with every key on it masked; for a find in a capture as redaction
    /// reads it, where it was and its mask.
    pub excerpt: String,
    /// The secret with its middle masked.
    pub masked: String,
}

/// Why a key file must not be shared.
const REDACTION_KEY: &str = "the redaction hash key: with it, anyone can test guesses against every [REDACTED:…] token made with it";
const CA_KEY: &str = "the interception CA's private key: with it, anyone can impersonate any site to a machine that trusts the CA";

impl ScanReport {
    /// Nothing found, no key file, and everything that should have been read was.
    pub fn is_clean(&self) -> bool {
        self.hits.is_empty() && self.unreadable.is_empty() && self.key_files.is_empty()
    }

    /// [`is_clean`](Self::is_clean), with key files allowed (`scan --allow-keys`).
    pub fn is_clean_allowing_keys(&self) -> bool {
        self.hits.is_empty() && self.unreadable.is_empty()
    }

    /// The report as `cursor-harness scan` prints it: one line per hit, skip and unreadable
    /// file, then a summary.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for hit in &self.hits {
            let path = display(&hit.path);
            let _ = if hit.line == 0 && hit.excerpt.is_empty() {
                writeln!(out, "{path}: {} in the file name", hit.kind)
            } else if hit.line == 0 {
                writeln!(
                    out,
                    "{path}: {}: {}",
                    hit.kind,
                    escape_controls(hit.excerpt.chars())
                )
            } else {
                writeln!(
                    out,
                    "{path}:{}:{}: {}: {}",
                    hit.line, hit.column, hit.kind, hit.excerpt
                )
            };
        }
        for (path, why) in &self.unreadable {
            let _ = writeln!(out, "{}: not scanned: {why}", display(path));
        }
        for (path, why) in &self.skipped {
            let _ = writeln!(out, "{}: skipped: {why}", display(path));
        }
        for (path, why) in &self.key_files {
            let _ = writeln!(
                out,
                "{}: key file: {why}; never share it: move it out of what you share (or pass --allow-keys)",
                display(path)
            );
        }
        let files = plural(self.files, "file");
        let _ = if self.hits.is_empty() {
            writeln!(out, "scan: no key-shaped string in {files}")
        } else {
            let with_hits = {
                let mut paths: Vec<&Path> = self.hits.iter().map(|h| h.path.as_path()).collect();
                paths.dedup();
                paths.len()
            };
            writeln!(
                out,
                "scan: {} in {with_hits} of {files}",
                plural(self.hits.len(), "key-shaped string")
            )
        };
        if !self.unreadable.is_empty() {
            let _ = writeln!(
                out,
                "scan: {} could not be read",
                plural(self.unreadable.len(), "file")
            );
        }
        out
    }
}

/// Scan files and folders (walked recursively in sorted order). Every path must exist; a
/// symlink inside a folder is followed only when it leads to a file inside that folder.
pub fn scan_paths(paths: &[PathBuf]) -> Result<ScanReport, ScanError> {
    if let Some(missing) = paths
        .iter()
        .find(|path| fs::symlink_metadata(path).is_err())
    {
        return Err(ScanError {
            path: display(missing),
        });
    }
    let mut report = ScanReport::default();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => match fs::canonicalize(path) {
                Ok(root) => walk(path, &root, &mut report),
                Err(err) => report.unreadable.push((path.clone(), err.to_string())),
            },
            Ok(meta) => scan_file(path, &meta, &mut report),
            Err(err) => report
                .skipped
                .push((path.clone(), format!("broken symlink: {err}"))),
        }
    }
    Ok(report)
}

fn walk(dir: &Path, root: &Path, report: &mut ScanReport) {
    let entries = match fs::read_dir(dir).and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
    {
        Ok(entries) => entries,
        Err(err) => {
            report
                .unreadable
                .push((dir.to_owned(), format!("cannot read folder: {err}")));
            return;
        }
    };
    let mut entries: Vec<(std::ffi::OsString, PathBuf)> = entries
        .into_iter()
        .map(|entry| (entry.file_name(), entry.path()))
        .collect();
    entries.sort();
    for (name, path) in entries {
        // An entry removed since the listing is no longer there to be shared.
        let Ok(own) = fs::symlink_metadata(&path) else {
            continue;
        };
        if own.file_type().is_symlink() {
            match fs::canonicalize(&path) {
                // A link to a folder inside is walked where the folder itself is.
                Ok(target) if target.starts_with(root) && target.is_file() => {}
                Ok(target) if target.starts_with(root) => continue,
                Ok(target) => {
                    let why = format!(
                        "symlink to {} leads outside the folder; not followed",
                        display(&target)
                    );
                    report.skipped.push((path, why));
                    continue;
                }
                Err(err) => {
                    report
                        .skipped
                        .push((path, format!("broken symlink: {err}")));
                    continue;
                }
            }
        } else if own.is_dir() {
            if !SKIPPED_FOLDERS.iter().any(|skip| name == *skip) {
                walk(&path, root, report);
            }
            continue;
        }
        match fs::metadata(&path) {
            Ok(meta) => scan_file(&path, &meta, report),
            Err(err) => report.unreadable.push((path, err.to_string())),
        }
    }
}

fn scan_file(path: &Path, meta: &fs::Metadata, report: &mut ScanReport) {
    if !meta.is_file() {
        // Reading a FIFO or a device would block or never end.
        report
            .skipped
            .push((path.to_owned(), "not a regular file".to_owned()));
        return;
    }
    let name = path.to_string_lossy();
    for finding in redact::scan_text(&name) {
        report.hits.push(Hit {
            path: path.to_owned(),
            line: 0,
            column: 0,
            kind: finding.kind.to_owned(),
            excerpt: String::new(),
            masked: finding.masked,
        });
    }
    let key_file = match path.file_name().and_then(|n| n.to_str()) {
        Some(redact::KEY_FILE) => Some(REDACTION_KEY),
        Some(crate::tls::ca::KEY_FILE) => Some(CA_KEY),
        _ => None,
    };
    if let Some(why) = key_file {
        report.key_files.push((path.to_owned(), why));
        return;
    }
    match fs::read(path) {
        Ok(bytes) => {
            report.files += 1;
            let mut hits = scan_bytes(path, &bytes);
            hits.extend(scan_captures(path, &bytes, &hits));
            report.hits.extend(hits);
        }
        Err(err) => report.unreadable.push((path.to_owned(), err.to_string())),
    }
}

/// Secrets in the captures (or HAR entries) a file holds that only show when the capture is
/// read as redaction reads it: a stream reassembled, a path percent-decoded, a header or
/// parameter secret by its name. Those already found in the text (`found`) are not repeated.
fn scan_captures(path: &Path, bytes: &[u8], found: &[Hit]) -> Vec<Hit> {
    use crate::capture::input::{InputKind, load_bytes};
    // Cheap test first: most files scanned are not captures or HAR files.
    let head = &bytes[..bytes.len().min(4096)];
    let capture = memchr::memmem::find(bytes, b"cursor-harness/capture").is_some();
    let har = memchr::memmem::find(head, b"\"log\"").is_some();
    if !capture && !har {
        return Vec::new();
    }
    let mut seen: std::collections::HashSet<String> =
        found.iter().map(|h| h.masked.clone()).collect();
    let mut hits = Vec::new();
    for loaded in load_bytes(&path.display().to_string(), bytes) {
        let (Ok(exchange), InputKind::Capture | InputKind::Har) = (&loaded.result, loaded.kind)
        else {
            continue;
        };
        for (place, noted) in redact::probe_exchange(exchange) {
            if !seen.insert(noted.masked.clone()) {
                continue;
            }
            hits.push(Hit {
                path: path.to_owned(),
                line: 0,
                column: 0,
                kind: noted.kind,
                excerpt: format!("{place}: {}", noted.masked),
                masked: noted.masked,
            });
        }
    }
    hits
}

/// Find key-shaped strings in the contents of one file. Bytes that are not UTF-8 are read
/// lossily: a key is ASCII, so it is found in a binary or Latin-1 file all the same.
pub fn scan_bytes(path: &Path, bytes: &[u8]) -> Vec<Hit> {
    let text = String::from_utf8_lossy(bytes);
    let findings = redact::scan_text(&text);
    if findings.is_empty() {
        return Vec::new();
    }
    let mut line_starts = vec![0];
    line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    findings
        .iter()
        .map(|finding| {
            let line = line_starts.partition_point(|&start| start <= finding.offset);
            let start = line_starts[line - 1];
            let end = line_starts.get(line).map_or(text.len(), |next| next - 1);
            Hit {
                path: path.to_owned(),
                line,
                column: text[start..finding.offset].chars().count() + 1,
                kind: finding.kind.to_owned(),
                excerpt: excerpt(&text, start, end, finding, &findings),
                masked: finding.masked.clone(),
            }
        })
        .collect()
}

/// The line `text[start..end]` with every finding on it masked, cut to [`CONTEXT`] characters
/// either side of `finding`, control characters escaped so a file cannot drive the terminal.
fn excerpt(text: &str, start: usize, end: usize, finding: &Finding, all: &[Finding]) -> String {
    let (masked, around) = mask_all(text, start, end, all, finding.offset);
    let chars: Vec<char> = masked.trim_end_matches('\r').chars().collect();
    let from = around.0.saturating_sub(CONTEXT);
    let to = (around.1 + CONTEXT).min(chars.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&escape_controls(chars[from..to.max(from)].iter().copied()));
    if to < chars.len() {
        out.push('…');
    }
    out.trim().to_owned()
}

/// `text[start..end]` with every finding in it replaced by its mask, and the character range
/// the mask of the finding at offset `focus` took.
fn mask_all(
    text: &str,
    start: usize,
    end: usize,
    findings: &[Finding],
    focus: usize,
) -> (String, (usize, usize)) {
    let mut masked = String::new();
    let mut at = start;
    let mut around = (0, 0);
    for finding in findings {
        let (from, to) = (finding.offset, finding.offset + finding.len);
        // Overlapping findings (a key inside a JWT) are masked once, by the first.
        if to <= at || from >= end {
            continue;
        }
        masked.push_str(&text[at..from.max(at)]);
        let begin = masked.chars().count();
        masked.push_str(&finding.masked);
        if finding.offset == focus {
            around = (begin, masked.chars().count());
        }
        at = to.min(end);
    }
    masked.push_str(&text[at..end]);
    (masked, around)
}

fn escape_controls(chars: impl Iterator<Item = char>) -> String {
    let text: String = chars.collect();
    crate::text::terminal::line(&text).into_owned()
}

/// A path for output, with any key shape in it masked and control characters escaped.
fn display(path: &Path) -> String {
    let text = path.display().to_string();
    let findings = redact::scan_text(&text);
    let (masked, _) = mask_all(&text, 0, text.len(), &findings, 0);
    escape_controls(masked.chars())
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
    const OTHER: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB";

    #[test]
    fn hits_have_line_column_and_an_excerpt_with_every_key_masked() {
        let text = format!("first line\n  \"a\": \"{KEY}\", \"b\": \"{OTHER}\"\r\nlast");
        let hits = scan_bytes(Path::new("f.json"), text.as_bytes());
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!((hits[0].line, hits[0].column), (2, 9));
        assert_eq!((hits[1].line, hits[1].column), (2, 62));
        for hit in &hits {
            assert!(!hit.excerpt.contains(KEY) && !hit.excerpt.contains(OTHER));
            assert!(hit.excerpt.contains("sk-p…6789") && hit.excerpt.contains("ghp_…89AB"));
        }
        assert_eq!(hits[1].kind, "github token");
    }

    #[test]
    fn long_lines_are_cut_around_the_key_and_control_characters_escaped() {
        let text = format!("{} \u{1b}[31m {KEY} {}", "x".repeat(500), "y".repeat(500));
        let hits = scan_bytes(Path::new("f"), text.as_bytes());
        let excerpt = &hits[0].excerpt;
        assert!(
            excerpt.starts_with('…') && excerpt.ends_with('…'),
            "{excerpt}"
        );
        assert!(excerpt.chars().count() < 2 * CONTEXT + 20, "{excerpt}");
        assert!(excerpt.contains("\\u{1b}[31m sk-p…6789"), "{excerpt}");
    }

    #[test]
    fn a_key_spanning_lines_and_binary_files_are_found() {
        let hits = scan_bytes(
            Path::new("f"),
            b"\x00\xff\x01Authorization: Bearer\n   abcdefghijklmnopqrstuvwxyz\n",
        );
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].line, hits[0].kind.as_str()), (2, "bearer token"));
        assert!(!hits[0].excerpt.contains("abcdefghijklmnopqrstuvwxyz"));
    }

    #[test]
    fn a_key_in_a_path_is_masked_when_the_path_is_shown() {
        let shown = display(Path::new(&format!("captures/{KEY}/0001.json")));
        assert_eq!(shown, "captures/sk-p…6789/0001.json");
    }
}
