//! `cursor-harness run SCENARIO.toml`: run, write the four reports, prove they are safe to
//! share, print the summary.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use crate::cli::RunArgs;
use crate::exit::{FAILED, Failure, OPERATIONAL};
use crate::report::{self, model::Outcome};
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
        if err.is_usage() {
            Failure::usage(err.to_string())
                .with_hint("see scenarios/README.md for the scenario format")
        } else {
            Failure::operational(err.to_string())
        }
    })?;
    let written =
        report::write_all(&output.report, &output.timings, &output.out).map_err(|err| {
            Failure::operational(format!(
                "cannot write the reports to {}: {err}",
                output.out.display()
            ))
            .with_hint("check that the folder is writable and the disk has space")
        })?;
    // The reports are meant to be posted: prove no key-shaped string made it into them, with
    // the same scanner as `cursor-harness scan`.
    let scan =
        crate::scan::scan_paths(&written).map_err(|err| Failure::operational(err.to_string()))?;
    let report = &output.report;
    let s = &report.summary;
    say!(
        "\n{}: {} exchange(s) · {} unreadable · {} request(s) break · {} response(s) break · {} transport error(s) · {} of {} expectation(s) failed{}",
        match report.outcome {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
        },
        s.exchanges,
        s.unreadable,
        s.requests_break,
        s.responses_break,
        s.transport_errors,
        s.expectations_failed,
        s.expectations,
        if s.uncovered > 0 {
            format!(" · {} uncovered", s.uncovered)
        } else {
            String::new()
        },
    );
    for expectation in report
        .expectations
        .iter()
        .filter(|e| e.failed > 0 || e.matched == 0)
    {
        if expectation.matched == 0 {
            say!(
                "  ✘ {}: covers no exchange (check its model, dialect and capture selectors)",
                expectation.name
            );
        }
        for failure in expectation.failures.iter().take(3) {
            say!(
                "  ✘ {}\n      {}: {}",
                expectation.name,
                failure.capture,
                failure.reasons.join("; ")
            );
        }
    }
    if report.scenario.strict_coverage {
        for result in report
            .exchanges
            .iter()
            .filter(|e| !e.covered && e.error.is_none())
        {
            say!("  ✘ no expectation covers {}", result.capture);
        }
    }
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
    let unreachable = report
        .exchanges
        .iter()
        .filter(|e| e.error.is_none())
        .all(|e| e.replayed.as_ref().is_some_and(|r| r.status.is_none()))
        && report.exchanges.iter().any(|e| e.replayed.is_some());
    if unreachable {
        eprintln!(
            "cursor-harness: the target answered none of the requests (see the transport errors in the report)"
        );
        return Ok(ExitCode::from(OPERATIONAL));
    }
    Ok(match report.outcome {
        Outcome::Pass => ExitCode::SUCCESS,
        Outcome::Fail => ExitCode::from(FAILED),
    })
}
