//! `cursor-harness replay`: check the options, run the replay, print the summary, choose the
//! exit code.

use std::process::ExitCode;
use std::time::Duration;

use crate::capture::input::InputError;
use crate::cli::ReplayArgs;
use crate::exit::{FAILED, Failure, OPERATIONAL};
use crate::replay::progress::Progress;
use crate::replay::run_file::RunFile;
use crate::replay::schedule::Pace;
use crate::replay::{self, ReplayError, ReplayOptions};

use super::send;

pub fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let target = send::target(&args.target)?;
    let pace: Pace = args
        .pace
        .parse()
        .map_err(|err: replay::schedule::PaceError| Failure::usage(err.to_string()))?;
    if args.max_gap.is_some() && !pace.is_scheduled() {
        return Err(Failure::usage(format!(
            "--max-gap shortens the waits of a scheduled --pace, and --pace is {pace}"
        ))
        .with_hint("add --pace original (or x<K>), or leave --max-gap out")
        .into());
    }
    let auth = send::auth(&args.send)?;
    let send::Changes {
        rewrite, secrets, ..
    } = send::changes(&args.send)?;
    let run_id = match &args.run_id {
        Some(name) => super::valid_folder_name("--run-id", name, "gateway-v2-try1")?,
        None => format!(
            "run-{}",
            jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::system())
                .strftime("%Y%m%d-%H%M%S")
        ),
    };
    let run_dir = args.out.join(&run_id);
    if run_dir.join("run.json").exists() {
        return Err(Failure::usage(format!(
            "{} already holds a run; a run folder is never overwritten",
            run_dir.display()
        ))
        .with_hint("pick another --run-id, or leave it out for a timestamped one")
        .into());
    }
    let options = ReplayOptions {
        paths: args.paths.clone(),
        target,
        target_text: args.target.clone(),
        auth,
        auth_env: args.send.api_key_env.clone(),
        concurrency: args.concurrency,
        pace,
        max_gap: args.max_gap,
        model: match &args.model {
            Some(glob) => Some(
                crate::capture::filter::ModelFilter::new(glob).map_err(|why| {
                    Failure::usage(why).with_hint("a glob such as gpt-* or {claude-*,gemini-*}")
                })?,
            ),
            None => None,
        },
        timeout: Duration::from_secs(args.timeout),
        out: args.out.clone(),
        run_id,
        http2: args.send.http2,
        target_cas: args.send.target_ca.clone(),
        keep_exchanges: false,
        rewrite,
        secrets,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(replay::run(&options, Progress::for_terminal));
    let run = result.map_err(|err| match err {
        ReplayError::Input(input) => {
            let hint = match input {
                InputError::NoCaptures { .. } => {
                    "a folder walk reads *.json and *.har files, skipping manifest.json, run.json, report.json and dot-files"
                }
                _ => "give capture files, folders, HAR files or JSON request bodies",
            };
            anyhow::Error::from(Failure::usage(input.to_string()).with_hint(hint))
        }
        ReplayError::Client(client) => Failure::usage(client.to_string()).into(),
        other => Failure::operational(other.to_string())
            .with_hint("check that the --out folder is writable and the disk has space")
            .into(),
    })?;
    summary(&run, &run_dir);
    Ok(ExitCode::from(exit_code(&run)))
}

/// 0 when every request got an answer (any status); 3 when none did (the target is
/// unreachable) or captures could not be written; 1 when some got none or inputs were
/// unreadable.
pub fn exit_code(run: &RunFile) -> u8 {
    let counts = &run.counts;
    if counts.lost > 0 || (counts.replayed > 0 && counts.answered == 0) {
        OPERATIONAL
    } else if counts.answered < counts.replayed || counts.unreadable > 0 || counts.replayed == 0 {
        FAILED
    } else {
        0
    }
}

fn summary(run: &RunFile, run_dir: &std::path::Path) {
    let counts = &run.counts;
    let statuses: Vec<String> = counts
        .statuses
        .iter()
        .map(|(status, n)| format!("{status}×{n}"))
        .collect();
    say!(
        "\nreplayed {} exchange(s) against {} ({}): {} answered [{}], {} transport error(s), {} unreadable · {:.1} req/s",
        counts.replayed,
        run.target,
        run.base_url,
        counts.answered,
        statuses.join(" "),
        counts.transport_errors,
        counts.unreadable,
        run.throughput.requests_per_second,
    );
    if let Some(late) = run.schedule.late_max_ms
        && run.options.pace != "asap"
    {
        say!(
            "  schedule: sends were late by p50 {:.2} ms, p99 {:.2} ms, max {late:.2} ms",
            run.schedule.late_p50_ms.unwrap_or_default(),
            run.schedule.late_p99_ms.unwrap_or_default(),
        );
    }
    let fmt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
    if !run.by_model.is_empty() {
        say!(
            "  {:<28} {:>5} {:>17} {:>17} {:>17} {:>17}",
            "model",
            "n",
            "ttfb p50/p99 ms",
            "ttft p50/p99 ms",
            "gap p50/p99 ms",
            "total p50/p99 ms"
        );
    }
    for row in &run.by_model {
        say!(
            "  {:<28} {:>5} {:>17} {:>17} {:>17} {:>17}",
            row.model,
            row.exchanges,
            format!("{}/{}", fmt(row.ttfb_ms.p50), fmt(row.ttfb_ms.p99)),
            format!("{}/{}", fmt(row.ttft_ms.p50), fmt(row.ttft_ms.p99)),
            format!("{}/{}", fmt(row.gap_ms.p50), fmt(row.gap_ms.p99)),
            format!("{}/{}", fmt(row.total_ms.p50), fmt(row.total_ms.p99)),
        );
    }
    for unreadable in &run.unreadable {
        eprintln!("cursor-harness: skipped {}", unreadable.error);
    }
    say!("  captures and run.json in {}/", run_dir.display());
    if counts.replayed > 0 && counts.answered == 0 {
        eprintln!(
            "cursor-harness: the target answered none of the {} request(s); is it running and is --target right?",
            counts.replayed
        );
    }
}
