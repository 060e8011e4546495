//! `scan` end to end through the binary: clean folders, a planted key in every kind of file
//! people share, symlinks, missing paths, and that no key is ever printed.
//!
//! Keys are assembled at run time so this file holds no key-shaped literal of its own.

use crate::support::{self, printed, scan};

fn openai_key() -> String {
    format!("sk-proj-{}", "Ab3dEf6hIj9kLm2nOp5qRs8t")
}

fn aws_key() -> String {
    format!("AKIA{}", "Q7XW2KDM9PLT4RBN")
}

fn github_token() -> String {
    format!("ghp_{}", "aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2")
}

fn bearer_token() -> String {
    "mF9xK2qL7vB4nR8tW1zC5yH3jD6gS0pA".to_owned()
}

#[test]
fn the_golden_captures_and_the_docs_scan_clean() {
    let golden = support::project_path("captures/golden");
    let docs = support::project_path("docs");
    let output = scan(&[&golden, &docs]);
    let stdout = support::expect_code(&output, 0);
    assert!(
        stdout.starts_with("scan: no key-shaped string in "),
        "{}",
        support::describe(&output)
    );
}

#[test]
fn a_key_in_each_kind_of_file_is_found_masked_with_its_line_and_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (openai, aws, github, bearer) = (openai_key(), aws_key(), github_token(), bearer_token());
    support::write(
        dir.path(),
        "headers.txt",
        format!(
            "POST /v1/chat/completions HTTP/1.1\nhost: gw.example\nAuthorization: Bearer {bearer}\n"
        ),
    );
    support::write(
        dir.path(),
        "session/gpt-5.5/0001-capture.json",
        format!(
            "{{\n  \"request\": {{\n    \"body\": {{\"json\": {{\"api_key\": \"{openai}\"}}}}\n  }}\n}}\n"
        ),
    );
    support::write(
        dir.path(),
        "stream.sse",
        format!(
            "data: {{\"choices\":[]}}\n\ndata: {{\"choices\":[{{\"delta\":{{\"content\":\"use {github} here\"}}}}]}}\n\n"
        ),
    );
    support::write(
        dir.path(),
        "report.html",
        format!(
            "<html><body><table>\n<tr><td>key</td><td>{aws}</td></tr>\n</table></body></html>\n"
        ),
    );
    support::write(
        dir.path(),
        "clean.md",
        "# Notes\n\nNothing secret: [REDACTED:3f9a1c2b7d4e]\n",
    );

    let output = scan(&[dir.path()]);
    let stdout = support::expect_code(&output, 1);
    let root = dir.path().display();
    for expected in [
        format!("{root}/headers.txt:3:23: bearer token: Authorization: Bearer mF9x…S0pA"),
        format!("{root}/report.html:2:21: aws access key id: <tr><td>key</td><td>AK…BN</td></tr>"),
        format!("{root}/session/gpt-5.5/0001-capture.json:3:35: openai/anthropic-style key:"),
        format!("{root}/stream.sse:3:"),
    ] {
        assert!(
            stdout.contains(&expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    assert!(stdout.contains("github token"), "{stdout}");
    assert!(
        stdout.ends_with("scan: 4 key-shaped strings in 4 of 5 files\n"),
        "{stdout}"
    );
    let all = printed(&output);
    for key in [&openai, &aws, &github, &bearer] {
        assert!(!all.contains(key.as_str()), "{key} was printed:\n{all}");
    }
}

#[test]
fn a_single_file_is_scanned_and_a_clean_one_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let dirty = support::write(
        dir.path(),
        "log.txt",
        format!("x-api-key: {}\n", openai_key()),
    );
    let clean = support::write(dir.path(), "ok.txt", "nothing here\n");
    let output = scan(&[&dirty]);
    let stdout = support::expect_code(&output, 1);
    assert!(
        stdout.contains("log.txt:1:12: openai/anthropic-style key: x-api-key: sk-p…Rs8t"),
        "{stdout}"
    );
    let output = scan(&[&clean]);
    assert_eq!(
        support::expect_code(&output, 0),
        "scan: no key-shaped string in 1 file\n"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_leading_outside_the_folder_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let secret = support::write(outside.path(), "secret.txt", format!("{}\n", aws_key()));
    let dir = tempfile::tempdir().unwrap();
    let inside = support::write(dir.path(), "notes.txt", "fine\n");
    std::os::unix::fs::symlink(&secret, dir.path().join("link-out.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("dir-out")).unwrap();
    std::os::unix::fs::symlink(&inside, dir.path().join("link-in.txt")).unwrap();

    let output = scan(&[dir.path()]);
    let stdout = support::expect_code(&output, 0);
    assert!(
        stdout.contains("link-out.txt: skipped: symlink to ")
            && stdout.contains("leads outside the folder; not followed"),
        "{stdout}"
    );
    assert!(stdout.contains("dir-out: skipped: symlink to "), "{stdout}");
    // notes.txt, and link-in.txt which leads to it.
    assert!(
        stdout.ends_with("scan: no key-shaped string in 2 files\n"),
        "{stdout}"
    );
    assert!(!printed(&output).contains(&aws_key()));
}

#[test]
fn a_missing_path_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let output = scan(&[dir.path(), &missing]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        support::describe(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}: no such file or folder", missing.display())),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_folder_holding_a_key_file_is_not_safe_to_share_unless_keys_are_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let captures = dir.path().join("captures");
    let reports = dir.path().join("reports");
    cursor_harness::capture::redact::Redactor::for_folder(&captures).unwrap();
    cursor_harness::tls::ca::create(&reports.join("ca"), false).unwrap();
    let output = scan(&[&reports, &captures]);
    let stdout = support::expect_code(&output, 1);
    assert!(
        stdout.contains("captures/.redaction-key: key file: the redaction hash key")
            && stdout.contains("never share it"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("ca/cursor-harness-ca-key.pem: key file: the interception CA's private key"),
        "{stdout}"
    );
    // The CA key's PEM block is the key file's finding, not a second one.
    assert!(stdout.contains("scan: no key-shaped string"), "{stdout}");
    let mut command = support::harness();
    command
        .args(["scan", "--allow-keys"])
        .arg(&reports)
        .arg(&captures);
    let allowed = support::run(&mut command);
    let stdout = support::expect_code(&allowed, 0);
    assert!(stdout.contains("key file"), "still named: {stdout}");
}
