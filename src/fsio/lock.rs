//! An exclusive lock on a folder for one process: a lock file inside it, held with the
//! operating system's advisory file lock and naming the process that holds it.
//!
//! The operating system releases the lock when its holder dies, however it dies, so a lock
//! left by a crash is told from a live one without guessing from process ids: a file whose lock
//! can be taken belongs to nobody, and what it names is reported as taken over. The holder
//! removes the file when it lets go; a process that opened the file just before that, and
//! takes the lock just after, checks that the path still names the file it locked and tries
//! again otherwise.

use std::fs::{self, File, TryLockError};
use std::io::{self, Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

/// A held lock; released (and its file removed) when dropped.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
}

/// What taking a lock found.
#[derive(Debug)]
pub struct Locked {
    pub lock: FolderLock,
    /// What the lock file said when its holder had died without letting go.
    pub taken_over: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another live process holds the lock; `holder` is what its lock file says.
    #[error("{path} is held by {holder}")]
    Held { path: PathBuf, holder: String },
    #[error("cannot lock {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// Take the lock at `path` (a file inside the folder to lock) for this process, writing
/// `holder` (who we are, for the next process to read) into it.
pub fn lock(path: &Path, holder: &str) -> Result<Locked, LockError> {
    let io_error = |source| LockError::Io {
        path: path.to_owned(),
        source,
    };
    for _ in 0..8 {
        // A link planted where the lock goes must not make us write into what it points at.
        let mut file = super::no_follow(
            fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
        )
        .open(path)
        .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut said = String::new();
                let _ = file.read_to_string(&mut said);
                let holder = match said.trim() {
                    "" => "another process (starting up)".to_owned(),
                    said => said.to_owned(),
                };
                return Err(LockError::Held {
                    path: path.to_owned(),
                    holder,
                });
            }
            Err(TryLockError::Error(err)) => return Err(io_error(err)),
        }
        if !same_file(&file, path) {
            // The holder let go and removed the file between our open and our lock.
            continue;
        }
        let mut said = String::new();
        file.read_to_string(&mut said).map_err(io_error)?;
        file.set_len(0).map_err(io_error)?;
        file.rewind().map_err(io_error)?;
        file.write_all(holder.as_bytes()).map_err(io_error)?;
        file.flush().map_err(io_error)?;
        let taken_over = Some(said.trim().to_owned()).filter(|said| !said.is_empty());
        return Ok(Locked {
            lock: FolderLock {
                file,
                path: path.to_owned(),
            },
            taken_over,
        });
    }
    Err(io_error(io::Error::other(
        "the lock file kept changing under us; try again",
    )))
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still locked, so nobody can lock the file we are about to let go of
        // and mistake it for the live one (see the module doc).
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder_and_a_dead_holders_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let first = lock(&path, "process 1 (first)").unwrap();
        assert!(first.taken_over.is_none());
        match lock(&path, "process 2 (second)") {
            Err(LockError::Held { holder, .. }) => assert_eq!(holder, "process 1 (first)"),
            other => panic!("{other:?}"),
        }
        drop(first);
        assert!(!path.exists(), "the file goes with the lock");
        // A holder that died: its file is still there, but nobody holds the lock on it.
        fs::write(&path, "process 3 (crashed)").unwrap();
        let again = lock(&path, "process 4").unwrap();
        assert_eq!(again.taken_over.as_deref(), Some("process 3 (crashed)"));
        assert_eq!(fs::read_to_string(&path).unwrap(), "process 4");
    }
}
