//! The Markdown report, written to be posted on a public forum thread: deterministic (same
//! results, same bytes), with no host names, IP addresses, timestamps, keys, path tokens or
//! absolute paths, and under a size limit so it fits a post.

use std::fmt::Write as _;

use serde_json::Value;

use super::model::{
    Answer, ExchangeResult, ExpectationVerdict, HeadlineRow, Outcome, Report, shorten_strings,
};
use super::safe::{forum_safe, markdown_code, markdown_text, relative_display};
use super::verdict::{self, CaseStatus};
use crate::conformance::{Severity, Verdict};
use crate::text::markdown::{code, fenced};

/// Discourse's default post limit is 32,000 characters; stay under it with room to spare.
pub const DEFAULT_LIMIT: usize = 30_000;

pub fn render(report: &Report, limit: usize) -> String {
    let mut head = String::new();
    let scenario = &report.scenario;
    let _ = writeln!(
        head,
        "# cursor-harness: {}\n",
        markdown_text(&scenario.name)
    );
    if !scenario.description.trim().is_empty() {
        let _ = writeln!(head, "{}\n", markdown_text(scenario.description.trim()));
    }
    let s = &report.summary;
    let _ = writeln!(
        head,
        "**{}** · {} exchange(s){} · {} · checker profile `{}`{}\n",
        outcome_words(report),
        s.exchanges,
        if s.unreadable > 0 {
            format!(" ({} unreadable)", s.unreadable)
        } else {
            String::new()
        },
        if scenario.targets.is_empty() {
            format!("target: {}", target_words(scenario.target.as_deref()))
        } else {
            let names: Vec<String> = scenario
                .targets
                .iter()
                .map(|t| markdown_text(&t.name))
                .collect();
            format!("targets: {}", names.join(", "))
        },
        scenario.profile.as_str(),
        match (scenario.slice_label(), scenario.merged_shards) {
            (Some(slice), _) => format!(" · {}", markdown_text(&slice)),
            (None, Some(count)) => format!(" · {count} shards merged"),
            (None, None) => String::new(),
        },
    );
    let _ = writeln!(
        head,
        "Requests: {} break. Answers: {} conform, {} error envelope(s) well-formed, {} break, {} missing or cut off. {} warning(s).\n",
        s.requests_break,
        s.responses_conform,
        s.error_envelopes,
        s.responses_break,
        s.transport_errors,
        s.warnings,
    );
    if let Some(partial) = &report.partial {
        let _ = writeln!(
            head,
            "**PARTIAL**: {} ({} capture(s) not replayed); what follows judges what completed.\n",
            markdown_text(&partial.reason),
            partial.not_replayed
        );
    }
    if let Some(matrix) = &report.matrix {
        super::matrix_render::markdown(&mut head, report, matrix);
    }
    let per_target = !report.scenario.targets.is_empty();
    head.push_str("## What breaks, by model\n\n");
    if per_target {
        head.push_str("| target | model as selected in Cursor | request dialect | what breaks | gateway status | answer |\n");
        head.push_str("|---|---|---|---|---|---|\n");
    } else {
        head.push_str("| model as selected in Cursor | request dialect | what breaks | gateway status | answer |\n");
        head.push_str("|---|---|---|---|---|\n");
    }
    for row in &report.headline {
        headline_row(&mut head, row, per_target);
    }
    head.push_str("\n## Expectations\n\n");
    if report.expectations.is_empty() {
        head.push_str("No expectations in this scenario.\n");
    }
    for expectation in &report.expectations {
        let mark = match expectation.verdict {
            ExpectationVerdict::Pass => "✅",
            ExpectationVerdict::Fail => "❌",
            ExpectationVerdict::NotApplicable => "➖",
        };
        let counts = match (expectation.verdict, &expectation.note) {
            (ExpectationVerdict::NotApplicable, note) => format!(
                "not applicable: {}",
                markdown_text(note.as_deref().unwrap_or("covers no exchange here"))
            ),
            (_, Some(note)) => markdown_text(note),
            _ if expectation.failed > 0 => format!(
                "{} exchange(s), {} failed",
                expectation.matched, expectation.failed
            ),
            _ => format!("{} exchange(s)", expectation.matched),
        };
        let _ = writeln!(
            head,
            "- {mark} {} ({counts})",
            markdown_text(&expectation.name),
        );
        for failure in expectation.failures.iter().take(5) {
            let _ = writeln!(
                head,
                "  - {}{}: {}",
                failure
                    .target
                    .as_deref()
                    .map_or(String::new(), |t| format!("{}: ", markdown_text(t))),
                code(&relative_display(&failure.capture)),
                markdown_text(&failure.reasons.join("; "))
            );
        }
    }
    for suite in verdict::suites_by_check(report)
        .iter()
        .filter(|s| s.name == verdict::EVERY_EXCHANGE || s.name == verdict::CAPTURES)
    {
        let failed: Vec<&verdict::Case<'_>> = suite
            .cases
            .iter()
            .filter(|c| matches!(c.status, CaseStatus::Failed | CaseStatus::Errored))
            .collect();
        let label = if suite.name == verdict::CAPTURES {
            "every capture is readable and covered by an expectation"
        } else {
            "every exchange works (`fail_on_break`)"
        };
        if failed.is_empty() {
            let _ = writeln!(head, "- ✅ {label} ({} exchange(s))", suite.cases.len());
            continue;
        }
        let _ = writeln!(head, "- ❌ {label} ({} failed)", failed.len());
        for case in failed.iter().take(5) {
            let _ = writeln!(
                head,
                "  - {}{}: {}",
                case.exchange
                    .and_then(|e| e.target.as_deref())
                    .map_or(String::new(), |t| format!("{}: ", markdown_text(t))),
                code(&case.name),
                markdown_text(&case.message)
            );
        }
    }

    head.push_str(&super::losses::markdown(report));

    let tail = reproduce_section(report);
    let mut sections = Vec::new();
    for row in report.headline.iter().filter(|r| {
        r.request == Verdict::Breaks
            || r.response == Some(Verdict::Breaks)
            || !r.warnings.is_empty()
            || mangled(report, r)
    }) {
        if let Some(example) = first_example(report, row) {
            sections.push(format_section(row, example));
        }
    }
    let mut out = head;
    if !sections.is_empty() {
        out.push_str("\n## Formats that break or warn\n");
    }
    let mut cut = 0;
    for section in &sections {
        if out.len() + section.len() + tail.len() + 200 > limit {
            cut += 1;
            continue;
        }
        out.push_str(section);
    }
    if cut > 0 {
        let _ = writeln!(
            out,
            "\n_{cut} format section(s) were cut to fit a forum post; `report.html` and `report.json` hold every detail._"
        );
    }
    out.push_str(&tail);
    out
}

/// The headline's first words: the outcome and the failure count every output agrees on.
fn outcome_words(report: &Report) -> String {
    let s = &report.summary;
    let not_applicable = if s.expectations_not_applicable > 0 {
        format!(
            " ({} expectation(s) not applicable in {})",
            s.expectations_not_applicable,
            report
                .scenario
                .slice_label()
                .unwrap_or_else(|| "this run".to_owned())
        )
    } else {
        String::new()
    };
    match report.outcome {
        Outcome::Pass => format!("PASS: every check held{not_applicable}"),
        Outcome::Fail => format!(
            "FAIL: {} failure(s), {} of {} expectation(s) failed{not_applicable}",
            s.failures, s.expectations_failed, s.expectations
        ),
    }
}

fn target_words(target: Option<&str>) -> String {
    match target {
        None => "none (captures checked, not replayed)".to_owned(),
        Some(t) if t.starts_with("embedded") => {
            let profile = t.strip_prefix("embedded:").unwrap_or("strict");
            format!("the embedded reference gateway ({})", code(profile))
        }
        // The URL itself may name a private host: never print it.
        Some(_) => "a gateway under test (URL from the scenario)".to_owned(),
    }
}

fn headline_row(out: &mut String, row: &HeadlineRow, per_target: bool) {
    let dialect = if row.foreign.is_empty() {
        format!("`{}`", row.dialect)
    } else {
        let foreign: Vec<&str> = row.foreign.iter().map(|d| d.as_str()).collect();
        format!("`{}` (+{})", row.dialect, foreign.join(", "))
    };
    let breaks = if row.breaks.is_empty() {
        "nothing".to_owned()
    } else {
        row.breaks
            .iter()
            .take(4)
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let statuses = row
        .statuses
        .iter()
        .map(|(s, n)| {
            if *n == 1 {
                s.clone()
            } else {
                format!("{s} ×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let response = if row.answers.is_empty() {
        "—".to_owned()
    } else {
        row.answers
            .iter()
            .map(|(answer, n)| {
                let words = match answer {
                    Answer::Breaks => format!("**{}**", answer.words()),
                    _ => answer.words().to_owned(),
                };
                if *n == 1 || row.answers.len() == 1 {
                    words
                } else {
                    format!("{words} ×{n}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let target = if per_target {
        format!("| {} ", markdown_text(row.target.as_deref().unwrap_or("-")))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{target}| {} | {dialect} | {breaks} | {statuses} | {response} |",
        markdown_text(&row.model)
    );
}

/// Whether an exchange of the row had its request mangled on the provider leg.
fn mangled(report: &Report, row: &HeadlineRow) -> bool {
    report.exchanges.iter().any(|e| {
        e.target == row.target
            && super::model_key(e) == row.model
            && e.request.as_ref().map_or("none", |r| r.dialect.as_str()) == row.dialect
            && e.leg.as_ref().is_some_and(|leg| leg.mangled())
    })
}

/// The example of a headline row: the one `run --shrink` shrank, else its first exchange
/// (results are in capture order, so this is stable).
fn first_example<'a>(report: &'a Report, row: &HeadlineRow) -> Option<&'a ExchangeResult> {
    let of_row = |e: &&ExchangeResult| {
        e.error.is_none()
            && e.target == row.target
            && super::model_key(e) == row.model
            && e.request.as_ref().map_or("none", |r| r.dialect.as_str()) == row.dialect
    };
    if let Some(shrunk) = report
        .exchanges
        .iter()
        .filter(of_row)
        .find(|e| e.reproducer.is_some())
    {
        return Some(shrunk);
    }
    report.exchanges.iter().find(|e| {
        e.error.is_none()
            && e.target == row.target
            && super::model_key(e) == row.model
            && e.request.as_ref().map_or("none", |r| r.dialect.as_str()) == row.dialect
    })
}

fn format_section(row: &HeadlineRow, example: &ExchangeResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n### {}{} · `{}`\n",
        row.target
            .as_deref()
            .map_or(String::new(), |t| format!("{} · ", markdown_text(t))),
        markdown_text(&row.model),
        row.dialect
    );
    let _ = writeln!(
        out,
        "Example: {}\n",
        code(&relative_display(&example.capture))
    );
    let mut shown = 0;
    for violation in example.request.iter().flat_map(|r| &r.violations).chain(
        Report::judged_response(example)
            .into_iter()
            .flat_map(|r| &r.violations),
    ) {
        if violation.severity != Severity::Error || shown >= 6 {
            continue;
        }
        shown += 1;
        let path = if violation.path.is_empty() {
            "/"
        } else {
            &violation.path
        };
        let owner = violation
            .dialect
            .map_or(String::new(), |d| format!(" _({d})_"));
        let _ = writeln!(
            out,
            "- `{}` at {}{owner}: {}",
            violation.code,
            markdown_code(path),
            markdown_text(&violation.message)
        );
    }
    if let Some(leg) = example.leg.as_ref().filter(|leg| leg.mangled()) {
        let _ = writeln!(
            out,
            "\nThe gateway changed the request on its way to the provider ({} provider request(s)):\n",
            leg.provider_requests
        );
        for finding in leg
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .take(6)
        {
            let _ = writeln!(
                out,
                "- {} at {}: {}",
                markdown_code(&finding.code),
                markdown_code(
                    finding
                        .provider_path
                        .as_deref()
                        .filter(|p| !p.is_empty())
                        .unwrap_or("/")
                ),
                markdown_text(&finding.message)
            );
        }
    }
    if let Some(status) = Report::judged_status(example) {
        // The error-status note quotes what the gateway said, which is what a reader needs.
        let said = Report::judged_response(example)
            .into_iter()
            .flat_map(|r| &r.violations)
            .find(|v| v.code == crate::conformance::Rule::ResponseErrorStatus.code())
            .map(|v| {
                format!(
                    ": {}",
                    markdown_text(v.message.trim_start_matches(&format!("status {status}: ")))
                )
            });
        let _ = writeln!(
            out,
            "\nThe gateway answered **{status}**{}.",
            said.unwrap_or_default()
        );
    }
    let breaks = row.request == Verdict::Breaks || row.response == Some(Verdict::Breaks);
    let shrunk = example.reproducer.as_ref().and_then(|r| {
        let kept = matches!(r.ending.as_str(), "minimal" | "budget-spent");
        r.body.as_ref().filter(|_| kept).map(|body| (r, body))
    });
    let chosen = match (shrunk, &example.sample.request) {
        _ if !breaks => None,
        (Some((reproducer, body)), _) => Some((
            body.clone(),
            format!(
                " (shrunk on the target from {} to {} bytes in {} requests{}{})",
                reproducer.original_bytes,
                reproducer.bytes,
                reproducer.requests,
                reproducer
                    .failure
                    .as_deref()
                    .map_or(String::new(), |f| format!(
                        "; still fails: {}",
                        markdown_text(f)
                    )),
                if reproducer.ending == "budget-spent" {
                    "; the budget ran out, smaller may exist"
                } else {
                    ""
                }
            ),
        )),
        (None, Some(body)) => {
            let (trimmed, notes) = trim_body(body, example);
            let words = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            };
            Some((trimmed, words))
        }
        (None, None) => None,
    };
    if let Some((trimmed, words)) = chosen {
        let json = serde_json::to_string_pretty(&trimmed).unwrap_or_default();
        let _ = writeln!(out, "\nMinimal reproducer{words}:\n");
        let body = crate::text::markdown::json(&forum_safe(&json)).into_owned();
        let delimiter = crate::text::shell::heredoc_delimiter(&body, "JSON");
        let script = format!(
            "curl -sS \"$GATEWAY_BASE_URL/chat/completions\" \\\n  -H \"Authorization: Bearer $GATEWAY_API_KEY\" \\\n  -H \"Content-Type: application/json\" \\\n  --data-binary @- <<'{delimiter}'\n{body}\n{delimiter}"
        );
        let _ = writeln!(out, "{}", fenced("sh", &script));
    }
    warnings_list(&mut out, row);
    out
}

/// Most distinct warnings listed under one format; the rest are counted.
const WARNINGS_LISTED: usize = 20;

/// The row's warnings, collapsed (`<details>` renders folded on GitHub, GitLab and Discourse).
fn warnings_list(out: &mut String, row: &HeadlineRow) {
    if row.warnings.is_empty() {
        return;
    }
    let total: usize = row.warnings.iter().map(|w| w.count).sum();
    let _ = writeln!(out, "\n<details><summary>⚠️ {total} warning(s)</summary>\n");
    for warning in row.warnings.iter().take(WARNINGS_LISTED) {
        let _ = writeln!(
            out,
            "- `{}` ({}) at {}: {}{}",
            warning.code,
            warning.side,
            markdown_code(if warning.path.is_empty() {
                "/"
            } else {
                &warning.path
            }),
            markdown_text(&warning.message),
            if warning.count > 1 {
                format!(" (×{})", warning.count)
            } else {
                String::new()
            }
        );
    }
    if row.warnings.len() > WARNINGS_LISTED {
        let _ = writeln!(
            out,
            "- … and {} more (see `report.json`)",
            row.warnings.len() - WARNINGS_LISTED
        );
    }
    out.push_str("\n</details>\n");
}

/// Keep what shows the problem: `model`, `stream`, the conversation key, and every top-level
/// field a violation points at; shorten texts and cut long lists (saying so).
fn trim_body(body: &Value, example: &ExchangeResult) -> (Value, Vec<String>) {
    let Value::Object(map) = body else {
        return (shorten_strings(body, 80), Vec::new());
    };
    let mut wanted: Vec<&str> = vec![
        "model",
        "messages",
        "input",
        "contents",
        "system",
        "stream",
        "stream_options",
    ];
    for violation in example.request.iter().flat_map(|r| &r.violations) {
        if let Some(top) = violation.path.split('/').nth(1) {
            wanted.push(top);
        }
    }
    let mut notes = Vec::new();
    let mut out = serde_json::Map::new();
    for (key, value) in map {
        if !wanted.contains(&key.as_str()) {
            continue;
        }
        let mut value = shorten_strings(value, 80);
        if let Value::Array(items) = &mut value
            && items.len() > 4
        {
            let total = items.len();
            // Keep the items violations point at, else the first few.
            let pointed: Vec<usize> = example
                .request
                .iter()
                .flat_map(|r| &r.violations)
                .filter_map(|v| {
                    let mut parts = v.path.split('/').skip(1);
                    (parts.next() == Some(key.as_str()))
                        .then(|| parts.next().and_then(|i| i.parse().ok()))
                        .flatten()
                })
                .collect();
            let keep: Vec<usize> = if pointed.is_empty() {
                (0..3).collect()
            } else {
                (0..total)
                    .filter(|i| pointed.contains(i) || *i == 0)
                    .take(4)
                    .collect()
            };
            *items = keep.iter().filter_map(|i| items.get(*i).cloned()).collect();
            notes.push(format!(
                "{} of {total} {} items shown",
                items.len(),
                markdown_code(key)
            ));
        }
        out.insert(key.clone(), value);
    }
    let dropped = map.len() - out.len();
    if dropped > 0 {
        notes.push(format!("{dropped} other top-level field(s) left out"));
    }
    (Value::Object(out), notes)
}

fn reproduce_section(report: &Report) -> String {
    let file = relative_display(&report.scenario.file);
    let mut out = String::from(
        "\n## Reproduce\n\nWith the cursor-harness repository checked out:\n\n```sh\n",
    );
    if report
        .scenario
        .target
        .as_deref()
        .is_some_and(|t| !t.starts_with("embedded"))
    {
        out.push_str("export GATEWAY_BASE_URL=...  GATEWAY_API_KEY=...   # your gateway\n");
    }
    let _ = writeln!(out, "cargo run --release -- run {file}\ncargo test\n```");
    out.push_str("\n<sub>Generated by cursor-harness. Captures marked `synthesized` are built from public evidence, not recorded traffic.</sub>\n");
    out
}
