//! `cursor-harness run SCENARIO.toml`: run, write the four reports, prove they are safe to
//! share, print the summary.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use crate::capture::filter::ModelFilter;
use crate::cli::RunArgs;
use crate::exit::{Failure, OPERATIONAL};
use crate::replay::Interrupt;
use crate::scenario::run::{self, DryRun, RunError, RunOptions};
use crate::text::terminal::Line;

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let model = match &args.model {
        Some(glob) => Some(ModelFilter::new(glob).map_err(|why| {
            Failure::usage(why).with_hint("a glob such as gpt-* or {claude-*,gemini-*}")
        })?),
        None => None,
    };
    let options = RunOptions {
        scenario: args.scenario.clone(),
        target: args.target.clone(),
        shard: args.shard,
        out: args.out.clone(),
        model,
        profile: args.profile,
        concurrency: args.concurrency,
        progress_bar: std::io::stderr().is_terminal(),
        interrupt: Interrupt::default(),
        shrink: args.shrink.then_some(args.shrink_budget as usize),
    };
    if args.dry_run {
        let plan = run::dry_run(&options).map_err(failure)?;
        say!("{}", dry_run_text(&plan).trim_end());
        return Ok(if plan.doomed() {
            ExitCode::from(crate::exit::FAILED)
        } else {
            ExitCode::SUCCESS
        });
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let output = runtime
        .block_on(async {
            super::interrupt_on_signal(&options.interrupt);
            run::run(&options).await
        })
        .map_err(failure)?;
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

fn failure(err: RunError) -> Failure {
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
}

/// What `run --dry-run` prints.
fn dry_run_text(plan: &DryRun) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "scenario {} ({}): valid", plan.name, plan.file);
    if plan.targets.is_empty() {
        let _ = writeln!(
            out,
            "  target        none: the captures are checked, not replayed"
        );
    }
    for target in &plan.targets {
        let _ = writeln!(out, "  target        {target}");
    }
    let _ = writeln!(
        out,
        "  settings      checker profile {}, concurrency {}, pace {}{}",
        plan.profile.as_str(),
        plan.concurrency,
        plan.pace,
        plan.slice
            .as_ref()
            .map_or(String::new(), |slice| format!(", {slice}"))
    );
    let _ = writeln!(out, "  reports to    {}/", plan.out.display());
    let _ = writeln!(out, "captures ({}):", plan.captures.len());
    for (capture, model, dialect) in &plan.captures {
        match dialect {
            Ok(dialect) => {
                let _ = writeln!(out, "  {}  {}  {dialect}", Line(capture), Line(model));
            }
            Err(why) => {
                let _ = writeln!(out, "  ✘ {}  unreadable: {}", Line(capture), Line(why));
            }
        }
    }
    let _ = writeln!(out, "expectations ({}):", plan.expectations.len());
    for (name, covered) in &plan.expectations {
        if *covered == 0 {
            let _ = writeln!(
                out,
                "  {} {name}: covers no exchange{}",
                if plan.slice.is_some() { "–" } else { "✘" },
                if plan.slice.is_some() {
                    " here (not applicable in this slice)"
                } else {
                    " (check its model, dialect and capture selectors)"
                }
            );
        } else {
            let _ = writeln!(out, "  {name}: {covered} exchange(s)");
        }
    }
    let _ = writeln!(
        out,
        "dry run: nothing was sent and no report was written{}",
        if plan.doomed() {
            "; as it stands the run would fail (see ✘ above)"
        } else {
            ""
        }
    );
    out
}
