//! `cursor-harness legs CLIENT PROVIDER`.

use std::process::ExitCode;

use crate::capture::input::InputError;
use crate::cli::{LegsArgs, LegsFormat};
use crate::conformance::Verdict;
use crate::exit::{FAILED, Failure};
use crate::legs;

use super::output;

pub fn run(args: LegsArgs) -> anyhow::Result<ExitCode> {
    let report = legs::legs_paths(
        std::slice::from_ref(&args.client),
        std::slice::from_ref(&args.provider),
        args.profile,
    )
    .map_err(|err| {
        let hint = match err {
            InputError::NoCaptures { .. } => {
                "each leg is a folder of captures (a replay run, a record session) or a HAR file"
            }
            _ => "give the client leg first, then the provider leg",
        };
        Failure::usage(err.to_string()).with_hint(hint)
    })?;
    let rendered = match args.format {
        LegsFormat::Text => legs::render::text(&report),
        LegsFormat::Md => crate::report::legs_markdown::render(&report),
        LegsFormat::Json => crate::text::terminal::pretty_json(&report)?,
    };
    output::emit(&rendered, args.out.as_deref())?;
    Ok(
        if report.verdict == Verdict::Breaks || !report.unreadable.is_empty() {
            ExitCode::from(FAILED)
        } else {
            ExitCode::SUCCESS
        },
    )
}
