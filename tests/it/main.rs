//! The one integration-test binary (one link step instead of many). Each module holds one
//! kind of test; shared helpers live in `support`.

mod support;

/// `check` end to end through the binary: input kinds, bad inputs, formats, exit codes.
mod check_cli;
/// docs/ci.md: its GitHub Actions and GitLab CI commands run against the embedded gateway.
mod ci;
/// `diff` through the binary: changes caught, noise ignored, folders paired, sessions compared.
mod diff;
/// Fault injection: upstreams, clients, disks and signals that misbehave on purpose; the proxy
/// keeps serving, answers truthfully, records each exchange once and leaves no partial file.
mod faults;
/// `record --forward`: the MITM proxy with real TLS, curl, blind tunnels, trust failures.
mod forward;
/// `ca` and `record --forward` as real processes: CA files, refusals, a whole session.
mod forward_cli;
/// Real gateways (LiteLLM, Portkey) side by side with the embedded one, when installed.
mod gateways;
/// The golden captures classify and break the way the public evidence says.
mod golden;
/// Every secret shape in every place, through every command: nothing leaks into a file or the
/// console, exported scripts run only curl, report.md holds no markup from a capture.
mod hostile;
/// The module graph runs down the layer table of docs/architecture.md, with no cycles.
mod layers;
/// `legs`: a gateway's client leg against its provider leg, rule by rule and link by link.
mod legs;
/// Several targets in one run: the compatibility matrix in every format, scoped expectations,
/// `--target NAME`, header secrets from the environment.
mod matrix;
/// Properties over generated inputs: SSE chunking, classifier and checker robustness, the
/// capture round trip, body encodings, redaction.
mod properties;
/// The embedded gateway as a provider: each API in its own shape, refusals in its own envelope.
mod provider;
/// `run` with `[provider]`: the provider leg recorded, linked and judged; mangled answers.
mod provider_leg;
/// `record` in reverse-proxy mode: passthrough, capture fidelity, redaction, stub, curl.
mod record;
/// `replay` through the binary: golden and SDK bodies against the gateway, child processes.
mod replay;
/// `replay` against test upstreams: headers and auth, secrets, chunk timing, failures, pacing.
mod replay_wire;
/// report.md: warnings listed per format and counted, error envelopes counted apart.
mod report_md;
/// Every checker rule: a violating example that triggers it, a conforming one that does not.
mod rules;
/// `run`, `report` and `export` through the binary: golden scenario, stable forum-safe reports,
/// failing expectations, shards, scenario errors, HTML in a real browser, HAR and curl export.
mod run;
/// `scan` end to end: clean folders, planted keys in every kind of file, symlinks, masking.
mod scan_cli;
/// The checked-in JSON Schemas validate real output and every file under `captures/`, and
/// refuse what the tool refuses: captures, check results, run.json, diff output.
mod schemas;
/// Bodies the official OpenAI SDK sends are classified and judged as what they are.
mod sdk;
/// `shrink`: breaking golden captures to their minimal reproducers; flaky, unreachable, budget.
mod shrink;
/// The soak runs (ignored by default, release build): 100,000 and 200,000 exchanges through the
/// recorder, every capture checked, and no memory kept per exchange after warm-up.
mod soak;
/// Everyday switches: check -, --model on check, replay and run, run --dry-run, --profile,
/// --concurrency, replay --max-gap.
mod switches;
/// `translate`: every Cursor format into a strict Chat body with its losses, and the answer back.
mod translate;
/// Flags for one mode refused in the others, hints that name the real cause, host names for
/// --listen, the CA folder from CURSOR_HARNESS_CA_DIR.
mod usage;
/// One verdict, every output: exit code, console, report.md, report.json and junit.xml agree
/// for passing, failing and sharded runs; `report --merge` judges coverage across shards.
mod verdicts;
