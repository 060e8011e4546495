//! `cursor-harness replay`: check the options, run the replay, print the summary, choose the
//! exit code.

use std::process::ExitCode;
use std::time::Duration;

use crate::capture::input::InputError;
use crate::capture::resend::Rewrite;
use crate::cli::ReplayArgs;
use crate::exit::{FAILED, Failure, OPERATIONAL};
use crate::replay::prepare::Auth;
use crate::replay::progress::Progress;
use crate::replay::run_file::RunFile;
use crate::replay::schedule::Pace;
use crate::replay::{self, ReplayError, ReplayOptions, Target};

pub fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let target = Target::parse(&args.target).map_err(|why| {
        Failure::usage(why).with_hint(
            "give the gateway's base URL (what you would paste into Cursor) or `embedded`",
        )
    })?;
    let pace: Pace = args
        .pace
        .parse()
        .map_err(|err: replay::schedule::PaceError| Failure::usage(err.to_string()))?;
    let auth = match &args.api_key_env {
        Some(var) => Some(
            Auth::from_env(var, args.auth_header.as_deref())
                .map_err(|err| Failure::usage(err.to_string()).with_hint(format!("export {var}=<the gateway's key> first; keys are never taken on the command line")))?,
        ),
        None => None,
    };
    let (rewrite, secrets) = rewrite_from_args(&args)?;
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
        auth_env: args.api_key_env.clone(),
        concurrency: args.concurrency,
        pace,
        timeout: Duration::from_secs(args.timeout),
        out: args.out.clone(),
        run_id,
        http2: args.http2,
        target_cas: args.target_ca.clone(),
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

/// `--header`, `--header-env` and `--model-map` as one rewrite of every request, and the values
/// that are secrets (read from the environment, never from the command line).
fn rewrite_from_args(args: &ReplayArgs) -> Result<(Rewrite, Vec<String>), Failure> {
    let mut rewrite = Rewrite::default();
    let mut secrets = Vec::new();
    for header in &args.header {
        let Some((name, value)) = header.split_once(':') else {
            return Err(
                Failure::usage(format!("--header {header:?} is not `Name: value`"))
                    .with_hint("for example --header 'x-portkey-provider: openai'"),
            );
        };
        rewrite.headers.push((
            header_name("--header", name.trim())?,
            value.trim().to_owned(),
        ));
    }
    for pair in &args.header_env {
        let Some((name, var)) = pair.split_once('=') else {
            return Err(
                Failure::usage(format!("--header-env {pair:?} is not `Name=VAR`")).with_hint(
                    "for example --header-env 'x-portkey-virtual-key=PORTKEY_VIRTUAL_KEY'",
                ),
            );
        };
        let value = std::env::var(var.trim())
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                Failure::usage(format!(
                    "--header-env {pair}: the environment variable {} is not set or empty",
                    var.trim()
                ))
                .with_hint(format!(
                    "export {}=<value> first; secrets are never taken on the command line",
                    var.trim()
                ))
            })?;
        secrets.push(value.clone());
        rewrite
            .headers
            .push((header_name("--header-env", name.trim())?, value));
    }
    for pair in &args.model_map {
        match pair.split_once('=') {
            Some((from, to)) if !from.trim().is_empty() && !to.trim().is_empty() => rewrite
                .models
                .push((from.trim().to_owned(), to.trim().to_owned())),
            _ => {
                return Err(
                    Failure::usage(format!("--model-map {pair:?} is not `from=to`"))
                        .with_hint("for example --model-map gpt-5.5=openai/gpt-5.5"),
                );
            }
        }
    }
    Ok((rewrite, secrets))
}

fn header_name(flag: &str, name: &str) -> Result<String, Failure> {
    http::HeaderName::from_bytes(name.as_bytes())
        .map(|name| name.as_str().to_owned())
        .map_err(|_| Failure::usage(format!("{flag}: {name:?} is not a valid header name")))
}
