//! `cursor-harness check`.

use std::process::ExitCode;

use crate::capture::input::InputError;
use crate::check::{self, markdown, text};
use crate::cli::{CheckArgs, CheckFormat};
use crate::exit::{FAILED, Failure};

use super::output;

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let results =
        check::check_paths_as(&args.paths, args.profile, args.contract).map_err(|err| {
            let hint = match err {
                InputError::NoCaptures { .. } => {
                    "a folder walk reads *.json and *.har files, skipping manifest.json, run.json, \
                 report.json and dot-files; check the folder name"
                }
                _ => "give a capture file, a folder, a HAR file or a JSON request body",
            };
            Failure::usage(err.to_string()).with_hint(hint)
        })?;
    let rendered = match args.format {
        CheckFormat::Text => {
            let detail = if args.verbose {
                text::Detail::All
            } else {
                text::Detail::Errors
            };
            text::render(&results, detail)
        }
        CheckFormat::Json => {
            let mut json = serde_json::to_string_pretty(&results)?;
            json.push('\n');
            json
        }
        CheckFormat::Md => markdown::render(&results),
    };
    output::emit(&rendered, args.out.as_deref())?;
    Ok(if results.any_failed() {
        ExitCode::from(FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
