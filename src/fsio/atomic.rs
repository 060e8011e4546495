//! Writing files so that a crash never leaves half of one: temp file, sync, rename.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Write `bytes` to `path` atomically: readers see the old file or the whole new one, never a
/// mix, and a crash leaves at most a hidden temp file beside it. Missing parent folders are
/// created for the owner only. The file is the owner's only (0600) from its first byte: what
/// the tool writes (captures, reports, exports) holds prompts and code even after redaction;
/// who else may read it is the user's call.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, bytes, create_private_file)
}

/// Like [`write_atomically`] for a file meant to be read by others (a certificate clients must
/// trust): its mode is what the umask gives.
pub fn write_public_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, bytes, |temp| {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(temp)
    })
}

fn write_with(
    path: &Path,
    bytes: &[u8],
    create: fn(&Path) -> io::Result<fs::File>,
) -> io::Result<()> {
    let temp = temp_path_for(path)?;
    // A crashed process with the same pid (pid 1 in a container) may have left this name.
    let _ = fs::remove_file(&temp);
    let result = (|| {
        let mut file = create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Create `dir` and any missing parents for the owner only (0700 on Unix). Captures hold
/// prompts and code even after redaction; who else may read them is the user's call, not ours.
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Create `dir` for the owner only, failing with `AlreadyExists` when it is there: two
/// processes asking for the same folder at once never both get it. Missing parents are made
/// (0700) as by [`create_private_dir_all`].
pub fn create_private_dir_new(dir: &Path) -> io::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir_all(parent)?;
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Create a new file for the owner only (0600 on Unix); fails if it exists.
pub fn create_private_file(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.write(true).create_new(true).open(path)
}

/// Serialise `value` as pretty JSON (with a trailing newline) and write it atomically.
pub fn write_json_atomically<T: serde::Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    write_atomically(path, &bytes)
}

/// One sync of the filesystem that holds `dir`: a batch of thousands of captures becomes
/// durable for the cost of one flush instead of one per file. `false` when it cannot be done
/// (then the caller syncs each file).
#[cfg(unix)]
pub fn sync_filesystem(dir: &Path) -> bool {
    fs::File::open(dir).is_ok_and(|folder| rustix::fs::syncfs(&folder).is_ok())
}

#[cfg(not(unix))]
pub fn sync_filesystem(_dir: &Path) -> bool {
    false
}

/// A hidden, unique sibling of `path` to write into before the rename. Creates the parent.
pub fn temp_path_for(path: &Path) -> io::Result<PathBuf> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    create_private_dir_all(parent)?;
    temp_sibling(path)
}

/// [`temp_path_for`] when the parent is known to exist: no filesystem call at all.
pub(super) fn temp_sibling(path: &Path) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    // The pid is asked for once: `getpid` is a system call, and a capture writer names
    // thousands of temp files a second.
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let pid = *PID.get_or_init(std::process::id);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{pid}.{unique}.tmp"));
    Ok(parent.join(temp_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_file_and_leaves_no_temp_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/out.json");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("out.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        write_atomically(&path, b"secret").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        assert_eq!(fs::read(&path).unwrap(), b"secret");
    }

    #[test]
    fn temp_files_are_hidden_so_folder_walks_skip_them() {
        let dir = tempfile::tempdir().unwrap();
        let temp = temp_path_for(&dir.path().join("capture.json")).unwrap();
        assert!(temp.file_name().unwrap().to_str().unwrap().starts_with('.'));
    }
}
