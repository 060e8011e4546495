//! The compatibility matrix in Markdown and HTML: Cursor's formats down, the targets across,
//! each cell the outcome, the statuses, the first rule broken and the target's own words.

use std::fmt::Write as _;

use super::model::{CellOutcome, Matrix, MatrixCell, Report};
use super::safe::markdown_text;
use crate::text::html::escape;

/// A message longer than this is cut in a cell (the details hold it whole).
const MESSAGE_LIMIT: usize = 90;

/// The matrix as a Markdown section, with the targets and their versions under it.
pub fn markdown(out: &mut String, report: &Report, matrix: &Matrix) {
    out.push_str("## Compatibility matrix\n\n");
    out.push_str("Cursor's formats (model as selected, request dialect, mode inferred from the request) against each target. A cell gives the worst outcome of its exchanges, the statuses, the first rule the answer broke and the target's own words.\n\n");
    let _ = write!(out, "| model | dialect | mode |");
    for column in &matrix.columns {
        let _ = write!(out, " {} |", markdown_text(column));
    }
    out.push_str("\n|---|---|---|");
    out.push_str(&"---|".repeat(matrix.columns.len()));
    out.push('\n');
    for row in &matrix.rows {
        let _ = write!(
            out,
            "| {} | `{}` | {} |",
            markdown_text(&row.model),
            row.dialect,
            markdown_text(&row.mode)
        );
        for cell in &row.cells {
            let _ = write!(out, " {} |", markdown_cell(cell));
        }
        out.push('\n');
    }
    out.push('\n');
    for target in &report.scenario.targets {
        let _ = writeln!(
            out,
            "- **{}**: {}{}",
            markdown_text(&target.name),
            target_words(&target.target),
            match (&target.version, &target.version_source) {
                (Some(version), Some(source)) => format!(
                    ", version {} ({})",
                    markdown_text(version),
                    markdown_text(source)
                ),
                (Some(version), None) => format!(", version {}", markdown_text(version)),
                _ => ", version not reported".to_owned(),
            }
        );
    }
    out.push('\n');
}

fn markdown_cell(cell: &MatrixCell) -> String {
    if cell.outcome == CellOutcome::Absent {
        return "—".to_owned();
    }
    let mut text = match cell.outcome {
        CellOutcome::Works => format!("✅ {}", cell.outcome.words()),
        CellOutcome::Refused => format!("⛔ {}", cell.outcome.words()),
        _ => format!("❌ **{}**", cell.outcome.words()),
    };
    let _ = write!(text, " {}", statuses(cell));
    if let Some(code) = cell.codes.first() {
        let _ = write!(text, " `{code}`");
    }
    if let Some(message) = &cell.message {
        let _ = write!(text, ": {}", markdown_text(&cut(message)));
    }
    text
}

/// The matrix as an HTML section; each cell links to the exchange its outcome comes from.
pub fn html(out: &mut String, report: &Report, matrix: &Matrix) {
    out.push_str("<h2>Compatibility matrix</h2>\n<table id=\"matrix\"><thead><tr><th>model</th><th>request dialect</th><th>mode</th>");
    for column in &matrix.columns {
        let _ = write!(out, "<th>{}</th>", escape(column));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in &matrix.rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            escape(&row.model),
            escape(&row.dialect),
            escape(&row.mode)
        );
        for (column, cell) in matrix.columns.iter().zip(&row.cells) {
            let class = match cell.outcome {
                CellOutcome::Works => "conforms",
                CellOutcome::Refused | CellOutcome::Absent => "muted",
                _ => "breaks",
            };
            let mut text = format!(
                "<span class=\"{class}\">{}</span> {}",
                cell.outcome.words(),
                escape(&statuses(cell))
            );
            if let Some(code) = cell.codes.first() {
                let _ = write!(text, " <code>{}</code>", escape(code));
            }
            if let Some(message) = &cell.message {
                let _ = write!(
                    text,
                    "<br><span class=\"muted\">{}</span>",
                    escape(&cut(message))
                );
            }
            let index = cell.capture.as_ref().and_then(|capture| {
                report.exchanges.iter().position(|e| {
                    e.target.as_deref() == Some(column.as_str()) && &e.capture == capture
                })
            });
            match index {
                Some(index) => {
                    let _ = write!(out, "<td><a href=\"#x-{index}\">{text}</a></td>");
                }
                None => {
                    let _ = write!(out, "<td>{text}</td>");
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n<ul>");
    for target in &report.scenario.targets {
        let _ = write!(
            out,
            "<li><strong>{}</strong>: <code>{}</code>, version {}</li>",
            escape(&target.name),
            escape(&target.target),
            escape(target.version.as_deref().unwrap_or("not reported"))
        );
    }
    out.push_str("</ul>\n");
}

fn statuses(cell: &MatrixCell) -> String {
    cell.statuses
        .iter()
        .map(|(status, n)| {
            if *n == 1 {
                status.clone()
            } else {
                format!("{status} ×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn cut(message: &str) -> String {
    let one_line: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= MESSAGE_LIMIT {
        return one_line;
    }
    let kept: String = one_line.chars().take(MESSAGE_LIMIT).collect();
    format!("{kept}…")
}

/// A target as the forum-safe report names it: the embedded gateway by profile, a URL never.
fn target_words(target: &str) -> String {
    if let Some(rest) = target.strip_prefix("embedded") {
        let profile = rest.strip_prefix(':').unwrap_or("strict");
        return format!(
            "the embedded reference gateway (`{}`)",
            markdown_text(profile)
        );
    }
    "a gateway under test (URL from the scenario)".to_owned()
}
