//! `legs --format md`: what a gateway did to each request, as Markdown safe to post on a forum
//! thread (captured text escaped and masked like every other Markdown report): a table of the
//! linked pairs, then each mangled pair's findings, then what nothing links.

use std::fmt::Write as _;

use super::safe::{markdown_code, markdown_text, relative_display};
use crate::conformance::Verdict;
use crate::legs::{LegsReport, Side};
use crate::text::markdown::code;

/// The Markdown of a legs report.
pub fn render(report: &LegsReport) -> String {
    let mut out = String::from("# What the gateway sent its provider\n\n");
    let s = &report.summary;
    let _ = writeln!(
        out,
        "**{}** · {} pair(s) from {} client and {} provider exchange(s) · {} mangled · {} error(s), {} warning(s)\n",
        match report.verdict {
            Verdict::Breaks => "MANGLED",
            Verdict::Conforms => "CARRIED",
        },
        s.pairs,
        s.client_exchanges,
        s.provider_exchanges,
        s.mangled,
        s.errors,
        s.warnings
    );
    if !report.pairs.is_empty() {
        out.push_str("| client request | provider request | link | verdict | findings |\n|---|---|---|---|---|\n");
        for pair in &report.pairs {
            let codes: Vec<String> = pair
                .findings
                .iter()
                .map(|f| markdown_code(&f.code))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {:?} | {} | {} |",
                side(&pair.client),
                side(&pair.provider),
                pair.link.confidence,
                match pair.verdict {
                    Verdict::Breaks => "**mangled**",
                    Verdict::Conforms => "carried",
                },
                if codes.is_empty() {
                    "—".to_owned()
                } else {
                    codes.join(", ")
                }
            );
        }
    }
    for pair in report.pairs.iter().filter(|p| p.verdict == Verdict::Breaks) {
        let _ = writeln!(
            out,
            "\n### {}\n",
            markdown_text(&relative_display(&pair.client.capture))
        );
        for finding in &pair.findings {
            let at = |path: &Option<String>| {
                path.as_deref()
                    .map(|p| if p.is_empty() { "/" } else { p })
                    .map(markdown_code)
            };
            let place = match (at(&finding.client_path), at(&finding.provider_path)) {
                (Some(c), Some(p)) => format!(" (client {c} → provider {p})"),
                (Some(c), None) => format!(" (client {c})"),
                (None, Some(p)) => format!(" (provider {p})"),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                out,
                "- {} {}{place}: {}",
                finding.severity.as_str(),
                markdown_code(&finding.code),
                markdown_text(&finding.message)
            );
        }
    }
    if !report.unmatched_client.is_empty() || !report.unmatched_provider.is_empty() {
        out.push_str("\n### Not linked\n\n");
        for unmatched in &report.unmatched_client {
            let _ = writeln!(
                out,
                "- client {}: no provider request was linked to it",
                side(unmatched)
            );
        }
        for unmatched in &report.unmatched_provider {
            let _ = writeln!(
                out,
                "- provider {}: no client request explains it",
                side(unmatched)
            );
        }
    }
    out
}

fn side(side: &Side) -> String {
    format!(
        "{} {}{}",
        code(&relative_display(&side.capture)),
        markdown_text(&side.endpoint),
        side.status.map(|s| format!(" → {s}")).unwrap_or_default()
    )
}
