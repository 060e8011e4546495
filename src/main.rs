use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cursor_harness::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CURSOR_HARNESS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cursor_harness::run(cli) {
        Ok(code) => code,
        Err(error) => {
            // An error can quote a file or an answer: shown so that it cannot act on the terminal.
            eprintln!(
                "cursor-harness: error: {}",
                cursor_harness::text::terminal::block(&cursor_harness::exit::describe(&error))
            );
            if let Some(hint) = cursor_harness::exit::hint_for(&error) {
                eprintln!("  hint: {}", cursor_harness::text::terminal::block(hint));
            }
            cursor_harness::exit::code_for(&error)
        }
    }
}
