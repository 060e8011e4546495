//! Files written at once and made durable later, together: the capture writers of `record` and
//! `replay` both batch their syncs this way.
//!
//! Each file goes to a hidden, owner-only temp file beside its target as soon as it is written,
//! and is closed (a batch can hold tens of thousands). [`DurableBatch::commit`] then syncs the
//! batch (one sync of the whole filesystem when it holds more than a few files, else file by
//! file), renames each file into place and syncs the folders they landed in. Nothing stands at
//! a target before its data is on disk, so a crash never leaves half a file.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::atomic::{create_private_dir_all, create_private_file, sync_filesystem, temp_sibling};

/// Written, not yet durable: temp files and where each goes.
pub struct DurableBatch {
    /// (temp, target), in the order written.
    pending: Vec<(PathBuf, PathBuf)>,
    /// Folders known to exist, so a file costs no `mkdir`.
    folders_made: HashSet<PathBuf>,
    /// Batches larger than this are synced with one sync of the filesystem.
    sync_whole_above: usize,
    /// The folder the files go under: no symbolic link below it is followed.
    root: Option<PathBuf>,
}

impl DurableBatch {
    pub fn new(sync_whole_above: usize) -> DurableBatch {
        DurableBatch {
            pending: Vec::new(),
            folders_made: HashSet::new(),
            sync_whole_above,
            root: None,
        }
    }

    /// Refuse (naming it) a symbolic link anywhere below `root` on the way to a file.
    pub fn within(mut self, root: &Path) -> DurableBatch {
        self.root = Some(root.to_owned());
        self
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Write `bytes` to a temp file beside `target` (in an owner-only folder, made when
    /// missing), unsynced. On error nothing is left behind and nothing is pending.
    pub fn write(&mut self, bytes: &[u8], target: &Path) -> io::Result<()> {
        let folder = target.parent().unwrap_or(Path::new("."));
        if !self.folders_made.contains(folder) {
            if let Some(root) = &self.root {
                super::refuse_links(root, folder)?;
            }
            create_private_dir_all(folder)?;
            self.folders_made.insert(folder.to_owned());
        }
        let temp = temp_sibling(target)?;
        let mut file = match create_private_file(&temp) {
            // The folder went away under us (someone cleaned up): make it again, once.
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                create_private_dir_all(folder)?;
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

    /// Make every pending file durable and put it in place; `root` is a folder on their
    /// filesystem. One result per [`write`](Self::write), in order; a file that failed is
    /// removed, never left half-written.
    pub fn commit(&mut self, root: &Path) -> Vec<io::Result<()>> {
        let pending = std::mem::take(&mut self.pending);
        let synced_whole = pending.len() > self.sync_whole_above && sync_filesystem(root);
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
