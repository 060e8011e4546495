//! The HTML report: one self-contained file (no network), readable with JavaScript off.
//!
//! Everything that comes from a capture is escaped, and a Content-Security-Policy allows only
//! the page's own script (by hash), so even a bug in escaping could not run injected code. With
//! JavaScript on, the filters (model, dialect, verdict) narrow the table and the details; a URL
//! fragment such as `#model=gpt-5.5&verdict=breaks` presets them.

use std::fmt::Write as _;

use base64::Engine as _;
use serde_json::Value;

use super::model::{Answer, ExchangeResult, ExpectationVerdict, Outcome, Report, Timings};
use super::safe::relative_display;
use crate::conformance::{Severity, Verdict, Violation};

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header,main{max-width:1280px;margin:0 auto;padding:16px 24px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:24px 0 8px}
.outcome{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600}
.pass{background:#d8f5dd;color:#135c23}.fail{background:#fde0e0;color:#8a1414}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #dde1e8;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.breaks,span.breaks{color:#8a1414;font-weight:600}td.conforms,span.conforms{color:#135c23}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#fff;border:1px solid #dde1e8;padding:8px;overflow:auto;max-height:480px;margin:4px 0;white-space:pre-wrap;word-break:break-word}
details.exchange{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:8px 0;padding:4px 12px}
details.exchange>summary{cursor:pointer;padding:4px 0}
.side-by-side{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media (max-width:900px){.side-by-side{grid-template-columns:1fr}}
.line.hit{background:#fff1c2;outline:1px solid #e0b400}
.violations li.error{color:#8a1414}.violations li.warning{color:#8a5a00}.violations li.info{color:#4a5568}
.timeline{position:relative;height:28px;background:#fff;border:1px solid #dde1e8;margin:4px 0}
.timeline span{position:absolute;top:4px;width:2px;height:20px;background:#3a6ee8}
.diff .add{background:#e2f7e6}.diff .del{background:#fde7e7}
#filters{margin:8px 0}#filters label{margin-right:16px}
.muted{color:#5b6475}
"#;

const SCRIPT: &str = r#"
(function(){
  var form=document.getElementById('filters');
  if(!form){return;}
  form.hidden=false;
  var selects=form.querySelectorAll('select');
  function apply(){
    var want={};
    selects.forEach(function(s){want[s.dataset.filter]=s.value;});
    document.querySelectorAll('[data-model]').forEach(function(el){
      var show=Object.keys(want).every(function(k){return !want[k]||el.dataset[k]===want[k];});
      el.hidden=!show;
    });
    var parts=[];
    Object.keys(want).forEach(function(k){if(want[k]){parts.push(k+'='+encodeURIComponent(want[k]));}});
    history.replaceState(null,'',parts.length?'#'+parts.join('&'):location.pathname);
  }
  var preset={};
  location.hash.slice(1).split('&').forEach(function(p){var kv=p.split('=');if(kv[0]){preset[kv[0]]=decodeURIComponent(kv[1]||'');}});
  selects.forEach(function(s){
    if(preset[s.dataset.filter]!==undefined){s.value=preset[s.dataset.filter];}
    s.addEventListener('change',apply);
  });
  apply();
})();
"#;

pub use crate::text::html::escape;

pub fn render(report: &Report, timings: Option<&Timings>) -> String {
    let script_hash = base64::engine::general_purpose::STANDARD
        .encode(ring::digest::digest(&ring::digest::SHA256, SCRIPT.as_bytes()).as_ref());
    let mut out = String::new();
    let title = format!("cursor-harness: {}", report.scenario.name);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; img-src data:\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(&title)
    );
    header(&mut out, report);
    out.push_str("<main>\n");
    if let Some(matrix) = &report.matrix {
        super::matrix_render::html(&mut out, report, matrix);
    }
    table(&mut out, report);
    expectations(&mut out, report);
    out.push_str("<h2>Exchanges</h2>\n");
    for (index, result) in report.exchanges.iter().enumerate() {
        let timing = timings.and_then(|t| t.exchanges.get(&result.timing_key()));
        exchange(&mut out, index, result, timing);
    }
    let _ = write!(out, "</main>\n<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

fn header(out: &mut String, report: &Report) {
    let (class, words) = match report.outcome {
        Outcome::Pass => ("pass", "PASS"),
        Outcome::Fail => ("fail", "FAIL"),
    };
    let s = &report.summary;
    let _ = writeln!(
        out,
        "<header><h1>cursor-harness: {}</h1><p>{}</p><p><span class=\"outcome {class}\">{words}</span> \
         {} failure(s) · {} exchange(s) · {} unreadable · {} request(s) break · answers: {} conform, {} error envelope(s), {} break · {} warning(s) · {} of {} expectation(s) failed, {} not applicable · target <code>{}</code> · profile <code>{}</code></p></header>",
        escape(&report.scenario.name),
        escape(&report.scenario.description),
        s.failures,
        s.exchanges,
        s.unreadable,
        s.requests_break,
        s.responses_conform,
        s.error_envelopes,
        s.responses_break,
        s.warnings,
        s.expectations_failed,
        s.expectations,
        s.expectations_not_applicable,
        escape(
            &match (&report.scenario.target, report.scenario.targets.len()) {
                (_, n) if n > 0 => format!("{n} targets"),
                (Some(target), _) => target.clone(),
                (None, _) => "none".to_owned(),
            }
        ),
        report.scenario.profile.as_str(),
    );
}

/// The capture path, after the target's name when the run had several targets.
fn display_name(result: &ExchangeResult) -> String {
    match &result.target {
        Some(target) => format!("{target}: {}", relative_display(&result.capture)),
        None => relative_display(&result.capture),
    }
}

fn verdict_word(verdict: Option<Verdict>) -> &'static str {
    match verdict {
        Some(Verdict::Conforms) => "conforms",
        Some(Verdict::Breaks) => "breaks",
        None => "none",
    }
}

/// The verdict a row is filtered by: breaks when the request or the judged response breaks.
fn overall(result: &ExchangeResult) -> &'static str {
    let request = result.request.as_ref().map(|r| r.verdict);
    let response = Report::judged_response(result).map(|r| r.verdict);
    if result.error.is_some() {
        "unreadable"
    } else if request == Some(Verdict::Breaks) || response == Some(Verdict::Breaks) {
        "breaks"
    } else {
        "conforms"
    }
}

fn data_attributes(result: &ExchangeResult) -> String {
    format!(
        "data-model=\"{}\" data-dialect=\"{}\" data-verdict=\"{}\"",
        escape(&super::model_key(result)),
        result
            .request
            .as_ref()
            .map_or("none", |r| r.dialect.as_str()),
        overall(result)
    )
}

fn table(out: &mut String, report: &Report) {
    out.push_str("<h2>What breaks</h2>\n<form id=\"filters\" hidden>");
    let mut models: Vec<String> = report.exchanges.iter().map(super::model_key).collect();
    models.sort();
    models.dedup();
    let mut dialects: Vec<&str> = report
        .exchanges
        .iter()
        .map(|e| e.request.as_ref().map_or("none", |r| r.dialect.as_str()))
        .collect();
    dialects.sort_unstable();
    dialects.dedup();
    let verdicts = ["breaks", "conforms", "unreadable"];
    for (label, key, values) in [
        ("Model", "model", models.clone()),
        (
            "Dialect",
            "dialect",
            dialects.iter().map(|d| (*d).to_owned()).collect(),
        ),
        (
            "Verdict",
            "verdict",
            verdicts.iter().map(|v| (*v).to_owned()).collect(),
        ),
    ] {
        let _ = write!(
            out,
            "<label>{label} <select id=\"filter-{key}\" data-filter=\"{key}\"><option value=\"\">all</option>"
        );
        for value in values {
            let _ = write!(out, "<option value=\"{0}\">{0}</option>", escape(&value));
        }
        out.push_str("</select></label>");
    }
    out.push_str("</form>\n<table id=\"exchanges\"><thead><tr><th>capture</th><th>model</th><th>request dialect</th><th>request</th><th>status</th><th>response</th><th>expectations</th></tr></thead><tbody>\n");
    for (index, result) in report.exchanges.iter().enumerate() {
        let request = result.request.as_ref().map(|r| r.verdict);
        let expectations = if result.expectations.is_empty() {
            "—".to_owned()
        } else {
            let failed = result.expectations.iter().filter(|e| !e.passed).count();
            if failed == 0 {
                format!("{} held", result.expectations.len())
            } else {
                format!("<span class=\"breaks\">{failed} failed</span>")
            }
        };
        let dialect = match &result.request {
            Some(r) if !r.foreign.is_empty() => format!(
                "{} (+{})",
                r.dialect,
                r.foreign
                    .iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(r) => r.dialect.to_string(),
            None => "none".to_owned(),
        };
        let request_word = verdict_word(request);
        let (response_class, response_word) = match super::verdict::answer(result) {
            Some(Answer::Breaks) => ("breaks", "breaks"),
            Some(Answer::ErrorEnvelope) => ("conforms", "error envelope"),
            Some(Answer::Conforms) => ("conforms", "conforms"),
            None => ("none", "none"),
        };
        let _ = writeln!(
            out,
            "<tr {attributes}><td><a href=\"#x-{index}\">{capture}</a></td><td>{model}</td><td>{dialect}</td>\
             <td class=\"{request_word}\">{request_word}</td><td>{status}</td><td class=\"{response_class}\">{response_word}</td><td>{expectations}</td></tr>",
            attributes = data_attributes(result),
            capture = escape(&display_name(result)),
            model = escape(&super::model_key(result)),
            status = Report::judged_status(result).map_or("none".to_owned(), |s| s.to_string()),
        );
    }
    out.push_str("</tbody></table>\n");
}

fn expectations(out: &mut String, report: &Report) {
    out.push_str("<h2>Expectations</h2>\n<ul>\n");
    for expectation in &report.expectations {
        let (class, mark) = match expectation.verdict {
            ExpectationVerdict::Pass => ("conforms", "✔"),
            ExpectationVerdict::Fail => ("breaks", "✘"),
            ExpectationVerdict::NotApplicable => ("muted", "–"),
        };
        let _ = write!(
            out,
            "<li><span class=\"{class}\">{mark}</span> {} <span class=\"muted\">({} exchange(s), {} failed{})</span>",
            escape(&expectation.name),
            expectation.matched,
            expectation.failed,
            expectation
                .note
                .as_deref()
                .map_or(String::new(), |note| format!("; {}", escape(note)))
        );
        if !expectation.failures.is_empty() {
            out.push_str("<ul>");
            for failure in &expectation.failures {
                let _ = write!(
                    out,
                    "<li>{}<code>{}</code>: {}</li>",
                    failure
                        .target
                        .as_deref()
                        .map_or(String::new(), |t| format!("{}: ", escape(t))),
                    escape(&relative_display(&failure.capture)),
                    escape(&failure.reasons.join("; "))
                );
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
}

fn exchange(
    out: &mut String,
    index: usize,
    result: &ExchangeResult,
    timing: Option<&super::model::ExchangeTimings>,
) {
    let verdict = overall(result);
    let _ = writeln!(
        out,
        "<details class=\"exchange\" id=\"x-{index}\" {attributes}><summary><code>{capture}</code> · {model} · {dialect} · <span class=\"{verdict}\">{verdict}</span></summary>",
        attributes = data_attributes(result),
        capture = escape(&display_name(result)),
        model = escape(&super::model_key(result)),
        dialect = result
            .request
            .as_ref()
            .map_or("none", |r| r.dialect.as_str()),
    );
    if let Some(error) = &result.error {
        let _ = writeln!(
            out,
            "<p class=\"breaks\">Unreadable: {}</p></details>",
            escape(error)
        );
        return;
    }
    let request_violations: Vec<&Violation> =
        result.request.iter().flat_map(|r| &r.violations).collect();
    let judged = Report::judged_response(result);
    let response_violations: Vec<&Violation> = judged.iter().flat_map(|r| &r.violations).collect();
    for outcome in &result.expectations {
        let class = if outcome.passed { "conforms" } else { "breaks" };
        let _ = write!(
            out,
            "<p class=\"{class}\">{} {}{}</p>",
            if outcome.passed { "✔" } else { "✘" },
            escape(&outcome.name),
            if outcome.reasons.is_empty() {
                String::new()
            } else {
                format!(": {}", escape(&outcome.reasons.join("; ")))
            }
        );
    }
    violations(out, "Request", &request_violations);
    violations(out, "Response", &response_violations);
    out.push_str("<div class=\"side-by-side\">\n<div class=\"side request\"><h4>Request");
    if let Some(endpoint) = &result.endpoint {
        let _ = write!(out, " <code>{}</code>", escape(endpoint));
    }
    out.push_str("</h4>");
    match (&result.sample.request, &result.sample.request_text) {
        (Some(body), _) => json_with_hits(out, body, &request_violations),
        (None, Some(text)) => {
            let _ = write!(out, "<pre>{}</pre>", escape(text));
        }
        (None, None) => out.push_str("<p class=\"muted\">no body</p>"),
    }
    let which = if result.replayed.is_some() {
        "replayed"
    } else {
        "recorded"
    };
    let _ = write!(
        out,
        "</div>\n<div class=\"side response\"><h4>Response ({which}) <code>{}</code></h4>",
        Report::judged_status(result).map_or("no status".to_owned(), |s| s.to_string())
    );
    if let Some(error) = result.replayed.as_ref().and_then(|r| r.error.as_ref()) {
        let _ = write!(out, "<p class=\"breaks\">{}</p>", escape(error));
    }
    match &result.sample.response {
        Some(text) => {
            let _ = write!(out, "<pre>{}</pre>", escape(text));
        }
        None => out.push_str("<p class=\"muted\">no body</p>"),
    }
    out.push_str("</div>\n</div>\n");
    if let Some(timing) = timing {
        if let Some(setup) = &timing.connection {
            let _ = write!(
                out,
                "<p class=\"muted\">Opened its connection first: connect {:.2} ms{}; the times here include it, the run's latency figures do not.</p>",
                setup.connect_ms,
                setup
                    .tls_ms
                    .map_or(String::new(), |tls| format!(", TLS handshake {tls:.2} ms"))
            );
        }
        timeline(out, &timing.chunks);
    }
    if let Some(golden) = &result.golden {
        let _ = write!(
            out,
            "<h4>Compared with the golden capture: {}</h4>",
            if golden.equal { "equal" } else { "different" }
        );
        if !golden.text.is_empty() {
            out.push_str("<pre class=\"diff\">");
            for line in golden.text.lines() {
                let class = match line.chars().next() {
                    Some('+') => " class=\"add\"",
                    Some('-') => " class=\"del\"",
                    _ => "",
                };
                let _ = writeln!(out, "<span{class}>{}</span>", escape(line));
            }
            out.push_str("</pre>");
        }
    }
    out.push_str("</details>\n");
}

fn violations(out: &mut String, side: &str, list: &[&Violation]) {
    if list.is_empty() {
        return;
    }
    let _ = write!(out, "<h4>{side} violations</h4><ul class=\"violations\">");
    for violation in list {
        let _ = write!(
            out,
            "<li class=\"{}\">{} <code>{}</code> at <code>{}</code>{}: {}</li>",
            violation.severity.as_str(),
            violation.severity.as_str(),
            escape(&violation.code),
            escape(if violation.path.is_empty() {
                "/"
            } else {
                &violation.path
            }),
            violation.dialect.map_or(String::new(), |d| format!(
                " <span class=\"muted\">({d})</span>"
            )),
            escape(&violation.message)
        );
    }
    out.push_str("</ul>");
}

/// Pretty JSON, one line per element, with the lines violations point at highlighted. A
/// violation on a missing field lights up its nearest existing parent.
fn json_with_hits(out: &mut String, body: &Value, list: &[&Violation]) {
    let mut lines = Vec::new();
    pretty(body, String::new(), None, 0, true, &mut lines);
    let pointers: Vec<&str> = lines.iter().map(|(p, _)| p.as_str()).collect();
    let mut hits: Vec<(usize, String)> = Vec::new();
    for violation in list.iter().filter(|v| v.severity != Severity::Info) {
        let mut target = violation.path.as_str();
        loop {
            if let Some(line) = pointers.iter().position(|p| *p == target) {
                hits.push((line, format!("{}: {}", violation.code, violation.message)));
                break;
            }
            match target.rfind('/') {
                Some(cut) => target = &target[..cut],
                None => break,
            }
        }
    }
    out.push_str("<pre class=\"json\">");
    for (index, (pointer, text)) in lines.iter().enumerate() {
        let notes: Vec<&str> = hits
            .iter()
            .filter(|(line, _)| *line == index)
            .map(|(_, note)| note.as_str())
            .collect();
        if notes.is_empty() {
            let _ = writeln!(
                out,
                "<span class=\"line\" data-pointer=\"{}\">{}</span>",
                escape(pointer),
                escape(text)
            );
        } else {
            let _ = writeln!(
                out,
                "<span class=\"line hit\" data-pointer=\"{}\" title=\"{}\">{}</span>",
                escape(pointer),
                escape(&notes.join("\n")),
                escape(text)
            );
        }
    }
    out.push_str("</pre>");
}

/// Lines of pretty JSON, each with the pointer of the value it opens.
fn pretty(
    value: &Value,
    pointer: String,
    key: Option<&str>,
    depth: usize,
    last: bool,
    lines: &mut Vec<(String, String)>,
) {
    let indent = "  ".repeat(depth);
    let prefix = key.map_or(String::new(), |k| {
        format!("{}: ", serde_json::to_string(k).unwrap_or_default())
    });
    let comma = if last { "" } else { "," };
    match value {
        Value::Object(map) if !map.is_empty() => {
            lines.push((pointer.clone(), format!("{indent}{prefix}{{")));
            let count = map.len();
            for (i, (k, v)) in map.iter().enumerate() {
                pretty(
                    v,
                    crate::json::join(&pointer, k),
                    Some(k),
                    depth + 1,
                    i + 1 == count,
                    lines,
                );
            }
            lines.push((pointer, format!("{indent}}}{comma}")));
        }
        Value::Array(items) if !items.is_empty() => {
            lines.push((pointer.clone(), format!("{indent}{prefix}[")));
            let count = items.len();
            for (i, v) in items.iter().enumerate() {
                pretty(
                    v,
                    crate::json::join_index(&pointer, i),
                    None,
                    depth + 1,
                    i + 1 == count,
                    lines,
                );
            }
            lines.push((pointer, format!("{indent}]{comma}")));
        }
        scalar => lines.push((
            pointer,
            format!(
                "{indent}{prefix}{}{comma}",
                serde_json::to_string(scalar).unwrap_or_default()
            ),
        )),
    }
}

/// Chunk arrivals as marks on a line, positioned with CSS only.
fn timeline(out: &mut String, chunks: &[f64]) {
    let Some(last) = chunks.iter().copied().fold(None, |max: Option<f64>, t| {
        Some(max.map_or(t, |m| m.max(t)))
    }) else {
        return;
    };
    let span = last.max(1.0);
    let _ = write!(
        out,
        "<h4>Stream timeline: {} chunk(s) over {:.1} ms</h4><div class=\"timeline\" role=\"img\" aria-label=\"chunk arrival times\">",
        chunks.len(),
        last
    );
    for at in chunks.iter().take(2000) {
        let _ = write!(
            out,
            "<span style=\"left:{:.2}%\" title=\"{at:.3} ms\"></span>",
            at / span * 99.5
        );
    }
    out.push_str("</div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_lines_carry_pointers() {
        let value = serde_json::json!({"a": [1, {"b": "x"}], "c/d": true});
        let mut lines = Vec::new();
        pretty(&value, String::new(), None, 0, true, &mut lines);
        let pointers: Vec<&str> = lines.iter().map(|(p, _)| p.as_str()).collect();
        assert!(pointers.contains(&"/a/1/b"));
        assert!(pointers.contains(&"/c~1d"));
        let text: Vec<&str> = lines.iter().map(|(_, t)| t.as_str()).collect();
        let rebuilt: serde_json::Value = serde_json::from_str(&text.join("\n")).unwrap();
        assert_eq!(rebuilt, value);
    }
}
