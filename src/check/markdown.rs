//! `check --format md`: a table of model × dialect × verdict with the top violations, then the
//! details of each exchange.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{CheckResults, ExchangeReport};
use crate::conformance::{Severity, Verdict};
use crate::text::markdown::text as escape;

pub fn render(results: &CheckResults) -> String {
    let mut out = String::from("# cursor-harness check\n\n");
    let s = &results.summary;
    let _ = writeln!(
        out,
        "Profile `{}` · {} exchange(s) · {} unreadable · requests {} conform / {} break · responses {} conform / {} break\n",
        results.profile.as_str(),
        s.exchanges,
        s.unreadable,
        s.requests_conform,
        s.requests_break,
        s.responses_conform,
        s.responses_break
    );
    out.push_str(
        "| model | request dialect | n | request | statuses | response | top violations |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    for row in &s.by_model {
        let top = top_codes(results, &row.model, &row.dialect);
        let statuses: Vec<String> = row
            .statuses
            .iter()
            .map(|(k, n)| format!("{k}×{n}"))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            escape(&row.model),
            row.dialect,
            row.exchanges,
            verdict_cell(row.requests_break),
            statuses.join(" "),
            verdict_cell(row.responses_break),
            top
        );
    }
    out.push_str("\n## Exchanges\n");
    for result in &results.results {
        details(&mut out, result);
    }
    out
}

fn verdict_cell(breaks: usize) -> String {
    if breaks == 0 {
        "conforms".to_owned()
    } else {
        format!("**breaks** ({breaks})")
    }
}

/// The most frequent error codes among the exchanges of one table row.
fn top_codes(results: &CheckResults, model: &str, dialect: &str) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for result in &results.results {
        let row_model = result.model.as_deref().unwrap_or("(none)");
        let row_dialect = result
            .request
            .as_ref()
            .map_or("none", |r| r.dialect.as_str());
        if row_model != model || row_dialect != dialect {
            continue;
        }
        for violation in result
            .violations()
            .filter(|v| v.severity == Severity::Error)
        {
            *counts.entry(violation.code.as_str()).or_default() += 1;
        }
    }
    let mut ranked: Vec<_> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked
        .iter()
        .take(3)
        .map(|(code, n)| format!("`{code}` ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn details(out: &mut String, result: &ExchangeReport) {
    let _ = writeln!(out, "\n### {}\n", escape(&result.capture));
    if let Some(error) = &result.error {
        let _ = writeln!(out, "Unreadable: {}", escape(error));
        return;
    }
    let _ = writeln!(
        out,
        "- model {} · {}",
        crate::text::markdown::code(result.model.as_deref().unwrap_or("(none)")),
        escape(result.endpoint.as_deref().unwrap_or(""))
    );
    if let Some(transport) = &result.transport {
        let _ = writeln!(
            out,
            "- transport failure `{}`: {}",
            transport.kind.as_str(),
            escape(&transport.message)
        );
    }
    if let Some(bytes) = result.response.as_ref().and_then(|r| r.omitted_bytes) {
        let _ = writeln!(
            out,
            "- capture cut: {bytes} body bytes are not in the capture; rules about how the body ends may be judging the cut"
        );
    }
    if let Some(request) = &result.request {
        let foreign: Vec<_> = request.foreign.iter().map(|d| d.as_str()).collect();
        let _ = writeln!(
            out,
            "- request: **{}**{} (confidence {:?}) — {}",
            request.dialect,
            if foreign.is_empty() {
                String::new()
            } else {
                format!(" with foreign {}", foreign.join(", "))
            },
            request.confidence,
            verdict_word(request.verdict)
        );
        for violation in &request.violations {
            violation_line(out, violation);
        }
    }
    match &result.response {
        Some(response) => {
            let _ = writeln!(
                out,
                "- response: {} {} — {}",
                response.status,
                super::text::kind_name(response.kind),
                verdict_word(response.verdict)
            );
            for violation in &response.violations {
                violation_line(out, violation);
            }
        }
        None => out.push_str("- response: none\n"),
    }
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Conforms => "conforms",
        Verdict::Breaks => "**breaks**",
    }
}

fn violation_line(out: &mut String, violation: &crate::conformance::Violation) {
    let path = if violation.path.is_empty() {
        "/"
    } else {
        &violation.path
    };
    let _ = writeln!(
        out,
        "  - {} `{}` at {}: {}",
        violation.severity.as_str(),
        violation.code,
        crate::text::markdown::code(path),
        escape(&violation.message)
    );
}
