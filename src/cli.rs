//! Command-line definitions (clap derive). Only definitions live here; `commands` runs them.
//!
//! House rules for flags:
//! - Long flags are kebab-case; a short flag only for the few used at every call (`-v`, `-o`).
//! - Placeholders are upper-case (`PATH`, `FILE`, `ADDR`, `VAR`).
//! - Secrets are never taken on the command line: flags name an environment variable instead
//!   (`--api-key-env VAR`).
//! - Doc comments are the `--help` text: say what the flag does, the default, and what is
//!   assumed when it matters.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::conformance::Profile;

/// Record, replay and check the traffic Cursor sends to an "Override OpenAI Base URL" gateway.
///
/// Exit codes: 0 all good; 1 a check, diff or expectation failed (or an input was unreadable);
/// 2 bad usage; 3 an operational failure (port in use, target unreachable, disk full).
#[derive(Debug, Parser)]
#[command(name = "cursor-harness", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(CheckArgs),
    Rules(RulesArgs),
}

/// Check requests, responses and streams against the Chat Completions contract, and name the
/// dialect of every request body with evidence.
///
/// PATH may be a capture file, a folder (walked recursively in sorted order; `manifest.json`,
/// `run.json`, `report.json` and dot-files are skipped), a HAR 1.2 file (each entry is an
/// exchange), or any other JSON object, which is taken as the body of `POST /chat/completions`
/// (what Cursor sends). A file that cannot be read becomes its own row; the rest are checked.
///
/// A folder with nothing to read in it (no `.json` or `.har` file) is an error, never a silent
/// pass: it gets its own row (exit 1), and when no PATH held anything to check, `check` says
/// "no captures found under PATH" and exits 2.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Captures, folders, HAR files or raw request bodies.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Rule set: `strict` mirrors what OpenAI's API accepts; `lenient` what many gateways accept.
    #[arg(long, value_enum, default_value_t = Profile::Strict)]
    pub profile: Profile,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Show every violation (warnings and notes too), not only the errors.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// One line per exchange, then a table by model and dialect (coloured on a terminal).
    Text,
    /// The JSON results contract (schemas/check-results.schema.json).
    Json,
    /// A Markdown table and per-exchange details.
    Md,
}

/// Print the checker's rule catalogue: codes, severities per profile, what each means.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    /// The page checked in as docs/rules.md.
    Md,
}
