//! The text output of `diff`: per pair the changes (pointer, before → after), the unified diff
//! of the canonical views, and chunking and timing side by side; per session the request fields
//! and tools that moved. Text from captures goes through [`terminal::line`] (the unified diff
//! through [`terminal::block`]).

use std::fmt::Write as _;

use serde_json::Value;
use similar::TextDiff;

use super::compare::{ChangeKind, Rules, unredacted};
use super::sessions::{ShapeChange, ShapeChangeKind};
use super::{DiffReport, PairDiff, canonical};
use crate::json;
use crate::text::terminal::{self, Line};

/// A unified diff of the two views as canonical pretty JSON, with ignored fields masked (so the
/// text shows what the change list counts, not the noise) and redaction hashes hidden.
pub fn unified(before: &Value, after: &Value, a_name: &str, b_name: &str, rules: &Rules) -> String {
    let show = |value: &Value| {
        let mut masked = canonical(value);
        mask(&mut masked, &mut Vec::new(), rules);
        let text = serde_json::to_string_pretty(&masked).unwrap_or_default() + "\n";
        if rules.mask_redactions {
            unredacted(&text).into_owned()
        } else {
            text
        }
    };
    let (x, y) = (show(before), show(after));
    let diff = TextDiff::from_lines(&x, &y)
        .unified_diff()
        .context_radius(3)
        .header(&terminal::line(a_name), &terminal::line(b_name))
        .to_string();
    // Pretty JSON escapes what JSON must; a terminal acts on more (C1, DEL, bidi overrides).
    terminal::block(&diff).into_owned()
}

fn mask(value: &mut Value, path: &mut Vec<String>, rules: &Rules) {
    if !path.is_empty() && rules.ignores(path) {
        *value = Value::String("<ignored>".to_owned());
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                path.push(key.clone());
                mask(inner, path, rules);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter_mut().enumerate() {
                path.push(index.to_string());
                mask(inner, path, rules);
                path.pop();
            }
        }
        _ => {}
    }
}

fn short(value: Option<&Value>) -> String {
    value.map_or("(absent)".to_owned(), |v| {
        terminal::line(&json::preview(v, 80)).into_owned()
    })
}

fn pair(out: &mut String, pair: &PairDiff) {
    let verdict = if pair.equal { "equal" } else { "DIFFERENT" };
    let _ = writeln!(out, "{verdict}: {} ↔ {}", Line(&pair.a), Line(&pair.b));
    for change in &pair.changes {
        let sign = match change.kind {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        };
        let _ = writeln!(
            out,
            "  {sign} {}: {} → {}",
            Line(&change.path),
            short(change.before.as_ref()),
            short(change.after.as_ref())
        );
    }
    for (side, hits) in [("A", &pair.rules.only_a), ("B", &pair.rules.only_b)] {
        for hit in hits {
            let times = if hit.count > 1 {
                format!(" ({}×)", hit.count)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  ! only {side} breaks {} ({}){times} at '{}': {}",
                hit.code,
                hit.severity.as_str(),
                Line(&hit.path),
                Line(&json::shorten(&hit.message, 120))
            );
        }
    }
    if !pair.rules.both.is_empty() {
        let _ = writeln!(out, "  both break: {}", pair.rules.both.join(", "));
    }
    if let Some(chunking) = &pair.chunking
        && chunking.a != chunking.b
    {
        let show = |c: &Option<super::view::Chunking>| {
            c.as_ref().map_or("no stream".to_owned(), |c| {
                format!(
                    "{} chunks, {} events, {} with content",
                    c.chunks, c.events, c.content_events
                )
            })
        };
        let _ = writeln!(
            out,
            "  chunking (not a difference): {} → {}",
            show(&chunking.a),
            show(&chunking.b)
        );
    }
    if let Some(timing) = &pair.timing {
        let show = |t: &Option<crate::timing::Timing>| {
            let ms = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
            t.as_ref().map_or("-".to_owned(), |t| {
                format!(
                    "ttfb {} ttft {} total {} ms",
                    ms(t.ttfb_ms),
                    ms(t.ttft_ms),
                    ms(t.duration_ms)
                )
            })
        };
        let _ = writeln!(
            out,
            "  timing (not a difference): {} → {}",
            show(&timing.a),
            show(&timing.b)
        );
    }
    if !pair.unified.is_empty() {
        out.push('\n');
        out.push_str(&pair.unified);
    }
}

fn shape_change(out: &mut String, what: &str, change: &ShapeChange) {
    let kind = match change.change {
        ShapeChangeKind::Appeared => "appeared",
        ShapeChangeKind::Vanished => "vanished",
        ShapeChangeKind::Changed => "changed shape",
    };
    let _ = writeln!(out, "    {what} {} {kind}", Line(&change.name));
    if change.change == ShapeChangeKind::Changed {
        for fact in &change.removed {
            let _ = writeln!(out, "      - {}", Line(fact));
        }
        for fact in &change.added {
            let _ = writeln!(out, "      + {}", Line(fact));
        }
    }
}

/// The whole report as text.
pub fn text(report: &DiffReport) -> String {
    let mut out = String::new();
    for p in &report.pairs {
        pair(&mut out, p);
    }
    if let Some(sessions) = &report.sessions {
        let _ = writeln!(out, "request formats, session against session:");
        for model in &sessions.models {
            if model.is_empty() {
                let _ = writeln!(
                    out,
                    "  {}: unchanged ({} → {} request(s))",
                    Line(&model.model),
                    model.before,
                    model.after
                );
                continue;
            }
            let _ = writeln!(
                out,
                "  {}: {} → {} request(s)",
                Line(&model.model),
                model.before,
                model.after
            );
            for change in &model.fields {
                shape_change(&mut out, "field", change);
            }
            for change in &model.tools {
                shape_change(&mut out, "tool", change);
            }
        }
    }
    for unmatched in &report.only_in_a {
        let _ = writeln!(
            out,
            "only in A: {} (id {})",
            Line(&unmatched.capture),
            Line(&unmatched.id)
        );
    }
    for unmatched in &report.only_in_b {
        let _ = writeln!(
            out,
            "only in B: {} (id {})",
            Line(&unmatched.capture),
            Line(&unmatched.id)
        );
    }
    for unreadable in &report.unreadable {
        let _ = writeln!(out, "unreadable: {}", Line(&unreadable.error));
    }
    let verdict = if report.equal {
        "equal"
    } else if report.nothing_compared.is_some() {
        "nothing compared"
    } else {
        "different"
    };
    if let Some(sessions) = &report.sessions {
        let changed = sessions.models.iter().filter(|m| !m.is_empty()).count();
        if report.nothing_compared.is_some() {
            let _ = writeln!(
                out,
                "{verdict}: 0 pairs; the request formats of {} model(s) are shown as sessions ({changed} changed), {} unreadable",
                sessions.models.len(),
                report.unreadable.len()
            );
        } else {
            let _ = writeln!(
                out,
                "{verdict}: {} exchange(s) of {} model(s) compared as sessions, {changed} model(s) changed, {} unreadable",
                report.compared,
                sessions.models.len(),
                report.unreadable.len()
            );
        }
    } else {
        let different = report.pairs.iter().filter(|p| !p.equal).count();
        let _ = writeln!(
            out,
            "{verdict}: {} pair(s) compared, {different} different, {} only in A, {} only in B, {} unreadable",
            report.pairs.len(),
            report.only_in_a.len(),
            report.only_in_b.len(),
            report.unreadable.len()
        );
    }
    if let Some(why) = &report.nothing_compared {
        let _ = writeln!(out, "{}", Line(why));
    }
    out
}
