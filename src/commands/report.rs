//! `cursor-harness report`: re-render a run's report from its report.json, or merge shard
//! reports into the report of the whole run.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::ReportArgs;
use crate::exit::{FAILED, Failure};
use crate::report::merge::{self, Shard};
use crate::report::model::{Outcome, Report, Timings};
use crate::report::{self};

use super::output;

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    if args.merge {
        return run_merge(&args);
    }
    let [path] = args.runs.as_slice() else {
        return Err(Failure::usage(format!(
            "report renders one run, and {} were given",
            args.runs.len()
        ))
        .with_hint("to join the reports of a run's shards, add --merge --out DIR")
        .into());
    };
    let (report, timings) = read(path)?;
    let format = args.format.ok_or_else(|| {
        Failure::usage("--format is required").with_hint("--format md|json|junit|html")
    })?;
    let text = report::render(&report, timings.as_ref(), format);
    output::emit(&text, args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path) -> anyhow::Result<(Report, Option<Timings>)> {
    Ok(report::read(path).map_err(|err| {
        Failure::usage(err.to_string()).with_hint(
            "give the folder `cursor-harness run` wrote (reports/<name>) or its report.json",
        )
    })?)
}

fn run_merge(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.clone().ok_or_else(|| {
        Failure::usage(
            "report --merge writes the five report files into a folder: give it with --out DIR",
        )
        .with_hint(
            "cursor-harness report --merge reports/shard-1 reports/shard-2 --out reports/merged",
        )
    })?;
    let mut shards = Vec::with_capacity(args.runs.len());
    for path in &args.runs {
        let (report, timings) = read(path)?;
        shards.push(Shard {
            path: path.display().to_string(),
            report,
            timings,
        });
    }
    let (report, timings) = merge::merge(shards).map_err(|err| {
        Failure::usage(err.to_string()).with_hint(
            "give the report folder of every shard of one run: `run --shard I/N --out DIR` for I = 1..N",
        )
    })?;
    publish(&report, &timings, &out)
}

/// Write every report into `out`, prove none holds a key-shaped string, print the summary, and
/// answer the exit code the verdict gives (`run` adds the unreachable-target case before).
pub(super) fn publish(report: &Report, timings: &Timings, out: &Path) -> anyhow::Result<ExitCode> {
    let written = report::write_all(report, timings, out).map_err(|err| {
        Failure::operational(format!(
            "cannot write the reports to {}: {err}",
            out.display()
        ))
        .with_hint("check that the folder is writable and the disk has space")
    })?;
    // The reports are meant to be posted: prove no key-shaped string made it into them, with
    // the same scanner as `cursor-harness scan`.
    let scan =
        crate::scan::scan_paths(&written).map_err(|err| Failure::operational(err.to_string()))?;
    say!("\n{}", report::console::summary(report).trim_end());
    say!("reports:");
    for path in &written {
        say!("  {}", path.display());
    }
    if !scan.is_clean() {
        eprintln!(
            "cursor-harness: the reports hold key-shaped strings; they are NOT safe to share:"
        );
        eprint!("{}", scan.render());
        return Ok(ExitCode::from(FAILED));
    }
    if let Some(partial) = &report.partial {
        eprintln!(
            "cursor-harness: PARTIAL: interrupted with {} capture(s) not replayed; the reports judge what completed",
            partial.not_replayed
        );
        return Ok(ExitCode::from(crate::exit::INTERRUPTED));
    }
    Ok(match report.outcome {
        Outcome::Pass => ExitCode::SUCCESS,
        Outcome::Fail => ExitCode::from(FAILED),
    })
}
