//! Shared test helpers: running the binary, temporary folders, the project's own files.

#![allow(dead_code)]

pub mod endless;
pub mod fixtures;
pub mod process;
pub mod proxy_client;
pub mod recorder;
pub mod tls_upstream;
pub mod upstream;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the project root.
pub fn project_path(relative: &str) -> PathBuf {
    root().join(relative)
}

/// The `cursor-harness` binary, ready to take arguments; runs in the project root, with colour
/// off so output is stable.
pub fn harness() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cursor-harness"));
    command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    command
}

/// The `cursor-harness` binary started through a wrapper program (`prlimit --nofile=…`, say),
/// with the same folder and environment as [`harness`].
pub fn harness_via(wrapper: &[&str]) -> Command {
    let mut command = Command::new(wrapper[0]);
    command
        .args(&wrapper[1..])
        .arg(env!("CARGO_BIN_EXE_cursor-harness"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    command
}

/// Run a command and return its output, with a message that shows everything on failure to
/// start.
pub fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|err| panic!("could not start {command:?}: {err}"))
}

/// Everything about a finished command, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Everything a command printed, on either stream.
pub fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `cursor-harness scan PATHS…`, run to its end.
pub fn scan(paths: &[&Path]) -> Output {
    let mut command = harness();
    command.arg("scan").args(paths);
    run(&mut command)
}

/// A file's or folder's permission bits.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Assert the exit code and return stdout as text.
pub fn expect_code(output: &Output, code: i32) -> String {
    assert_eq!(output.status.code(), Some(code), "{}", describe(output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Write a file (creating folders) and return its path.
pub fn write(dir: &Path, relative: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Whether curl is installed; says SKIPPED when it is not.
/// Every file under `dir`, hidden ones included, sorted; nothing when `dir` does not exist.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The `.json` files under `dir`, sorted.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect()
}

/// How many exchanges the golden folder holds (one capture file each), so tests that run the
/// whole folder do not go stale when a capture is added.
pub fn golden_count() -> usize {
    json_files(&project_path("captures/golden")).len()
}

pub fn have_curl() -> bool {
    let found = Command::new("curl").arg("--version").output().is_ok();
    if !found {
        eprintln!("SKIPPED: curl is not installed");
    }
    found
}

/// curl with no proxy or CA settings inherited from the environment (`--noproxy ""` as
/// well: NO_PROXY could otherwise send a loopback URL around the proxy under test).
pub fn curl() -> Command {
    let mut command = Command::new("curl");
    for var in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "CURL_CA_BUNDLE",
        "CURL_HOME",
    ] {
        command.env_remove(var);
    }
    command.args(["-sS", "--max-time", "20", "--noproxy", ""]);
    command
}

/// A two-thread runtime for tests that run blocking processes beside async servers.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A copy of the golden captures and scenario in a temp folder, to change freely.
pub fn golden_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &project_path("captures/golden"),
        &dir.path().join("captures/golden"),
    );
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    std::fs::copy(
        project_path("scenarios/golden.toml"),
        dir.path().join("scenarios/golden.toml"),
    )
    .unwrap();
    dir
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
