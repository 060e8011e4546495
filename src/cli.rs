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
    Record(Box<RecordArgs>),
    Check(CheckArgs),
    Rules(RulesArgs),
    Scan(ScanArgs),
}

/// Record every exchange through a reverse proxy that Cursor's servers can reach.
///
/// Cursor's servers (not the IDE) call the base URL and refuse loopback and private addresses:
/// expose the recorder through a tunnel (`cloudflared tunnel --url http://127.0.0.1:8787`,
/// `ngrok http 8787`) or serve HTTPS on a public host. Paste `<public URL>/t/<token>/v1` into
/// Cursor's "Override OpenAI Base URL". Every path without the token gets 404 and never reaches
/// the upstream. Captures go to CAPTURES/SESSION/<model>/<seq>-<id>.json with secrets redacted.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["upstream", "stub"])))]
pub struct RecordArgs {
    /// Forward to this gateway base URL (e.g. https://gw.example/api/llm/v1); `/v1/x` on the
    /// recorder goes to `<URL>/x`.
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,

    /// Capture only: answer every request with the embedded gateway (a conformant Chat
    /// Completions stream), whatever its format, so Cursor keeps going without a gateway.
    #[arg(long)]
    pub stub: bool,

    /// Address to listen on. Anything but loopback is reachable from the network.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub listen: std::net::SocketAddr,

    /// Folder that holds the sessions.
    #[arg(long, value_name = "DIR", default_value = "captures")]
    pub captures: PathBuf,

    /// Session name (a folder under CAPTURES); defaults to session-<date>-<time>. Recording
    /// into an existing session continues its numbering.
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,

    /// Path token to require (`/t/<TOKEN>/v1/...`); a random one is made when not given.
    /// Visible in the process list: prefer the generated one on shared machines.
    #[arg(long, value_name = "TOKEN")]
    pub path_token: Option<String>,

    /// Accept requests without a path token (only behind your own authentication).
    #[arg(long, conflicts_with = "path_token")]
    pub allow_no_token: bool,

    /// The public base URL that reaches this recorder (your tunnel's URL), to print the exact
    /// base URL for Cursor.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,

    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS with a self-signed certificate for these DNS names or IP addresses.
    #[arg(long, value_name = "NAME", num_args = 1..)]
    pub tls_self_signed: Vec<String>,

    /// Also trust this CA (PEM) for the upstream's certificate; repeatable.
    #[arg(long, value_name = "FILE")]
    pub upstream_ca: Vec<PathBuf>,

    /// Keep this non-secret header verbatim in captures even if its name looks secret;
    /// repeatable. `authorization` can never be kept.
    #[arg(long, value_name = "NAME")]
    pub keep_header: Vec<String>,

    /// Largest request body accepted, in bytes (larger ones get 413 and are recorded).
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_request_body: usize,

    /// Seconds to wait for the upstream's response head.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub response_timeout: u64,

    /// Seconds of upstream silence tolerated in the middle of a stream.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub idle_timeout: u64,

    /// Seconds in-flight streams may run after Ctrl-C before they are cut.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub grace: u64,
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

/// Look for key-shaped strings (API keys, tokens, JWTs, bearer tokens, assigned passwords) in
/// files before you share them: captures, reports, Markdown, HTML, JSON, logs.
///
/// PATH may be a file or a folder, walked recursively in sorted order. Every regular file is
/// read as text (hidden files too; `.git`, `.hg` and `.svn` folders are not walked), and a
/// symlink in a folder is followed only when it leads to a file inside that folder. Each find
/// prints as FILE:LINE:COLUMN, the kind of key, and the line with every key on it masked
/// (`sk-p…6789`); the key itself is never printed.
///
/// Exit codes: 0 nothing found; 1 a key-shaped string was found or a file could not be read;
/// 2 a PATH does not exist.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and folders to scan.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}
