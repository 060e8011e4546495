//! The human summary: one line per exchange, the breaking ones' errors under them, then a
//! table by model and dialect. Styled with ANSI codes; the caller's stream strips them when
//! the output is not a colour terminal (or `NO_COLOR` is set). Text from captures goes through
//! [`terminal::line`]: it cannot act on the terminal or start a line.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{CheckResults, ExchangeReport};
use crate::capture::Contract;
use crate::conformance::{Severity, Verdict};
use crate::dialect::Dialect;
use crate::text::terminal::{self, Line};

const OK: Style = AnsiColor::Green.on_default();
const BAD: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// How much to show per exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Errors of breaking exchanges only (at most a few each).
    #[default]
    Errors,
    /// Every violation, warnings and notes included.
    All,
}

pub fn render(results: &CheckResults, detail: Detail) -> String {
    let mut out = String::new();
    for result in &results.results {
        line(&mut out, result, detail);
    }
    if results.results.is_empty() {
        out.push_str("no captures found\n");
        return out;
    }
    out.push('\n');
    table(&mut out, results);
    summary_line(&mut out, results);
    out
}

fn verdict_style(verdict: Verdict) -> Style {
    match verdict {
        Verdict::Conforms => OK,
        Verdict::Breaks => BAD,
    }
}

fn line(out: &mut String, result: &ExchangeReport, detail: Detail) {
    let mark = if result.failed() {
        BAD.render().to_string() + "✘"
    } else {
        OK.render().to_string() + "✔"
    };
    let _ = write!(
        out,
        "{mark}{} {}",
        anstyle::Reset.render(),
        Line(&result.capture)
    );
    if let Some(error) = &result.error {
        let _ = writeln!(out, "\n    {BAD}unreadable{BAD:#}: {}", Line(error));
        return;
    }
    let model = Line(result.model.as_deref().unwrap_or("(no model)"));
    let _ = write!(out, "  {BOLD}{model}{BOLD:#}");
    if let Some(request) = &result.request {
        let foreign = if request.foreign.is_empty() {
            String::new()
        } else {
            let names: Vec<_> = request.foreign.iter().map(|d| d.as_str()).collect();
            format!(" (+{})", names.join(", "))
        };
        let style = verdict_style(request.verdict);
        let _ = write!(
            out,
            "  {}{foreign}{}  request {style}{}{style:#}",
            request.dialect,
            judged_as(result.contract, request.dialect),
            request.verdict.as_str()
        );
    } else if let Some(endpoint) = &result.endpoint {
        let _ = write!(out, "  {}", Line(endpoint));
    }
    match &result.response {
        Some(response) => {
            let style = verdict_style(response.verdict);
            let _ = write!(
                out,
                " · {} {} {style}{}{style:#}",
                response.status,
                kind_name(response.kind),
                response.verdict.as_str()
            );
        }
        None => out.push_str(" · no response"),
    }
    if let Some(timing) = &result.timing {
        let mut figures = Vec::new();
        if let Some(ms) = timing.ttfb_ms {
            figures.push(format!("ttfb {}", ms_text(ms)));
        }
        if let Some(ms) = timing.ttft_ms {
            figures.push(format!("ttft {}", ms_text(ms)));
        }
        if !figures.is_empty() {
            let _ = write!(out, "  {DIM}{}{DIM:#}", figures.join(" "));
        }
    }
    out.push('\n');
    if let Some(transport) = &result.transport {
        let _ = writeln!(
            out,
            "    {BAD}transport {}{BAD:#}: {}",
            transport.kind.as_str(),
            Line(&transport.message)
        );
    }
    if let Some(bytes) = result.response.as_ref().and_then(|r| r.omitted_bytes) {
        let _ = writeln!(
            out,
            "    {WARN}capture cut{WARN:#}: {bytes} body bytes are not in the capture; rules about how the body ends may be judging the cut"
        );
    }
    let shown: Vec<_> = result
        .violations()
        .filter(|v| detail == Detail::All || v.severity == Severity::Error)
        .collect();
    let limit = if detail == Detail::All { usize::MAX } else { 4 };
    for violation in shown.iter().take(limit) {
        let style = match violation.severity {
            Severity::Error => BAD,
            Severity::Warning => WARN,
            Severity::Info => DIM,
        };
        let path = if violation.path.is_empty() {
            "/"
        } else {
            &violation.path
        };
        let _ = writeln!(
            out,
            "    {style}{}{style:#} {} {DIM}{}{DIM:#}  {}",
            violation.severity.as_str(),
            violation.code,
            Line(path),
            Line(&violation.message)
        );
    }
    if shown.len() > limit {
        let _ = writeln!(
            out,
            "    {DIM}… {} more (use --verbose){DIM:#}",
            shown.len() - limit
        );
    }
}

/// ` as <contract>` when the body was judged by another API's contract than its own dialect's
/// (a Responses body sent to `/chat/completions`), ` (no contract)` when none covers the endpoint.
fn judged_as(contract: Option<Contract>, dialect: Dialect) -> String {
    match contract {
        None => " (no contract)".to_owned(),
        Some(contract) if dialect.contract() == Some(contract) => String::new(),
        Some(contract) => format!(" as {contract}"),
    }
}

pub(crate) fn kind_name(kind: crate::conformance::ResponseKind) -> &'static str {
    match kind {
        crate::conformance::ResponseKind::Stream => "stream",
        crate::conformance::ResponseKind::Json => "json",
        crate::conformance::ResponseKind::Error => "error",
        crate::conformance::ResponseKind::Models => "models",
        crate::conformance::ResponseKind::Empty => "empty",
    }
}

fn ms_text(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else {
        format!("{ms:.1}ms")
    }
}

fn table(out: &mut String, results: &CheckResults) {
    let rows = &results.summary.by_model;
    if rows.is_empty() {
        return;
    }
    let models: Vec<String> = rows
        .iter()
        .map(|r| terminal::line(&r.model).into_owned())
        .collect();
    let model_width = models
        .iter()
        .map(|m| m.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let dialect_width = rows
        .iter()
        .map(|r| r.dialect.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        out,
        "{BOLD}{:<model_width$}  {:<dialect_width$}  {:>4}  {:>9}  {:>10}  statuses{BOLD:#}",
        "model", "dialect", "n", "req-break", "resp-break"
    );
    for (row, model) in rows.iter().zip(&models) {
        let statuses: Vec<String> = row
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}×{n}"))
            .collect();
        let _ = writeln!(
            out,
            "{:<model_width$}  {:<dialect_width$}  {:>4}  {}  {}  {}",
            model,
            row.dialect,
            row.exchanges,
            count(row.requests_break, 9),
            count(row.responses_break, 10),
            statuses.join(" ")
        );
    }
}

/// A right-aligned count, red when not zero (padded before styling so columns line up).
fn count(n: usize, width: usize) -> String {
    let text = format!("{n:>width$}");
    if n == 0 {
        text
    } else {
        format!("{BAD}{text}{BAD:#}")
    }
}

fn summary_line(out: &mut String, results: &CheckResults) {
    let s = &results.summary;
    // An error answer in a well-formed envelope is a correct refusal, not an answer that
    // conforms: counted apart, as the run reports do.
    let envelopes = results
        .results
        .iter()
        .filter_map(|r| r.response.as_ref())
        .filter(|r| {
            r.kind == crate::conformance::ResponseKind::Error
                && r.verdict == crate::conformance::Verdict::Conforms
        })
        .count();
    let _ = writeln!(
        out,
        "\n{} exchange(s), {} unreadable · requests: {} conform, {} break · responses: {} conform, {envelopes} error envelope(s), {} break · transport errors: {} · profile {}",
        s.exchanges,
        s.unreadable,
        s.requests_conform,
        s.requests_break,
        s.responses_conform.saturating_sub(envelopes),
        s.responses_break,
        s.transport_errors,
        results.profile.as_str()
    );
}
