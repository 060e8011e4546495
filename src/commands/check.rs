//! `cursor-harness check`.

use std::process::ExitCode;

use crate::check::{self, markdown, text};
use crate::cli::{CheckArgs, CheckFormat};
use crate::exit::{FAILED, Failure};

use super::output;

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let results = check::check_paths(&args.paths, args.profile).map_err(|err| {
        Failure::usage(err.to_string())
            .with_hint("give a capture file, a folder, a HAR file or a JSON request body")
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
