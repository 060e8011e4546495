//! The live console: one line per exchange, warnings, and the closing summary.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::capture::recording::Recording;
use crate::capture::{Exchange, millis};
use crate::check::ExchangeReport;
use crate::conformance::Verdict;
use crate::proxy::forward::Notices;
use crate::text::terminal::{self, Line};

/// The heading of the console's exchange lines ([`ExchangeLine::render`]).
pub const COLUMNS: &str = "time      model  dialect  status  ttfb  ttft  duration  bytes  capture";

/// What the console shows for one exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeLine {
    /// Local wall-clock time the request arrived (`HH:MM:SS`).
    pub time: String,
    pub model: Option<String>,
    pub dialect: Option<String>,
    pub request_verdict: Option<Verdict>,
    pub status: Option<u16>,
    /// What the proxy answered itself when the upstream gave no status.
    pub proxy_status: Option<u16>,
    pub ttfb_ms: Option<f64>,
    pub ttft_ms: Option<f64>,
    pub duration_ms: Option<f64>,
    pub request_bytes: usize,
    pub response_bytes: usize,
    pub file: Option<PathBuf>,
    pub error: Option<String>,
    /// The host the request went to (`host[:port]` of the upstream), shown in forward mode
    /// where each line may go somewhere else.
    pub host: Option<String>,
    /// What the upstream said when it refused (the error message of a non-2xx answer).
    pub upstream_said: Option<String>,
}

impl ExchangeLine {
    pub fn new(
        recording: &Recording,
        exchange: &Exchange,
        checked: &ExchangeReport,
        file: Option<PathBuf>,
    ) -> ExchangeLine {
        let timing = checked.timing.as_ref();
        ExchangeLine {
            time: exchange
                .recorded_at
                .parse::<jiff::Timestamp>()
                .map(|ts| {
                    ts.to_zoned_datetime(jiff::tz::TimeZone::system())
                        .strftime("%H:%M:%S")
                        .to_string()
                })
                .unwrap_or_default(),
            model: exchange.model.clone(),
            dialect: checked
                .request
                .as_ref()
                .map(|r| r.dialect.as_str().to_owned()),
            request_verdict: checked.request.as_ref().map(|r| r.verdict),
            status: exchange.response.as_ref().map(|r| r.status),
            proxy_status: recording.proxy_status,
            ttfb_ms: timing.and_then(|t| t.ttfb_ms),
            ttft_ms: timing.and_then(|t| t.ttft_ms),
            duration_ms: timing
                .and_then(|t| t.duration_ms)
                .or_else(|| recording.error.as_ref().map(|e| millis(e.at))),
            request_bytes: recording.request_body.len(),
            response_bytes: recording.response_bytes(),
            file,
            error: exchange
                .error
                .as_ref()
                .map(|e| format!("{}: {}", e.kind.as_str(), e.message))
                .or_else(|| {
                    crate::capture::convert::closed_after_complete(recording, exchange)
                        .map(|note| format!("note: {note}"))
                }),
            host: exchange.upstream.as_deref().map(|upstream| {
                let rest = upstream
                    .split_once("://")
                    .map_or(upstream, |(_, rest)| rest);
                rest.split('/').next().unwrap_or(rest).to_owned()
            }),
            upstream_said: checked
                .response
                .iter()
                .flat_map(|r| &r.violations)
                .find(|v| v.code == crate::conformance::Rule::ResponseErrorStatus.code())
                .map(|v| {
                    // The rule's message is `status N: <what the upstream said>`.
                    v.message
                        .split_once(": ")
                        .map_or(v.message.as_str(), |(_, said)| said)
                        .to_owned()
                }),
        }
    }

    /// The line as printed (with the host when `host` is true).
    pub fn render_with(&self, host: bool) -> String {
        let mut line = self.render();
        if host && let Some(host) = &self.host {
            line = format!("{}  → {}", line, terminal::line(host));
        }
        line
    }

    /// The line as printed. Everything taken from the exchange (the model name, the failure,
    /// the upstream's words, the host) goes through [`terminal::line`]: one line per exchange,
    /// and nothing in it can act on the terminal.
    pub fn render(&self) -> String {
        let ms = |v: Option<f64>| {
            v.map_or("-".to_owned(), |ms| {
                if ms >= 1000.0 {
                    format!("{:.2}s", ms / 1000.0)
                } else {
                    format!("{ms:.1}ms")
                }
            })
        };
        let status = match (self.status, self.proxy_status) {
            (Some(status), _) => status.to_string(),
            (None, Some(proxy)) => format!("{proxy}(proxy)"),
            (None, None) => "-".to_owned(),
        };
        let dialect = match (&self.dialect, self.request_verdict) {
            (Some(d), Some(Verdict::Breaks)) => format!("{d}✘"),
            (Some(d), _) => d.clone(),
            (None, _) => "-".to_owned(),
        };
        let mut line = format!(
            "{}  {}  {}  {}  ttfb {}  ttft {}  {}  {}→{}  {}",
            self.time,
            Line(self.model.as_deref().unwrap_or("-")),
            dialect,
            status,
            ms(self.ttfb_ms),
            ms(self.ttft_ms),
            ms(self.duration_ms),
            bytes(self.request_bytes),
            bytes(self.response_bytes),
            self.file
                .as_ref()
                .map_or("NOT WRITTEN".to_owned(), |f| terminal::line(
                    &f.display().to_string()
                )
                .into_owned()),
        );
        if let Some(error) = &self.error {
            line.push_str("  ! ");
            line.push_str(&terminal::line(error));
        }
        if let Some(said) = &self.upstream_said {
            line.push_str("  « ");
            line.push_str(&terminal::line(said));
        }
        line
    }
}

fn bytes(n: usize) -> String {
    match n {
        0..1024 => format!("{n}B"),
        1024..1_048_576 => format!("{:.1}KB", n as f64 / 1024.0),
        _ => format!("{:.1}MB", n as f64 / 1_048_576.0),
    }
}

/// Where console lines go.
pub trait Console: Send {
    fn exchange(&mut self, line: &ExchangeLine);
    /// The lines given so far are all shown (called after each batch of captures).
    fn flush(&mut self) {}
    fn warn(&mut self, message: &str);
    /// Where the proxy reports what happens outside any exchange; standard error unless the
    /// console keeps its own warnings.
    fn notices(&self) -> Notices {
        Notices::new(warn_on_stderr)
    }
}

/// A warning on standard error. A closed standard error is not worth stopping for: the
/// captures, not the console, are the record.
pub fn warn_on_stderr(message: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "cursor-harness: warning: {}",
        Line(message)
    );
}

/// Lines to standard output, warnings to standard error.
///
/// The lines of a batch of captures are printed together, in one write: a line per write was
/// a system call per capture on the writer thread, which under a flood of requests is the
/// thread that limits the recorder.
///
/// Standard output that goes away (`record … | head`, a closed terminal) ends the lines, not
/// the session: the writer thread that prints them must never stop over it, or every later
/// request would be refused.
#[derive(Default)]
pub struct Stdout {
    closed: bool,
    /// Show where each exchange went (forward mode: one proxy, many hosts).
    hosts: bool,
    /// Lines not printed yet.
    pending: String,
}

impl Stdout {
    /// Lines that also name the host each exchange went to.
    pub fn with_hosts() -> Stdout {
        Stdout {
            hosts: true,
            ..Stdout::default()
        }
    }
}

impl Console for Stdout {
    fn exchange(&mut self, line: &ExchangeLine) {
        if self.closed {
            return;
        }
        self.pending.push_str(&line.render_with(self.hosts));
        self.pending.push('\n');
    }
    fn flush(&mut self) {
        if self.closed || self.pending.is_empty() {
            return;
        }
        let written = std::io::stdout().lock().write_all(self.pending.as_bytes());
        self.pending.clear();
        if let Err(err) = written {
            self.closed = true;
            warn_on_stderr(&if err.kind() == std::io::ErrorKind::BrokenPipe {
                "standard output was closed; exchange lines are no longer printed (captures are still written)".to_owned()
            } else {
                format!(
                    "cannot print to standard output ({err}); exchange lines are no longer printed (captures are still written)"
                )
            });
        }
    }
    fn warn(&mut self, message: &str) {
        // Lines already given come first: a warning refers to what went before it.
        self.flush();
        warn_on_stderr(message);
    }
}

/// Keeps lines in memory (tests, embedding).
#[derive(Clone, Default)]
pub struct Collect {
    pub lines: Arc<Mutex<Vec<ExchangeLine>>>,
    pub warnings: Arc<Mutex<Vec<String>>>,
}

impl Console for Collect {
    fn exchange(&mut self, line: &ExchangeLine) {
        self.lines.lock().expect("console lock").push(line.clone());
    }
    fn warn(&mut self, message: &str) {
        self.warnings
            .lock()
            .expect("console lock")
            .push(message.to_owned());
    }
    fn notices(&self) -> Notices {
        let warnings = self.warnings.clone();
        Notices::new(move |message| {
            warnings
                .lock()
                .expect("console lock")
                .push(message.to_owned());
        })
    }
}
