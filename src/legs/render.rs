//! The text output of `legs`: per pair the link and what the gateway did, then what neither
//! leg explains, then the counts. Text from captures goes through
//! [`crate::text::terminal::line`].

use std::fmt::Write as _;

use super::{LegPair, LegsReport, Side};
use crate::conformance::Verdict;
use crate::text::terminal::Line;

fn side(side: &Side) -> String {
    format!(
        "{} ({}{})",
        Line(&side.capture),
        Line(&side.endpoint),
        side.status.map(|s| format!(" → {s}")).unwrap_or_default()
    )
}

fn pair(out: &mut String, pair: &LegPair) {
    let mark = match pair.verdict {
        Verdict::Breaks => "✘ mangled",
        Verdict::Conforms => "✔ carried",
    };
    let attempt = if pair.link.attempt > 1 {
        format!(", attempt {}", pair.link.attempt)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{mark}: {}\n    → provider {} [{:?} confidence{attempt}: {}]",
        side(&pair.client),
        side(&pair.provider),
        pair.link.confidence,
        Line(&pair.link.reasons.join(", "))
    );
    for finding in &pair.findings {
        let at = match (&finding.client_path, &finding.provider_path) {
            (Some(c), Some(p)) => format!(" client {} → provider {}", Line(c), Line(p)),
            (Some(c), None) => format!(" client {}", Line(c)),
            (None, Some(p)) => format!(" provider {}", Line(p)),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "    {} {}{at}: {}",
            finding.severity.as_str(),
            finding.code,
            Line(&finding.message)
        );
    }
}

/// The whole report as text.
pub fn text(report: &LegsReport) -> String {
    let mut out = String::new();
    for p in &report.pairs {
        pair(&mut out, p);
    }
    for unmatched in &report.unmatched_client {
        let _ = writeln!(
            out,
            "? client {}: no provider request was linked to it (answered by the gateway itself, or the provider leg was not recorded)",
            side(unmatched)
        );
    }
    for unmatched in &report.unmatched_provider {
        let _ = writeln!(
            out,
            "? provider {}: no client request explains it",
            side(unmatched)
        );
    }
    for unreadable in &report.unreadable {
        let _ = writeln!(
            out,
            "✘ unreadable {}: {}",
            Line(&unreadable.capture),
            Line(&unreadable.error)
        );
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n{} pair(s) from {} client and {} provider exchange(s) · {} mangled · {} error(s), {} warning(s), {} note(s) · {} client and {} provider exchange(s) unmatched",
        s.pairs,
        s.client_exchanges,
        s.provider_exchanges,
        s.mangled,
        s.errors,
        s.warnings,
        s.infos,
        report.unmatched_client.len(),
        report.unmatched_provider.len()
    );
    if !s.by_code.is_empty() {
        let codes: Vec<String> = s
            .by_code
            .iter()
            .map(|(code, n)| format!("{code} ×{n}"))
            .collect();
        let _ = writeln!(out, "findings: {}", codes.join(", "));
    }
    out
}
