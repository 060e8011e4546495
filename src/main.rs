use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cursor_harness::cli::Cli::parse();
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
