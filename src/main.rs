use std::process::ExitCode;

use clap::Parser as _;

/// Checking captures and converting recordings is mostly JSON parsing, which allocates a small
/// object per value: with glibc's allocator that was a quarter of `check`'s time, and mimalloc
/// made `check` 2.5 times as fast (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
            eprintln!("cursor-harness: error: {error:#}");
            if let Some(hint) = cursor_harness::exit::hint_for(&error) {
                eprintln!("  hint: {hint}");
            }
            cursor_harness::exit::code_for(&error)
        }
    }
}
