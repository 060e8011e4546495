//! What a replay shows while it runs: a progress bar when standard error is a terminal, one
//! line per exchange on standard output otherwise (CI logs, pipes).

use std::io::{IsTerminal as _, Write as _};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::run_file::RunExchange;

#[derive(Clone)]
pub enum Progress {
    Bar(ProgressBar),
    Lines,
    /// Nothing at all (library callers and tests).
    Silent,
}

impl Progress {
    /// A bar on a terminal, lines otherwise.
    pub fn for_terminal(total: usize) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress::Lines;
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress::Bar(bar)
    }

    /// An answer arrived (its capture may be written later).
    pub fn received(&self) {
        if let Progress::Bar(bar) = self {
            bar.inc(1);
        }
    }

    /// A capture was written.
    pub fn exchange(&self, entry: &RunExchange) {
        match self {
            Progress::Bar(bar) => {
                if let Some(error) = &entry.error {
                    bar.set_message(format!("last error: {}", error.kind.as_str()));
                }
            }
            Progress::Lines => {
                let mut out = std::io::stdout().lock();
                // A closed pipe must not stop the run; the captures are the output that matters.
                // The line quotes the capture (its model, the failure): it cannot drive the
                // terminal or start a line of its own.
                let _ = writeln!(out, "{}", crate::text::terminal::line(&line(entry)));
            }
            Progress::Silent => {}
        }
    }

    /// A request waits `wait` for its recorded start (`--pace`): say so, so a long recorded
    /// pause does not look like a hang.
    pub fn waiting(&self, seq: usize, wait: std::time::Duration) {
        let message = format!(
            "waiting {} to send #{seq} at its recorded time (--max-gap shortens long pauses)",
            human(wait)
        );
        match self {
            Progress::Bar(bar) => bar.set_message(message),
            Progress::Lines => {
                let _ = writeln!(std::io::stdout().lock(), "      {message}");
            }
            Progress::Silent => {}
        }
    }

    /// The wait [`Progress::waiting`] showed is over.
    pub fn waited(&self) {
        if let Progress::Bar(bar) = self {
            bar.set_message("");
        }
    }

    /// A warning on its own line; what it quotes from an answer cannot act on the terminal.
    pub fn warn(&self, message: &str) {
        let message = crate::text::terminal::line(message);
        match self {
            Progress::Bar(bar) => bar.println(format!("warning: {message}")),
            _ => eprintln!("cursor-harness: warning: {message}"),
        }
    }

    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// `2m59s`, `4.2s`.
fn human(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        let whole = duration.as_secs();
        let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
        if h > 0 {
            format!("{h}h{m:02}m{s:02}s")
        } else {
            format!("{m}m{s:02}s")
        }
    }
}

fn ms(value: Option<f64>) -> String {
    value.map_or("-".to_owned(), |v| format!("{v:.1}ms"))
}

/// `seq status model ttfb ttft total late capture-or-error`.
pub fn line(entry: &RunExchange) -> String {
    let status = entry
        .status
        .map_or("---".to_owned(), |status| status.to_string());
    let tail = match (&entry.error, &entry.file) {
        (Some(error), _) => format!("{}: {}", error.kind.as_str(), error.message),
        (None, Some(file)) => file.clone(),
        (None, None) => "(capture not written)".to_owned(),
    };
    format!(
        "{:>5} {status} {:<24} ttfb {:>9} ttft {:>9} total {:>9} late {:>7}  {tail}",
        entry.seq,
        entry.model.as_deref().unwrap_or("(none)"),
        ms(entry.timing.ttfb_ms),
        ms(entry.timing.ttft_ms),
        ms(entry.timing.duration_ms),
        ms(Some(entry.late_ms)),
    )
}
