//! Reports of a run, all rendered from one results model ([`model::Report`]): forum-safe
//! Markdown, JSON (the model itself), JUnit XML and a self-contained HTML page.

pub mod console;
pub mod html;
pub mod judged;
pub mod junit;
pub mod legs_markdown;
pub mod losses;
pub mod markdown;
pub mod matrix;
pub mod matrix_render;
pub mod merge;
pub mod model;
pub mod safe;
pub mod verdict;

use std::path::{Path, PathBuf};

use model::{ExchangeResult, Report, Timings};

/// The model name an exchange is grouped by: as selected in Cursor, `_models` for the Verify
/// call, `_unknown` when the request named none.
pub fn model_key(result: &ExchangeResult) -> String {
    if let Some(model) = &result.model {
        return model.clone();
    }
    match result.endpoint.as_deref() {
        Some(endpoint)
            if endpoint.starts_with("GET ")
                && endpoint.trim_end_matches('/').ends_with("/models") =>
        {
            "_models".to_owned()
        }
        _ => "_unknown".to_owned(),
    }
}

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Json,
    Junit,
    Html,
}

impl Format {
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Md => "report.md",
            Format::Json => "report.json",
            Format::Junit => "junit.xml",
            Format::Html => "report.html",
        }
    }
}

/// Render one format.
pub fn render(report: &Report, timings: Option<&Timings>, format: Format) -> String {
    match format {
        Format::Md => markdown::render(report, markdown::DEFAULT_LIMIT),
        Format::Json => {
            crate::text::terminal::pretty_json(report).unwrap_or_else(|_| "\n".to_owned())
        }
        Format::Junit => junit::render(report),
        Format::Html => html::render(report, timings),
    }
}

/// Write every format (and `timings.json`) into `dir`, atomically; returns the paths.
pub fn write_all(report: &Report, timings: &Timings, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    // Each file is renamed into place, which replaces a link there rather than following it.
    crate::fsio::create_private_dir_all(dir)?;
    let mut written = Vec::new();
    for format in [Format::Md, Format::Json, Format::Junit, Format::Html] {
        let path = dir.join(format.file_name());
        crate::fsio::write_atomically(&path, render(report, Some(timings), format).as_bytes())?;
        written.push(path);
    }
    let path = dir.join("timings.json");
    crate::fsio::write_json_atomically(&path, timings)?;
    written.push(path);
    Ok(written)
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a cursor-harness report: {reason}")]
    Invalid { path: String, reason: String },
}

/// Read a run's `report.json` (and `timings.json` when present) from its folder, or from the
/// file itself.
pub fn read(path: &Path) -> Result<(Report, Option<Timings>), ReadError> {
    let (dir, file) = if path.is_dir() {
        (path.to_owned(), path.join("report.json"))
    } else {
        (
            path.parent().unwrap_or(Path::new(".")).to_owned(),
            path.to_owned(),
        )
    };
    let bytes = std::fs::read(&file).map_err(|source| ReadError::Io {
        path: file.display().to_string(),
        source,
    })?;
    // A report is meant for sharing: what it holds goes through redaction again, whoever
    // wrote it (the text as written; each string decoded, if that cut through the JSON).
    let reader = crate::capture::redact::reader();
    let report: Report = serde_json::from_slice(&reader.bytes(&bytes))
        .or_else(|_| {
            let mut value: serde_json::Value = serde_json::from_slice(&bytes)?;
            reader.json_strings(&mut value);
            serde_json::from_value(value)
        })
        .map_err(|err| ReadError::Invalid {
            path: file.display().to_string(),
            reason: err.to_string(),
        })?;
    if report.format != model::REPORT_FORMAT {
        return Err(ReadError::Invalid {
            path: file.display().to_string(),
            reason: format!("`format` is {:?}", report.format),
        });
    }
    let timings = std::fs::read(dir.join("timings.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    Ok((report, timings))
}
