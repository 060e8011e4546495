//! The session manifest (`manifest.json`): one entry per capture on disk, in the order they
//! were written, so a later run continues the numbering and tools can list a session without
//! opening every capture.
//!
//! It is replaced atomically at every flush (temp file, sync, rename), but not from memory:
//! the entries already on disk are copied from the previous file and only the new ones are
//! serialised, so a session of any length costs the recorder no memory per capture. The file
//! is byte for byte what `serde_json`'s pretty printer makes of the whole [`Manifest`]; one that
//! is not (written by hand, say) is read whole once and rewritten that way.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsio;

pub const MANIFEST_FORMAT: &str = "cursor-harness/manifest";

/// One line of the session manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub seq: u64,
    pub id: String,
    /// Path relative to the session folder.
    pub file: String,
    pub model: Option<String>,
    pub dialect: Option<String>,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub session: String,
    pub exchanges: Vec<ManifestEntry>,
}

/// How a pretty-printed manifest with at least one entry ends.
const TAIL: &[u8] = b"\n  ]\n}\n";

/// Read a session's manifest; an empty one when there is none yet.
pub fn read(dir: &Path, session: &str) -> io::Result<Manifest> {
    let path = dir.join("manifest.json");
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a session manifest: {err}", path.display()),
            )
        }),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Manifest {
            format: MANIFEST_FORMAT.to_owned(),
            version: 1,
            session: session.to_owned(),
            exchanges: Vec::new(),
        }),
        Err(err) => Err(err),
    }
}

/// The manifest as the writer keeps it: what is on disk, counted, and the entries not yet there.
pub(super) struct ManifestFile {
    dir: PathBuf,
    path: PathBuf,
    session: String,
    /// The highest sequence number of the session so far.
    pub(super) last_seq: u64,
    pending: Vec<ManifestEntry>,
}

impl ManifestFile {
    /// Open a session's manifest, reading (and checking) what a previous run left.
    pub(super) fn open(dir: &Path, session: &str) -> io::Result<ManifestFile> {
        let existing = read(dir, session)?;
        Ok(ManifestFile {
            dir: dir.to_owned(),
            path: dir.join("manifest.json"),
            session: existing.session,
            last_seq: existing.exchanges.iter().map(|e| e.seq).max().unwrap_or(0),
            pending: Vec::new(),
        })
    }

    pub(super) fn add(&mut self, entry: ManifestEntry) {
        self.last_seq = self.last_seq.max(entry.seq);
        self.pending.push(entry);
    }

    /// Entries wait to be written.
    pub(super) fn is_dirty(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Replace the file with one that lists the new entries too. On failure nothing changes
    /// on disk and the entries stay pending for the next try.
    pub(super) fn write(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let temp = fsio::temp_path_for(&self.path)?;
        let written = self
            .write_to(&temp)
            .and_then(|()| fs::rename(&temp, &self.path));
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written?;
        self.pending.clear();
        Ok(())
    }

    fn write_to(&self, temp: &Path) -> io::Result<()> {
        let file = fsio::create_private_file(temp)?;
        let mut out = BufWriter::new(file);
        match self.previous()? {
            // The common case: copy what is there up to its tail, add the new entries.
            Some((mut previous, kept)) => {
                io::copy(&mut (&mut previous).take(kept), &mut out)?;
                for entry in &self.pending {
                    out.write_all(b",\n")?;
                    write_entry(&mut out, entry)?;
                }
            }
            // Nothing usable to copy: the whole document, the previous entries read in full.
            None => {
                let previous = read(&self.dir, &self.session)?.exchanges;
                let mut entries = previous.iter().chain(&self.pending);
                write_head(&mut out, &self.session)?;
                if let Some(first) = entries.next() {
                    out.write_all(b"\n")?;
                    write_entry(&mut out, first)?;
                }
                for entry in entries {
                    out.write_all(b",\n")?;
                    write_entry(&mut out, entry)?;
                }
            }
        }
        out.write_all(TAIL)?;
        out.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_all()
    }

    /// The previous file and how many of its bytes to keep, when it is in the layout this
    /// writer makes and lists at least one entry.
    fn previous(&self) -> io::Result<Option<(File, u64)>> {
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err),
        };
        let len = file.metadata()?.len();
        let Some(kept) = len.checked_sub(TAIL.len() as u64 + 1) else {
            return Ok(None);
        };
        let mut end = vec![0u8; TAIL.len() + 1];
        file.seek(SeekFrom::Start(kept))?;
        file.read_exact(&mut end)?;
        if end[0] != b'}' || &end[1..] != TAIL {
            return Ok(None);
        }
        file.seek(SeekFrom::Start(0))?;
        Ok(Some((file, kept + 1)))
    }
}

/// The document up to the opening of `exchanges`, as the pretty printer writes it.
fn write_head(out: &mut impl io::Write, session: &str) -> io::Result<()> {
    let text = |value: &str| serde_json::to_string(value).map_err(io::Error::other);
    write!(
        out,
        "{{\n  \"format\": {},\n  \"version\": 1,\n  \"session\": {},\n  \"exchanges\": [",
        text(MANIFEST_FORMAT)?,
        text(session)?
    )
}

/// One entry at the depth it has in the document (JSON strings hold no raw newlines, so
/// indenting every line is safe).
fn write_entry(out: &mut impl io::Write, entry: &ManifestEntry) -> io::Result<()> {
    let pretty = serde_json::to_string_pretty(entry).map_err(io::Error::other)?;
    for (i, line) in pretty.lines().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(b"    ")?;
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> ManifestEntry {
        ManifestEntry {
            seq,
            id: format!("id-{seq}"),
            file: format!("m/{seq:06}-id.json"),
            model: Some("m \"quoted\"".to_owned()),
            dialect: None,
            status: Some(200),
            error: seq.is_multiple_of(2).then(|| "reset".to_owned()),
            recorded_at: "2026-11-26T12:00:00Z".to_owned(),
        }
    }

    fn pretty(session: &str, entries: Vec<ManifestEntry>) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(&Manifest {
            format: MANIFEST_FORMAT.to_owned(),
            version: 1,
            session: session.to_owned(),
            exchanges: entries,
        })
        .unwrap();
        bytes.push(b'\n');
        bytes
    }

    #[test]
    fn appending_over_several_writes_gives_the_pretty_printed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = ManifestFile::open(dir.path(), "s").unwrap();
        let mut all = Vec::new();
        for batch in [1..2, 2..5, 5..6] {
            for seq in batch {
                manifest.add(entry(seq));
                all.push(entry(seq));
            }
            manifest.write().unwrap();
            let on_disk = fs::read(dir.path().join("manifest.json")).unwrap();
            assert_eq!(
                String::from_utf8(on_disk).unwrap(),
                String::from_utf8(pretty("s", all.clone())).unwrap()
            );
        }
        let reopened = ManifestFile::open(dir.path(), "other").unwrap();
        assert_eq!((reopened.last_seq, reopened.session.as_str()), (5, "s"));
    }

    #[test]
    fn a_manifest_in_another_layout_is_continued_and_rewritten_in_this_one() {
        for existing in [
            serde_json::to_string(&serde_json::json!({"format": MANIFEST_FORMAT, "version": 1,
                "session": "s", "exchanges": [entry(1)]}))
            .unwrap(),
            serde_json::to_string_pretty(&serde_json::json!({"format": MANIFEST_FORMAT,
                "version": 1, "session": "s", "exchanges": []}))
            .unwrap(),
        ] {
            let dir = tempfile::tempdir().unwrap();
            fs::write(dir.path().join("manifest.json"), &existing).unwrap();
            let mut manifest = ManifestFile::open(dir.path(), "s").unwrap();
            manifest.add(entry(7));
            manifest.write().unwrap();
            let expected: Vec<ManifestEntry> = read(dir.path(), "s").unwrap().exchanges;
            assert_eq!(expected.last(), Some(&entry(7)), "{existing}");
            assert_eq!(
                fs::read(dir.path().join("manifest.json")).unwrap(),
                pretty("s", expected)
            );
        }
    }

    #[test]
    fn a_failed_write_changes_nothing_and_is_tried_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = ManifestFile::open(dir.path(), "s").unwrap();
        manifest.add(entry(1));
        manifest.write().unwrap();
        let before = fs::read(dir.path().join("manifest.json")).unwrap();
        manifest.add(entry(2));
        let blocked = dir.path().join(".blocked");
        fs::rename(dir.path().join("manifest.json"), &blocked).unwrap();
        fs::create_dir_all(dir.path().join("manifest.json/occupied")).unwrap();
        assert!(manifest.write().is_err());
        assert!(manifest.is_dirty());
        fs::remove_dir_all(dir.path().join("manifest.json")).unwrap();
        fs::rename(&blocked, dir.path().join("manifest.json")).unwrap();
        assert_eq!(fs::read(dir.path().join("manifest.json")).unwrap(), before);
        manifest.write().unwrap();
        assert_eq!(
            fs::read(dir.path().join("manifest.json")).unwrap(),
            pretty("s", vec![entry(1), entry(2)])
        );
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no temp file left: {names:?}");
    }
}
