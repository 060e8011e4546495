//! Files written at once and made durable later, together: the capture writers of `record` and
//! `replay` both batch their syncs this way.
//!
//! Each file goes to an owner-only temp file in the hidden [`STAGING`] folder of the batch's
//! root as soon as it is written, and is closed (a batch can hold tens of thousands).
//! [`DurableBatch::commit`] then syncs the batch (one sync of the whole filesystem when it holds
//! more than a few files, else file by file), renames each file into place and syncs the
//! folders they landed in. Nothing stands at a target before its data is on disk, so a crash
//! never leaves half a file; what a crash can leave is a temp file in the staging folder, which
//! every folder walk skips (its name starts with a dot).
//!
//! The temp files are staged in a folder of their own rather than beside their targets because
//! a capture folder grows to tens of thousands of files: creating a temp name in it and renaming
//! it there cost two insertions, a removal and three lookups in that large directory index per
//! file, most of the writer's time. Staged, a file costs one lookup and one insertion there.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::atomic::{create_private_dir_all, create_private_file, sync_filesystem, temp_sibling};

/// The hidden folder, inside a batch's root, that holds its files until they are durable.
pub const STAGING: &str = ".incoming";

/// Written, not yet durable: temp files and where each goes.
pub struct DurableBatch {
    /// A folder on the targets' filesystem; the staging folder is inside it.
    root: PathBuf,
    staging: PathBuf,
    /// (temp, target), in the order written.
    pending: Vec<(PathBuf, PathBuf)>,
    /// Folders known to exist, so a file costs no `mkdir`.
    folders_made: HashSet<PathBuf>,
    /// Batches larger than this are synced with one sync of the filesystem.
    sync_whole_above: usize,
}

impl DurableBatch {
    /// Files whose targets are under `root` (on the same filesystem). A symbolic link anywhere
    /// below `root` on the way to a file is refused, naming it.
    pub fn new(root: &Path, sync_whole_above: usize) -> DurableBatch {
        DurableBatch {
            root: root.to_owned(),
            staging: root.join(STAGING),
            pending: Vec::new(),
            folders_made: HashSet::new(),
            sync_whole_above,
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Write `bytes` to a temp file that will go to `target` (in an owner-only folder, made when
    /// missing), unsynced. On error nothing is left behind and nothing is pending.
    pub fn write(&mut self, bytes: &[u8], target: &Path) -> io::Result<()> {
        let folder = target.parent().unwrap_or(Path::new("."));
        for dir in [folder, self.staging.as_path()] {
            if !self.folders_made.contains(dir) {
                super::refuse_links(&self.root, dir)?;
                create_private_dir_all(dir)?;
                self.folders_made.insert(dir.to_owned());
            }
        }
        let temp = temp_sibling(&self.staging.join(target.file_name().unwrap_or_default()))?;
        let mut file = match create_private_file(&temp) {
            // The folder went away under us (someone cleaned up): make it again, once.
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                create_private_dir_all(&self.staging)?;
                create_private_file(&temp)?
            }
            file => file?,
        };
        if let Err(err) = file.write_all(bytes) {
            let _ = fs::remove_file(&temp);
            return Err(err);
        }
        self.pending.push((temp, target.to_owned()));
        Ok(())
    }

    /// Make every pending file durable and put it in place. One result per
    /// [`write`](Self::write), in order; a file that failed is removed, never left half-written.
    pub fn commit(&mut self) -> Vec<io::Result<()>> {
        let pending = std::mem::take(&mut self.pending);
        let synced_whole = pending.len() > self.sync_whole_above && sync_filesystem(&self.root);
        let mut folders = HashSet::new();
        let results = pending
            .into_iter()
            .map(|(temp, target)| {
                let synced = if synced_whole {
                    Ok(())
                } else {
                    fs::OpenOptions::new()
                        .write(true)
                        .open(&temp)
                        .and_then(|file| file.sync_data())
                };
                let result = synced.and_then(|()| fs::rename(&temp, &target));
                match &result {
                    Ok(()) => {
                        if let Some(parent) = target.parent() {
                            folders.insert(parent.to_owned());
                        }
                    }
                    Err(_) => {
                        let _ = fs::remove_file(&temp);
                    }
                }
                result
            })
            .collect();
        for folder in folders {
            if let Ok(dir) = File::open(&folder) {
                let _ = dir.sync_all();
            }
        }
        results
    }
}

impl Drop for DurableBatch {
    /// The staging folder goes when its writer does; it is only removed when empty, so a
    /// batch that was never committed keeps its temp files (never half a capture in place).
    fn drop(&mut self) {
        if self.folders_made.contains(&self.staging) {
            let _ = fs::remove_dir(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_reach_their_targets_only_at_commit_and_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("model/000001-a.json");
        let mut batch = DurableBatch::new(dir.path(), 1);
        batch.write(b"one", &target).unwrap();
        batch
            .write(b"two", &dir.path().join("other/000002-b.json"))
            .unwrap();
        assert!(
            !target.exists(),
            "nothing stands at a target before the sync"
        );
        assert_eq!(fs::read_dir(dir.path().join(STAGING)).unwrap().count(), 2);
        let results = batch.commit();
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(fs::read(&target).unwrap(), b"one");
        assert_eq!(
            fs::read(dir.path().join("other/000002-b.json")).unwrap(),
            b"two"
        );
        drop(batch);
        assert!(
            !dir.path().join(STAGING).exists(),
            "the empty staging folder goes with its writer"
        );
    }

    #[test]
    fn a_file_that_cannot_be_put_in_place_is_removed_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("model/000001-a.json");
        let mut batch = DurableBatch::new(dir.path(), 0);
        batch.write(b"one", &target).unwrap();
        // A folder where the file goes: the rename fails.
        fs::create_dir_all(target.join("occupied")).unwrap();
        let results = batch.commit();
        assert!(results[0].is_err());
        assert_eq!(fs::read_dir(dir.path().join(STAGING)).unwrap().count(), 0);
    }
}
