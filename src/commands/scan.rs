//! `cursor-harness scan`.

use std::process::ExitCode;

use crate::cli::ScanArgs;
use crate::exit::{FAILED, Failure};
use crate::scan;

use super::output;

pub fn run(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let report = scan::scan_paths(&args.paths).map_err(|err| {
        Failure::usage(err.to_string()).with_hint("give files or folders that exist")
    })?;
    output::print(&report.render())?;
    let clean = if args.allow_keys {
        report.is_clean_allowing_keys()
    } else {
        report.is_clean()
    };
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILED)
    })
}
