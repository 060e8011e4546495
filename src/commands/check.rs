//! `cursor-harness check`.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::capture::filter::ModelFilter;
use crate::capture::input::{self, InputError, Loaded};
use crate::check::{self, markdown, text};
use crate::cli::{CheckArgs, CheckFormat};
use crate::exit::{FAILED, Failure};

use super::output;

/// How standard input is named in the results.
const STDIN: &str = "<stdin>";

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let filter = match &args.model {
        Some(glob) => Some(ModelFilter::new(glob).map_err(|why| {
            Failure::usage(why).with_hint("a glob such as gpt-* or {claude-*,gemini-*}")
        })?),
        None => None,
    };
    let keep = |loaded: &Loaded| filter.as_ref().is_none_or(|f| f.keeps(loaded));
    if args.paths.iter().filter(|p| is_stdin(p)).count() > 1 {
        return Err(
            Failure::usage("`-` (standard input) is given more than once")
                .with_hint("standard input can be read once; give `-` once")
                .into(),
        );
    }
    // Paths are checked in the order given; `-` reads standard input in its place, in memory
    // only (what is piped in may hold secrets and is never written).
    let mut rows = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let flush = |files: &mut Vec<PathBuf>, rows: &mut Vec<_>| -> anyhow::Result<()> {
        if files.is_empty() {
            return Ok(());
        }
        let candidates = input::expand(files).map_err(input_failure)?;
        rows.extend(check::check_where(
            &candidates,
            args.profile,
            args.contract,
            &keep,
        ));
        files.clear();
        Ok(())
    };
    for path in &args.paths {
        if is_stdin(path) {
            flush(&mut files, &mut rows)?;
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|err| Failure::usage(format!("cannot read standard input: {err}")))?;
            rows.extend(
                input::load_bytes(STDIN, &bytes)
                    .into_iter()
                    .filter(|loaded| keep(loaded))
                    .map(|loaded| check::check_loaded_as(loaded, args.profile, args.contract)),
            );
        } else {
            files.push(path.clone());
        }
    }
    flush(&mut files, &mut rows)?;
    if let Some(filter) = &filter
        && rows.is_empty()
    {
        return Err(Failure::usage(format!(
            "no exchange's model matches --model {}",
            filter.pattern()
        ))
        .with_hint("models are as selected in Cursor (`gpt-5.5`); `_models` is the Verify call")
        .into());
    }
    let results = check::finish(rows, args.profile);
    let rendered = match args.format {
        CheckFormat::Text => {
            let detail = if args.verbose {
                text::Detail::All
            } else {
                text::Detail::Errors
            };
            text::render(&results, detail)
        }
        CheckFormat::Json => crate::text::terminal::pretty_json(&results)?,
        CheckFormat::Md => markdown::render(&results),
    };
    output::emit(&rendered, args.out.as_deref())?;
    Ok(if results.any_failed() {
        ExitCode::from(FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

fn input_failure(err: InputError) -> anyhow::Error {
    let hint = match err {
        InputError::NoCaptures { .. } => {
            "a folder walk reads *.json and *.har files, skipping manifest.json, run.json, \
             report.json and dot-files; check the folder name"
        }
        _ => {
            "give a capture file, a folder, a HAR file, a JSON request body, or `-` for standard input"
        }
    };
    Failure::usage(err.to_string()).with_hint(hint).into()
}
