//! The arguments of `run` and `report`: a scenario run, its overrides, and the reports
//! re-rendered or merged from shards. Doc comments are the `--help` text (see the house rules
//! at the top of `cli`).

#![allow(rustdoc::invalid_html_tags, rustdoc::bare_urls)]

use std::path::PathBuf;

use clap::Args;

use crate::conformance::Profile;

/// Run a scenario: replay its captures to its target (or to each of its `[[targets]]`), check
/// every request and answer, compare answers with the captured ones, and evaluate its
/// expectations.
///
/// Writes report.md (safe to post on a forum), report.json, junit.xml, report.html and
/// timings.json into the scenario's report folder (reports/<name>/ by default). Exit 0 when
/// every check holds; 1 when one fails; 2 for a bad scenario file (file:line:column); 3 when
/// the target cannot be reached. See scenarios/README.md for the format.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Replay to this target instead of the scenario's (`embedded`, `embedded:lenient`, a URL),
    /// or, with `[[targets]]`, to the one target of that name only.
    #[arg(long, value_name = "TARGET")]
    pub target: Option<String>,

    /// Run one deterministic slice of the captures, for a CI matrix (e.g. 2/4).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::scenario::select::Shard>,

    /// Write the reports here instead of the scenario's folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Run only the captures whose model matches this glob (`gpt-*`; `_models` is the Verify
    /// call). Like a shard, it is a slice: an expectation with no exchange in it is not
    /// applicable, not failed.
    #[arg(long, value_name = "GLOB")]
    pub model: Option<String>,

    /// Check the scenario and list the captures and the target it would run, without sending
    /// anything or writing reports. Exit 0 when it would run, 2 when the scenario is wrong.
    #[arg(long)]
    pub dry_run: bool,

    /// Use this checker profile instead of the scenario's.
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,

    /// Keep at most N exchanges in flight instead of the scenario's `concurrency`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: Option<u32>,

    /// Shrink one failing request of each format that breaks to the smallest body that still
    /// fails the same way on its target (as `shrink` does), and put it in the reports as the
    /// reproducer instead of the fixed trimming rule.
    #[arg(long)]
    pub shrink: bool,

    /// With --shrink: requests at most per shrunk format.
    #[arg(long, value_name = "N", default_value_t = 300, requires = "shrink")]
    pub shrink_budget: u32,
}

/// Re-render a run's reports from its report.json, without re-running; or merge the reports of
/// a run's shards into the report of the whole run.
///
/// With --merge, every shard (1/N to N/N) of one run must be given; the exchanges are joined
/// and every verdict is decided again, so an expectation that covers no exchange in any shard
/// fails. The five files go into the --out folder, the summary is printed, and the exit code
/// is the merged run's: 0 when every check held, 1 when one failed. Without --merge, `report`
/// renders one format and exits 0.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report folder (or its report.json); with --merge, the shards' report folders.
    #[arg(required = true, value_name = "RUN_DIR")]
    pub runs: Vec<PathBuf>,

    /// Join shard reports (`run --shard I/N`) into the report of the whole run.
    #[arg(long)]
    pub merge: bool,

    /// Which report to render (not with --merge, which writes them all).
    #[arg(
        long,
        value_enum,
        required_unless_present = "merge",
        conflicts_with = "merge"
    )]
    pub format: Option<crate::report::Format>,

    /// Write to FILE (atomically) instead of standard output; with --merge, the folder the
    /// merged reports go to (required).
    #[arg(short, long, value_name = "FILE|DIR")]
    pub out: Option<PathBuf>,
}
