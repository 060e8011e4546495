//! Running each command: the glue between the CLI definitions and the library.

/// Print a status line to standard output. Standard output that was closed (`| head`, a
/// terminal gone) ends what is printed, never the command: the work goes on and the exit code
/// still says how it went.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::commands::output::line(&format!($($arg)*))
    };
}

mod ca;
mod check;
mod diff;
mod export;
mod gateway;
mod legs;
mod output;
mod record;
mod record_forward;
mod replay;
mod report;
mod run;
mod scan;
mod send;
mod shrink;
mod translate;

use std::process::ExitCode;

use crate::cli::{Cli, Command, RulesFormat};
use crate::conformance::rules::{Rule, catalogue_markdown};
use crate::exit::Failure;

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Only the commands that serve or send hold many sockets; the others keep the limits they
    // were given (a file walk that leaks descriptors should fail, not eat a million).
    if matches!(
        cli.command,
        Command::Record(_) | Command::Gateway(_) | Command::Replay(_) | Command::Run(_)
    ) {
        crate::http::serve::raise_open_files_limit();
    }
    match cli.command {
        Command::Record(args) => record::run(*args),
        Command::Ca(args) => ca::run(args),
        Command::Check(args) => check::run(args),
        Command::Run(args) => run::run(args),
        Command::Report(args) => report::run(args),
        Command::Export(args) => export::run(args),
        Command::Gateway(args) => gateway::run(args),
        Command::Replay(args) => replay::run(*args),
        Command::Diff(args) => diff::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Legs(args) => legs::run(args),
        Command::Translate(args) => translate::run(args),
        Command::Shrink(args) => shrink::run(*args),
        Command::Rules(args) => {
            let text = match args.format {
                RulesFormat::Md => catalogue_markdown(),
                RulesFormat::Text => rules_text(),
            };
            output::print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn rules_text() -> String {
    let mut out = String::new();
    for rule in Rule::ALL {
        out.push_str(&format!(
            "{:<34} {:<7}/{:<7} {}\n",
            rule.code(),
            rule.severity(crate::conformance::Profile::Strict).as_str(),
            rule.severity(crate::conformance::Profile::Lenient).as_str(),
            rule.summary()
        ));
    }
    out
}

/// The banner's line saying where the redaction key is, once, at start: whoever holds it can
/// confirm guesses against every token in the captures, so its place must be a choice the user
/// sees.
fn key_line(captures: &std::path::Path) {
    say!(
        "  redaction key   {} (the key behind the [REDACTED:…] tokens; never share or commit it)",
        crate::text::terminal::line(
            &captures
                .join(crate::capture::redact::KEY_FILE)
                .display()
                .to_string()
        )
    );
}

/// Bind a listener, with a hint when the port is taken.
async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.map_err(|err| {
        Failure::operational(format!("cannot listen on {addr}: {err}"))
            .with_hint(if err.kind() == std::io::ErrorKind::AddrInUse {
                "another process uses that port; pick another with --listen 127.0.0.1:PORT"
            } else {
                "check the address and your permissions"
            })
            .into()
    })
}

/// `name`, when it can be one folder under the output folder
/// ([`crate::text::filename::is_folder_name`]: `[A-Za-z0-9._-]`, never `..`, never hidden, no
/// name Windows reserves). `flag` and `example` go into the error.
fn valid_folder_name(flag: &str, name: &str, example: &str) -> anyhow::Result<String> {
    if crate::text::filename::is_folder_name(name) {
        Ok(name.to_owned())
    } else {
        Err(
            Failure::usage(format!("{flag} {name:?} is not a usable folder name"))
                .with_hint(format!(
                    "{} (for example {example})",
                    crate::text::filename::FOLDER_NAME_RULE
                ))
                .into(),
        )
    }
}

/// The one exchange in `path` (a capture, a HAR file with one entry, or a raw JSON request
/// body), for the commands that take exactly one.
fn load_one(path: &std::path::Path, command: &str) -> anyhow::Result<crate::capture::Exchange> {
    use crate::capture::input::{self, Candidate};
    if !path.is_file() {
        return Err(Failure::usage(format!("{}: no such file", path.display()))
            .with_hint("give one capture file, a HAR file with one entry, or a JSON request body")
            .into());
    }
    let mut loaded = input::load(&Candidate::File(path.to_owned()));
    if loaded.len() != 1 {
        return Err(Failure::usage(format!(
            "{} holds {} exchanges; {command} takes one",
            path.display(),
            loaded.len()
        ))
        .with_hint("pass one capture file: a session folder holds each exchange in its own file")
        .into());
    }
    loaded
        .remove(0)
        .result
        .map_err(|error| Failure::failed(error.to_string()).into())
}

/// Stop `interrupt` on the first Ctrl-C or SIGTERM, saying so; a second one ends the process
/// at once. Call inside the runtime before the work starts: until the handler is in place a
/// signal kills the process the default way.
fn interrupt_on_signal(interrupt: &crate::replay::Interrupt) {
    let interrupt = interrupt.clone();
    tokio::spawn(async move {
        stop_signal().await;
        eprintln!(
            "\ncursor-harness: interrupted: no new requests; those in flight get {}s to finish (Ctrl-C again stops at once)",
            interrupt.grace.as_secs()
        );
        interrupt.stop.cancel();
        stop_signal().await;
        std::process::exit(crate::exit::INTERRUPTED.into());
    });
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
