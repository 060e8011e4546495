//! What translating Cursor's formats into Chat Completions loses, per format: listed when a
//! target said it translated (the embedded `translate` profile), so a report shows what any
//! shim must drop and why.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::Report;
use super::safe::markdown_text;

/// Most losses listed per format in Markdown (`report.json` holds every one).
const SHOWN: usize = 8;

/// The Markdown section, or nothing when no exchange was translated.
pub fn markdown(report: &Report) -> String {
    type Format = (Option<String>, String, String);
    let mut formats: BTreeMap<Format, BTreeMap<(String, String), usize>> = BTreeMap::new();
    for result in report.exchanges.iter().filter(|e| !e.losses.is_empty()) {
        let key = (
            result.target.clone(),
            super::model_key(result),
            result
                .request
                .as_ref()
                .map_or("none".to_owned(), |r| r.dialect.as_str().to_owned()),
        );
        let losses = formats.entry(key).or_default();
        for loss in &result.losses {
            *losses
                .entry((loss.what.clone(), loss.why.clone()))
                .or_insert(0) += 1;
        }
    }
    if formats.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n## What translation into Chat Completions loses, per format\n\nThe target translated these formats (the reference translation, `cursor-harness translate`); what it had to drop, and why:\n\n",
    );
    for ((target, model, dialect), losses) in formats {
        let _ = writeln!(
            out,
            "- {}{} · `{dialect}`:",
            target.map_or(String::new(), |t| format!("{} · ", markdown_text(&t))),
            markdown_text(&model)
        );
        for ((what, why), count) in losses.iter().take(SHOWN) {
            let _ = writeln!(
                out,
                "  - {}{}: {}",
                markdown_text(what),
                if *count > 1 {
                    format!(" (×{count})")
                } else {
                    String::new()
                },
                markdown_text(why)
            );
        }
        if losses.len() > SHOWN {
            let _ = writeln!(
                out,
                "  - … {} more (report.json lists every one)",
                losses.len() - SHOWN
            );
        }
    }
    out
}
