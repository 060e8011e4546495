//! `cursor-harness report`: re-render a run's report from its report.json.

use std::process::ExitCode;

use crate::cli::ReportArgs;
use crate::exit::Failure;
use crate::report;

use super::output;

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let (report, timings) = report::read(&args.run).map_err(|err| {
        Failure::usage(err.to_string()).with_hint(
            "give the folder `cursor-harness run` wrote (reports/<name>) or its report.json",
        )
    })?;
    let text = report::render(&report, timings.as_ref(), args.format);
    output::emit(&text, args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
