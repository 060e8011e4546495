//! The captures folder fails under a running recorder (a real child process): it becomes
//! read-only, or its disk fills up. The proxy keeps forwarding every byte, warns once per cause,
//! counts the lost captures in its summary and exits 3; what was written before and after the
//! failure is whole and listed by the manifest, and nothing partial is left.
//!
//! Root ignores permissions, so "read-only" is made with a read-only bind mount when the test
//! runs as root (EROFS, which stops root too), by removing write permission otherwise, and by
//! putting a file where the session folder was when root cannot mount (a container without
//! CAP_SYS_ADMIN). "Full" is a tiny tmpfs filled by the test: real ENOSPC; it needs mount
//! rights and says SKIPPED without them.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{
    Answer, Outcome, SESSION, assert_answer, assert_clean, assert_exchange, by_marker, call,
    eventually, healthy_events, manifest_len, recorder_process, upstream,
};
use crate::support::upstream::Script;

const BEFORE: usize = 3;
const DURING: usize = 4;
const AFTER: usize = 2;

/// A mount made by the test, undone on drop.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(point: &Path, size: &str) -> Result<Mount, String> {
        mount(
            &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"],
            point,
        )?;
        Ok(Mount(point.to_owned()))
    }

    /// `point` seen read-only through a bind mount of itself.
    fn read_only(point: &Path) -> Result<Mount, String> {
        mount(&["--bind"], point)?;
        let guard = Mount(point.to_owned());
        mount(&["-o", "remount,bind,ro"], point)?;
        Ok(guard)
    }
}

fn mount(args: &[&str], point: &Path) -> Result<(), String> {
    let source: &[&Path] = if args.contains(&"--bind") {
        &[point]
    } else {
        &[]
    };
    let output = Command::new("mount")
        .args(args)
        .args(source)
        .arg(point)
        .output()
        .map_err(|err| format!("mount: {err}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let done = Command::new("umount").arg(&self.0).status();
        if !done.is_ok_and(|s| s.success()) {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

/// The session folder made unwritable, in the strongest way this machine allows; undone on
/// drop.
enum Unwritable {
    Mounted(#[allow(dead_code)] Mount),
    Chmod(Vec<PathBuf>),
    Replaced { folder: PathBuf, aside: PathBuf },
}

impl Unwritable {
    /// Returns the guard and the words the failure's message must carry.
    fn make(session: &Path) -> (Unwritable, &'static str) {
        let root = fs::metadata("/proc/self").unwrap().uid() == 0;
        if !root {
            let mut folders = vec![session.to_owned()];
            folders.extend(
                fs::read_dir(session)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir()),
            );
            for folder in &folders {
                fs::set_permissions(folder, fs::Permissions::from_mode(0o555)).unwrap();
            }
            return (Unwritable::Chmod(folders), "Permission denied");
        }
        match Mount::read_only(session) {
            Ok(mount) => (Unwritable::Mounted(mount), "Read-only file system"),
            Err(why) => {
                eprintln!("no read-only bind mount ({why}); a file takes the folder's place");
                let aside = session.with_extension("aside");
                fs::rename(session, &aside).unwrap();
                fs::write(session, b"not a folder").unwrap();
                let folder = session.to_owned();
                (Unwritable::Replaced { folder, aside }, "Not a directory")
            }
        }
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        match self {
            Unwritable::Mounted(_) => {}
            Unwritable::Chmod(folders) => {
                for folder in folders {
                    let _ = fs::set_permissions(folder, fs::Permissions::from_mode(0o755));
                }
            }
            Unwritable::Replaced { folder, aside } => {
                let _ = fs::remove_file(&*folder);
                let _ = fs::rename(&*aside, &*folder);
            }
        }
    }
}

/// A file that takes every free block of a filesystem; removed on drop.
struct Filler(PathBuf);

impl Filler {
    fn fill(dir: &Path) -> Filler {
        let path = dir.join("filler");
        let mut file = fs::File::create(&path).unwrap();
        let block = [0u8; 4096];
        loop {
            match file.write_all(&block).and_then(|()| file.sync_data()) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::StorageFull => break,
                Err(err) => panic!("filling {}: {err}", dir.display()),
            }
        }
        Filler(path)
    }
}

impl Drop for Filler {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Record `BEFORE` exchanges, break the disk with `fail`, record `DURING` (all lost, all
/// forwarded), undo it, record `AFTER`, stop, and check what the user and the disk see.
async fn the_disk_fails_mid_run<G>(captures: &Path, fail: impl FnOnce(&Path) -> (G, &'static str)) {
    let upstream = upstream(|_| Script::Sse {
        events: healthy_events(),
        gap: Duration::ZERO,
    })
    .await;
    let mut server = recorder_process(&upstream.url(), captures, &[]);
    let session = captures.join(SESSION);
    let whole = healthy_events().concat();
    let mut answers = Vec::new();
    for i in 0..BEFORE {
        answers.push((
            format!("before-{i}"),
            call(server.addr, &format!("before-{i}")).await,
        ));
    }
    eventually("the first captures", || manifest_len(&session) == BEFORE).await;

    let (broken, cause) = fail(&session);
    for i in 0..DURING {
        let got = call(server.addr, &format!("during-{i}")).await;
        assert_answer(&got, &Answer::Whole(&whole));
    }
    eventually("the writer to try the captures", || {
        server.stdout_text().matches("NOT WRITTEN").count() == DURING
    })
    .await;
    drop(broken);

    for i in 0..AFTER {
        answers.push((
            format!("after-{i}"),
            call(server.addr, &format!("after-{i}")).await,
        ));
    }
    eventually("the captures after", || {
        manifest_len(&session) == BEFORE + AFTER
    })
    .await;
    server.signal("TERM");
    let code = tokio::task::block_in_place(|| server.wait(Duration::from_secs(20)));
    let (stdout, stderr) = (server.stdout_text(), server.stderr_text());
    assert_eq!(
        code,
        Ok(Some(3)),
        "lost captures exit 3\n{stdout}\n{stderr}"
    );

    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("cannot write a capture"))
        .collect();
    assert_eq!(warnings.len(), 1, "once per cause:\n{stderr}");
    assert!(warnings[0].contains(cause), "{}", warnings[0]);
    assert!(
        warnings[0].contains("traffic keeps flowing"),
        "{}",
        warnings[0]
    );
    let summary = format!(
        "{} capture(s) written to {}/ · {DURING} lost ·",
        BEFORE + AFTER,
        session.display()
    );
    assert!(stdout.contains(&summary), "{summary}\n{stdout}");

    let mut found = by_marker(&session);
    for (marker, got) in &answers {
        let captures = found.remove(marker).unwrap_or_default();
        assert_eq!(captures.len(), 1, "exactly one capture for {marker}");
        assert_exchange(
            &captures[0],
            marker,
            Some(got),
            Answer::Whole(&whole),
            Outcome::Complete,
        );
    }
    assert!(found.is_empty(), "lost means lost: {:?}", found.keys());
    assert_clean(captures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captures_folder_becomes_read_only_mid_run() {
    let captures = tempfile::tempdir().unwrap();
    the_disk_fails_mid_run(captures.path(), Unwritable::make).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captures_disk_becomes_full_mid_run() {
    let dir = tempfile::tempdir().unwrap();
    let point = dir.path().join("captures");
    fs::create_dir(&point).unwrap();
    let _mount = match Mount::tmpfs(&point, "1m") {
        Ok(mount) => mount,
        Err(why) => {
            eprintln!("SKIPPED: cannot mount a tmpfs to fill (needs root): {why}");
            return;
        }
    };
    the_disk_fails_mid_run(&point, |_| {
        (Filler::fill(&point), "No space left on device")
    })
    .await;
}
