//! `run` with `[provider]`: the provider leg recorded during the run, linked to each replayed
//! request, judged with it, and shown as "answered, but mangled" in the matrix; `leg` in an
//! expectation fails with the gateway's departures as reasons. The gateway under test here is a
//! real process that passes bodies through untranslated (`record --upstream`), so what reaches
//! the provider is known exactly.

use std::path::Path;

use serde_json::Value;

use crate::schemas::{assert_matches, schema};
use crate::support::process::Server;
use crate::support::{self, describe, harness, run};

const TOKEN: &str = "leg0123456789abcdefXYZ";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn exchange<'a>(report: &'a Value, model: &str) -> &'a Value {
    report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["model"] == model)
        .unwrap_or_else(|| panic!("no exchange for {model}"))
}

fn codes(leg: &Value) -> Vec<&str> {
    leg["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

#[test]
fn a_pass_through_gateway_is_caught_mangling_what_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    // The provider the recorder forwards to: answers Anthropic-shaped bodies too (lenient),
    // so one of them is answered with a conformant 200 although it was never translated.
    let mut provider =
        Server::start(&["gateway", "--listen", "127.0.0.1:0", "--profile", "lenient"]);
    let provider_port = free_port();
    let mut gateway = Server::start(&[
        "record",
        "--upstream",
        &format!("http://127.0.0.1:{provider_port}"),
        "--listen",
        "127.0.0.1:0",
        "--path-token",
        TOKEN,
        "--captures",
        dir.path().join("gateway-captures").to_str().unwrap(),
    ]);
    let golden = support::project_path("captures/golden");
    let scenario = support::write(
        dir.path(),
        "legs.toml",
        format!(
            r#"name = "legs"
captures = [
  "{golden}/claude-haiku-4-5/0023-background-summary-nonstream-completion-without-refusal.json",
  "{golden}/claude-sonnet-4-5/0005-anthropic-tool-history-read-file-stream.json",
  "{golden}/deepseek-v4-pro/0008-plain-chat-text-stream.json",
]

[provider]
listen = "127.0.0.1:{provider_port}"
upstream = "{upstream}"

[[targets]]
name = "passthrough"
target = "{gateway}/t/{TOKEN}/v1"

[[expect]]
name = "Chat bodies reach the provider as sent"
model = "deepseek-*"
leg = "faithful"

[[expect]]
name = "Anthropic-shaped bodies are translated"
model = "claude-*"
leg = "faithful"
"#,
            golden = golden.display(),
            upstream = provider.url(""),
            gateway = gateway.url(""),
        ),
    );
    let out = dir.path().join("out");
    let output = run(harness().arg("run").arg(&scenario).arg("--out").arg(&out));
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(&format!(
            "point each gateway's OpenAI provider at http://127.0.0.1:{provider_port}/v1"
        )),
        "the run says what to configure"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_matches(
        &schema("schemas/report.schema.json"),
        &report,
        "report.json with provider legs",
        "schemas/report.schema.json",
    );

    let chat = &exchange(&report, "deepseek-v4-pro")["leg"];
    assert_eq!(chat["provider_requests"], 1, "{chat}");
    assert_eq!(chat["verdict"], "conforms", "{chat}");

    // Answered with a conformant 200, but the provider got an Anthropic body on its Chat
    // endpoint: the matrix says so.
    let summary = exchange(&report, "claude-haiku-4-5");
    assert_eq!(summary["replayed"]["status"], 200);
    assert_eq!(summary["leg"]["verdict"], "breaks", "{summary}");
    assert!(
        codes(&summary["leg"]).contains(&"leg.passed-through"),
        "{summary}"
    );
    let row = report["matrix"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == "claude-haiku-4-5")
        .unwrap();
    assert_eq!(row["cells"][0]["outcome"], "mangled", "{row}");

    let history = exchange(&report, "claude-sonnet-4-5");
    assert!(
        codes(&history["leg"]).contains(&"leg.tool-untranslated"),
        "{history}"
    );

    let translated = report["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Anthropic-shaped bodies are translated")
        .unwrap();
    assert_eq!(translated["verdict"], "fail");
    let reasons = translated["failures"].to_string();
    assert!(reasons.contains("leg.passed-through"), "{reasons}");
    let faithful = report["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Chat bodies reach the provider as sent")
        .unwrap();
    assert_eq!(faithful["verdict"], "pass", "{faithful}");

    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.contains("answered, but mangled"), "{markdown}");
    assert!(markdown.contains("The gateway changed the request on its way to the provider"));
    let provider_leg = out.join("provider").join("passthrough");
    assert_eq!(
        support::json_files(&provider_leg)
            .iter()
            .filter(|p| !Path::new(p).ends_with("manifest.json"))
            .count(),
        3,
        "one provider capture per request"
    );
    gateway.stop();
    provider.stop();
}
