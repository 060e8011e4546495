//! Real gateways, standing: LiteLLM (its OpenAI route and its Cursor route) and Portkey, each
//! in front of the mock provider on loopback (`tools/gateways/`), run side by side with the
//! embedded strict gateway in one `run` of `scenarios/gateways.toml`. The matrix must show
//! what was measured by hand on the pinned versions (`tools/gateways/FINDINGS.md`).
//!
//! Needs `tools/gateways/setup.sh` to have installed the gateways (CI runs it); without them
//! the test says so on stderr and passes, since the gateways are not ours to ship.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::schemas::{assert_matches, schema};
use crate::support::process::Server;
use crate::support::{self, describe, harness, run};

/// Where setup.sh installed the gateways, when it did.
fn installed() -> Option<PathBuf> {
    let dir = std::env::var_os("CURSOR_HARNESS_GATEWAYS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/cursor-harness/gateways"))
        })?;
    let ready = ["bin/litellm-proxy", "bin/portkey-gateway", "versions.json"]
        .iter()
        .all(|file| dir.join(file).is_file());
    ready.then_some(dir)
}

/// `tools/gateways/start.sh`, stopped (SIGTERM: it stops what it started) on drop.
struct Gateways {
    child: Child,
    env: Vec<(String, String)>,
}

impl Gateways {
    fn start(install: &Path, ready: &Path) -> Gateways {
        let child = Command::new("bash")
            .arg(support::project_path("tools/gateways/start.sh"))
            .arg(ready)
            .arg(install)
            .env("GW_LIFETIME", "600")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tools/gateways/start.sh");
        let mut gateways = Gateways {
            child,
            env: Vec::new(),
        };
        // LiteLLM imports for a while on a loaded machine; every wait is bounded.
        let deadline = Instant::now() + Duration::from_secs(240);
        while !ready.is_file() {
            assert!(
                Instant::now() < deadline,
                "the gateways did not start within 240 s"
            );
            assert!(
                matches!(gateways.child.try_wait(), Ok(None)),
                "tools/gateways/start.sh ended before the gateways were ready"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        gateways.env = std::fs::read_to_string(ready)
            .unwrap()
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        gateways
    }

    fn var(&self, name: &str) -> &str {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("start.sh gave no {name}"))
    }
}

impl Drop for Gateways {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn exchange<'a>(report: &'a Value, target: &str, capture_prefix: &str) -> &'a Value {
    report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["target"] == target
                && Path::new(e["capture"].as_str().unwrap())
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(capture_prefix))
        })
        .unwrap_or_else(|| panic!("no {capture_prefix} on {target}"))
}

fn codes(exchange: &Value) -> Vec<String> {
    exchange["replayed"]["response"]["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The target's own words on each failed exchange of a run, for a failure message.
fn failure_words(out: &Path) -> String {
    let Ok(bytes) = std::fs::read(out.join("report.json")) else {
        return "no report".to_owned();
    };
    let report: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    report["exchanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["replayed"]["status"].as_u64().unwrap_or(0) >= 500)
        .map(|e| format!("{}: {}", e["capture"], e["replayed"]["message"]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn litellm_and_portkey_side_by_side_show_what_was_measured_by_hand() {
    let Some(install) = installed() else {
        eprintln!(
            "SKIPPED gateways: LiteLLM and Portkey are not installed; run tools/gateways/setup.sh (CI does) to run the real-gateway matrix"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let gateways = Gateways::start(&install, &dir.path().join("ready.env"));
    let out = dir.path().join("report");
    let mut command = harness();
    command
        .args(["run", "scenarios/gateways.toml", "--out"])
        .arg(&out)
        .current_dir(support::root());
    for (name, value) in &gateways.env {
        command.env(name, value);
    }
    let output = run(&mut command);
    // Every expectation but the provider-leg one holds; that one fails on both gateways, and
    // the findings below are what the scenario documents.
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_matches(
        &schema("schemas/report.schema.json"),
        &report,
        "report.json of the gateway matrix",
        "schemas/report.schema.json",
    );
    assert_eq!(
        report["matrix"]["columns"],
        serde_json::json!(["litellm-openai", "litellm-cursor", "portkey", "strict"])
    );

    // LiteLLM's OpenAI route refuses a Responses-API body itself, before any provider call.
    let responses = exchange(&report, "litellm-openai", "0002-");
    assert_eq!(responses["replayed"]["status"], 400, "{responses}");
    assert!(
        responses["replayed"]["message"]
            .as_str()
            .unwrap()
            .contains("Missing required parameter: 'messages'"),
        "{responses}"
    );
    // An Anthropic body with tool history: 500 "Invalid user message at index 2" after its
    // internal retries.
    let history = exchange(&report, "litellm-openai", "0005-");
    assert_eq!(history["replayed"]["status"], 500, "{history}");
    assert!(
        history["replayed"]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid user message at index 2"),
        "{history}"
    );
    // LiteLLM's streams: chunks without a `finish_reason` key, and a usage chunk that carries
    // a choice.
    let stream = exchange(&report, "litellm-openai", "0008-");
    assert_eq!(stream["replayed"]["status"], 200, "{stream}");
    let found = codes(stream);
    assert!(
        found.contains(&"stream.missing-finish-key".to_owned()),
        "{found:?}"
    );
    let sample = stream["sample"]["response"].as_str().unwrap();
    assert!(
        sample
            .lines()
            .any(|l| l.contains("\"usage\"") && l.contains("\"choices\":[{")),
        "no usage chunk with a choice in {sample}"
    );
    // LiteLLM's Cursor route (recorded, whatever it does): it answers the Responses body with
    // a Chat stream, the same chunks without a `finish_reason` key.
    let cursor_route = exchange(&report, "litellm-cursor", "0002-");
    assert_eq!(cursor_route["replayed"]["status"], 200, "{cursor_route}");
    assert!(codes(cursor_route).contains(&"stream.missing-finish-key".to_owned()));
    // Portkey forwards the Responses body to the provider's Chat endpoint stripped of `input`
    // and `reasoning`, and relays the provider's 400.
    let portkey = exchange(&report, "portkey", "0002-");
    assert_eq!(portkey["replayed"]["status"], 400, "{portkey}");
    assert!(
        portkey["replayed"]["message"]
            .as_str()
            .unwrap()
            .contains("Missing required parameter: 'messages'"),
        "{portkey}"
    );
    let provider_log = std::fs::read_to_string(gateways.var("MOCK_PROVIDER_LOG")).unwrap();
    let stripped = provider_log
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|entry| {
            entry["path"]
                .as_str()
                .unwrap_or_default()
                .ends_with("/chat/completions")
                && entry["body"]["model"] == "gpt-5.5"
                && entry["body"].get("messages").is_none()
        })
        .expect("Portkey's provider request for a Responses body");
    assert!(stripped["body"].get("input").is_none(), "{stripped}");
    assert!(stripped["body"].get("reasoning").is_none(), "{stripped}");
    assert_eq!(stripped["status"], 400);

    // The provider leg, recorded by the run: LiteLLM forwards an Anthropic-shaped body's
    // top-level `system` raw to the OpenAI-style provider; Portkey drops the system prompt and
    // answers 200, which only the provider leg shows.
    let raw = exchange(&report, "litellm-openai", "0023-");
    assert_eq!(raw["leg"]["verdict"], "breaks", "{raw}");
    assert!(
        raw["leg"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "leg.passed-through" && f["provider_path"] == "/system"),
        "{raw}"
    );
    let dropped = exchange(&report, "portkey", "0023-");
    assert_eq!(dropped["replayed"]["status"], 200, "{dropped}");
    assert!(
        dropped["leg"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "leg.system-dropped"),
        "{dropped}"
    );
    let row = report["matrix"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == "claude-haiku-4-5")
        .unwrap();
    assert_eq!(row["cells"][2]["outcome"], "mangled", "{row}");
    let translated = report["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["verdict"] == "fail")
        .unwrap();
    assert!(
        translated["name"]
            .as_str()
            .unwrap()
            .starts_with("Anthropic-shaped bodies reach the provider translated"),
        "{translated}"
    );
    let reasons = translated["failures"].to_string();
    assert!(
        reasons.contains("leg.system-dropped") && reasons.contains("leg.passed-through"),
        "{reasons}"
    );

    // Versions: LiteLLM says its own; Portkey's comes from the install record.
    let targets = report["scenario"]["targets"].as_array().unwrap();
    assert_eq!(targets[0]["version_source"], "header x-litellm-version");
    assert_eq!(targets[0]["version"], gateways.var("LITELLM_VERSION"));
    assert_eq!(targets[2]["version"], gateways.var("PORTKEY_VERSION"));

    // Every format shows it.
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.contains(
        "| model | dialect | mode | litellm-openai | litellm-cursor | portkey | strict |"
    ));
    assert!(markdown.contains("Invalid user message at index 2"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<table id=\"matrix\">") && html.contains("litellm-cursor"));
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    for suite in ["litellm-openai", "litellm-cursor", "portkey", "strict"] {
        assert!(
            junit.contains(&format!("<testsuite name=\"{suite}\"")),
            "{suite}"
        );
    }
    // shrink against a real gateway: LiteLLM refuses the Responses hybrid before any provider
    // call, and the smallest body it refuses the same way is the empty object.
    let mut command = harness();
    command
        .arg("shrink")
        .arg(support::project_path(
            "captures/golden/gpt-5.5/0001-hybrid-agent-tool-history-400.json",
        ))
        .args([
            "--target",
            &format!("{}/v1", gateways.var("LITELLM_BASE_URL")),
        ])
        .args(["--api-key-env", "LITELLM_API_KEY", "--format", "json"]);
    for (name, value) in &gateways.env {
        command.env(name, value);
    }
    let shrunk = run(&mut command);
    let shrunk: Value =
        serde_json::from_slice(&shrunk.stdout).unwrap_or_else(|_| panic!("{}", describe(&shrunk)));
    assert_eq!(shrunk["ending"], "minimal", "{shrunk}");
    assert_eq!(shrunk["body"], serde_json::json!({}), "{shrunk}");
    assert_eq!(shrunk["signature"]["param"], "messages", "{shrunk}");
    assert!(shrunk["requests"].as_u64().unwrap() <= 300);

    // The shipped single-gateway scenarios hold on the gateways they are written for.
    for scenario in [
        "scenarios/litellm-proxy.toml",
        "scenarios/litellm-cursor.toml",
        "scenarios/portkey.toml",
    ] {
        let name = Path::new(scenario).file_stem().unwrap().to_str().unwrap();
        let provider_leg = dir.path().join("provider-leg").join(name);
        let mut recorder = Server::start(&[
            "record",
            "--upstream",
            gateways.var("MOCK_PROVIDER_URL"),
            "--listen",
            &format!("127.0.0.1:{}", gateways.var("PROVIDER_PORT")),
            "--allow-no-token",
            "--captures",
            provider_leg.to_str().unwrap(),
        ]);
        let out = dir.path().join(name);
        let mut command = harness();
        command
            .args(["run", scenario, "--out"])
            .arg(&out)
            .current_dir(support::root());
        for (name, value) in &gateways.env {
            command.env(name, value);
        }
        let output = run(&mut command);
        recorder.stop();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{scenario}: {}\nwhat failed said: {}",
            describe(&output),
            failure_words(&out)
        );
        if name == "litellm-proxy" {
            // Both legs recorded independently, compared by `legs`: the raw `system` again.
            let legs = run(harness()
                .arg("legs")
                .arg(out.join("replay").join("run"))
                .arg(&provider_leg)
                .args(["--format", "md"]));
            assert_eq!(legs.status.code(), Some(1), "{}", describe(&legs));
            let markdown = String::from_utf8_lossy(&legs.stdout);
            assert!(markdown.contains("`leg.passed-through`"), "{markdown}");
        }
    }
    // The keys never reach a file.
    for file in support::files_under(&out) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for secret in [
            gateways.var("LITELLM_API_KEY"),
            gateways.var("PROVIDER_API_KEY"),
        ] {
            assert!(!text.contains(secret), "a key reached {}", file.display());
        }
    }
}
