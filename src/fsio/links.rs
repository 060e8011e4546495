//! Symbolic links inside the folders the tool writes are never followed. A captures or report
//! folder is shared, unpacked from archives and written by other tools; a link planted in one
//! (`captures/session/gpt-5 -> ~/.ssh`) would otherwise carry the next write outside it. The
//! folder the user names (`--captures`, `--out`) may itself be a link: that is their choice.

use std::fs::OpenOptions;
use std::io;
use std::path::{Component, Path};

/// Fail, naming it, when a component of `path` below `root` (or `path` itself) is a symbolic
/// link. Components that do not exist yet are fine: the tool creates them as folders.
pub fn refuse_links(root: &Path, path: &Path) -> io::Result<()> {
    let Ok(below) = path.strip_prefix(root) else {
        return Ok(());
    };
    let mut at = root.to_path_buf();
    for component in below.components() {
        match component {
            Component::Normal(name) => at.push(name),
            Component::CurDir => continue,
            // `..` or an absolute part would leave the tree: no name the tool makes has one.
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} leaves {}", path.display(), root.display()),
                ));
            }
        }
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} is a symbolic link; cursor-harness never writes through a link inside {}: remove it, or write somewhere else",
                        at.display(),
                        root.display()
                    ),
                ));
            }
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Make `options` fail on a symbolic link instead of opening what it points at.
pub fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        options,
        rustix::fs::OFlags::NOFOLLOW.bits() as i32,
    );
    options
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_link_below_the_root_is_named_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("captures");
        std::fs::create_dir_all(root.join("session")).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("session/gpt-5")).unwrap();
        let err = refuse_links(&root, &root.join("session/gpt-5/0001.json")).unwrap_err();
        assert!(
            err.to_string().contains("session/gpt-5 is a symbolic link"),
            "{err}"
        );
        refuse_links(&root, &root.join("session/new/0001.json")).unwrap();
        // The root itself may be a link (the user chose it).
        let linked = dir.path().join("linked");
        std::os::unix::fs::symlink(&root, &linked).unwrap();
        refuse_links(&linked, &linked.join("session/x")).unwrap();
    }
}
