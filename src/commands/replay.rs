//! `cursor-harness replay`: check the options, run the replay, print the summary, choose the
//! exit code.

use std::process::ExitCode;
use std::time::Duration;

use crate::capture::input::InputError;
use crate::cli::ReplayArgs;
use crate::exit::{FAILED, Failure, INTERRUPTED, OPERATIONAL};
use crate::replay::progress::Progress;
use crate::replay::run_file::RunFile;
use crate::replay::schedule::Pace;
use crate::replay::{self, Interrupt, ReplayError, ReplayOptions};

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
        Some(name) => {
            let name = super::valid_folder_name("--run-id", name, "gateway-v2-try1")?;
            claim_run_folder(&args.out, &name)?;
            name
        }
        None => new_run_folder(&args.out)?,
    };
    let run_dir = args.out.join(&run_id);
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
        interrupt: Interrupt {
            grace: Duration::from_secs(args.grace),
            ..Interrupt::default()
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        super::interrupt_on_signal(&options.interrupt);
        replay::run(&options, Progress::for_terminal).await
    });
    if result.is_err() {
        // Nothing was written into the folder claimed above: give the name back.
        let _ = std::fs::remove_dir(&run_dir);
    }
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
    if let Some(interrupted) = &run.interrupted {
        eprintln!(
            "cursor-harness: interrupted: {} request(s) sent, {} never sent; run.json in {} says so",
            run.counts.replayed,
            interrupted.not_sent,
            run_dir.display()
        );
        return Ok(ExitCode::from(INTERRUPTED));
    }
    Ok(ExitCode::from(exit_code(&run)))
}

/// Create the run folder `out/name`, failing when it exists: a run folder is never reused,
/// and of two replays started with the same --run-id only one gets it.
fn claim_run_folder(out: &std::path::Path, name: &str) -> anyhow::Result<()> {
    let dir = out.join(name);
    crate::fsio::create_private_dir_new(&dir).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AlreadyExists {
            Failure::usage(format!(
                "{} already exists; a run folder is never reused",
                dir.display()
            ))
            .with_hint("pick another --run-id, or leave it out for a timestamped one")
        } else {
            Failure::operational(format!("cannot create {}: {err}", dir.display()))
                .with_hint("check that the --out folder is writable")
        }
    })?;
    Ok(())
}

/// Create a new run folder named after the time, `run-<date>-<time>`, or `…-2`, `…-3` when
/// another replay took that name in the same second; returns its name.
fn new_run_folder(out: &std::path::Path) -> anyhow::Result<String> {
    let stamp = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y%m%d-%H%M%S")
        .to_string();
    for n in 1..=1000 {
        let name = if n == 1 {
            format!("run-{stamp}")
        } else {
            format!("run-{stamp}-{n}")
        };
        match crate::fsio::create_private_dir_new(&out.join(&name)) {
            Ok(()) => return Ok(name),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => {
                return Err(Failure::operational(format!(
                    "cannot create a run folder in {}: {err}",
                    out.display()
                ))
                .with_hint("check that the --out folder is writable")
                .into());
            }
        }
    }
    Err(Failure::operational(format!(
        "a thousand runs in {} started in the same second",
        out.display()
    ))
    .into())
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
            crate::text::terminal::line(&row.model),
            row.exchanges,
            format!("{}/{}", fmt(row.ttfb_ms.p50), fmt(row.ttfb_ms.p99)),
            format!("{}/{}", fmt(row.ttft_ms.p50), fmt(row.ttft_ms.p99)),
            format!("{}/{}", fmt(row.gap_ms.p50), fmt(row.gap_ms.p99)),
            format!("{}/{}", fmt(row.total_ms.p50), fmt(row.total_ms.p99)),
        );
    }
    // What opening connections cost, apart from the latency above (which leaves it out); on
    // loopback a connect takes a fraction of a millisecond.
    let fine = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.2}"));
    let connections = &run.connections;
    if connections.opened > 0 {
        let tls = if connections.tls_ms.p50.is_some() {
            format!(
                ", TLS handshake {}/{}",
                fine(connections.tls_ms.p50),
                fine(connections.tls_ms.p99)
            )
        } else {
            String::new()
        };
        say!(
            "  {} connection(s) opened, p50/p99 ms: connect {}/{}{tls}; ttfb on an open connection {}/{}, on a new one {}/{} (handshake included)",
            connections.opened,
            fine(connections.connect_ms.p50),
            fine(connections.connect_ms.p99),
            fine(connections.ttfb_warm_ms.p50),
            fine(connections.ttfb_warm_ms.p99),
            fine(connections.ttfb_cold_ms.p50),
            fine(connections.ttfb_cold_ms.p99),
        );
    }
    for unreadable in &run.unreadable {
        eprintln!(
            "cursor-harness: skipped {}",
            crate::text::terminal::Line(&unreadable.error)
        );
    }
    say!("  captures and run.json in {}/", run_dir.display());
    if counts.replayed > 0 && counts.answered == 0 {
        eprintln!(
            "cursor-harness: the target answered none of the {} request(s); is it running and is --target right?",
            counts.replayed
        );
    }
}
