//! Started twice: two replays at the same second each get a run folder of their own, and a
//! second recorder on a session that is being recorded is refused with the first one named;
//! a lock left by a recorder that was killed is taken over, with a message.

use std::process::Stdio;
use std::time::Duration;

use super::{SESSION, recorder_process};

#[test]
fn two_replays_started_at_once_write_into_their_own_run_folders() {
    let out = tempfile::tempdir().unwrap();
    let golden = crate::support::project_path("captures/golden");
    let start = || {
        crate::support::harness()
            .args(["replay", "--target", "embedded:lenient", "--out"])
            .arg(out.path())
            .arg(&golden)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (start(), start());
    let outputs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    for output in &outputs {
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            crate::support::describe(output)
        );
    }
    let mut runs: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    runs.sort();
    assert_eq!(runs.len(), 2, "two runs, two folders: {runs:?}");
    let golden_count = crate::support::json_files(&golden)
        .iter()
        .filter(|p| !p.ends_with("README.json"))
        .count();
    for run in &runs {
        let file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
        let replayed = file["counts"]["replayed"].as_u64().unwrap() as usize;
        let captures = crate::support::json_files(run).len() - 1;
        assert_eq!(
            captures,
            replayed,
            "{}: only its own captures",
            run.display()
        );
        assert!(replayed > 0 && replayed <= golden_count);
        assert_eq!(
            file["run"],
            run.file_name().unwrap().to_string_lossy().as_ref()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_recorder_on_a_session_is_refused_and_a_dead_ones_lock_is_taken_over() {
    let captures = tempfile::tempdir().unwrap();
    let mut first = recorder_process("http://127.0.0.1:9", captures.path(), &[]);
    let lock = captures.path().join(SESSION).join(".record.lock");
    assert!(lock.is_file());

    let second = crate::support::run(
        crate::support::harness()
            .args([
                "record",
                "--stub",
                "--allow-no-token",
                "--listen",
                "127.0.0.1:0",
            ])
            .args(["--session", SESSION, "--captures"])
            .arg(captures.path()),
    );
    let said = String::from_utf8_lossy(&second.stderr).into_owned();
    eprintln!("a second recorder on the session says:\n{said}");
    assert_eq!(
        second.status.code(),
        Some(3),
        "{}",
        crate::support::describe(&second)
    );
    let expected = format!(
        "session {SESSION} is being recorded by process {} (cursor-harness record, started ",
        first.pid()
    );
    assert!(said.contains(&expected), "{said}");
    assert!(said.contains("record into another --session"), "{said}");
    assert!(
        !String::from_utf8_lossy(&second.stdout).contains("listening on"),
        "it stops before it listens"
    );

    // Killed: no chance to let go. The lock file stays, naming a dead process.
    let dead = first.pid();
    first.signal("KILL");
    let _ = tokio::task::block_in_place(|| first.wait(Duration::from_secs(10)));
    assert!(lock.is_file());
    let mut third = recorder_process("http://127.0.0.1:9", captures.path(), &[]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stderr = third.stderr_text();
    assert!(
        stderr.contains(&format!("took over session {SESSION} from process {dead} ")),
        "{stderr}"
    );
    assert!(stderr.contains("no longer running"), "{stderr}");
    assert_eq!(third.stop(), Some(0), "{}", third.stderr_text());
    assert!(!lock.exists(), "the lock file goes with the recorder");
}
