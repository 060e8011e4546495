//! `cursor-harness run SCENARIO.toml`: run, write the four reports, prove they are safe to
//! share, print the summary.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use crate::cli::RunArgs;
use crate::exit::{Failure, OPERATIONAL};
use crate::scenario::run::{self, RunOptions};

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let options = RunOptions {
        scenario: args.scenario.clone(),
        target: args.target.clone(),
        shard: args.shard,
        out: args.out.clone(),
        progress_bar: std::io::stderr().is_terminal(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let output = runtime.block_on(run::run(&options)).map_err(|err| {
        let hint = err.hint();
        let failure = if err.is_usage() {
            Failure::usage(err.to_string())
        } else {
            Failure::operational(err.to_string())
        };
        match hint {
            Some(hint) => failure.with_hint(hint),
            None => failure,
        }
    })?;
    let report = &output.report;
    let unreachable = report
        .exchanges
        .iter()
        .filter(|e| e.error.is_none())
        .all(|e| e.replayed.as_ref().is_some_and(|r| r.status.is_none()))
        && report.exchanges.iter().any(|e| e.replayed.is_some());
    let code = super::report::publish(report, &output.timings, &output.out)?;
    if unreachable {
        eprintln!(
            "cursor-harness: the target answered none of the requests (see the transport errors in the report)"
        );
        return Ok(ExitCode::from(OPERATIONAL));
    }
    Ok(code)
}
