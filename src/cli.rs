//! Command-line definitions (clap derive). Only definitions live here; `commands` runs them.
//!
//! House rules for flags:
//! - Long flags are kebab-case; a short flag only for the few used at every call (`-v`, `-o`).
//! - Placeholders are upper-case (`PATH`, `FILE`, `ADDR`, `VAR`).
//! - Secrets are never taken on the command line: flags name an environment variable instead
//!   (`--api-key-env VAR`).
//! - Doc comments are the `--help` text: say what the flag does, the default, and what is
//!   assumed when it matters. They are written for a terminal, not for rustdoc: `<model>` is a
//!   placeholder there, not an HTML tag, hence the allowance below.

#![allow(rustdoc::invalid_html_tags, rustdoc::bare_urls)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod run;
pub use run::{ReportArgs, RunArgs};

use crate::capture::Contract;
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
    Ca(CaArgs),
    Check(CheckArgs),
    Gateway(GatewayArgs),
    Replay(Box<ReplayArgs>),
    Diff(DiffArgs),
    Run(RunArgs),
    Report(ReportArgs),
    Export(ExportArgs),
    Scan(ScanArgs),
    Legs(LegsArgs),
    Translate(TranslateArgs),
    Shrink(Box<ShrinkArgs>),
    Rules(RulesArgs),
}

/// Shrink a failing request to the smallest one that still fails the same way on the target:
/// the reproducer to post.
///
/// The capture's request is sent again (as `replay` sends it) twice, to take its failure's
/// signature: an error status with the error's type, code, param and message (numbers and
/// quoted values blanked), or for a 2xx answer the rules it breaks. Then smaller bodies are
/// tried, biggest cuts first (members and elements removed, values emptied, strings halved),
/// keeping each that fails with the same signature, until nothing smaller does or --budget is
/// spent; the result is sent once more to confirm it. The order is fixed, so two runs against
/// the same target take the same steps. A target that answers the same request two ways is
/// reported as flaky, and a lost connection never counts as progress.
///
/// Prints the steps, the requests used, the minimal body and a curl reproducer. Exit 0 when a
/// reproducer was found (minimal, or the smallest within the budget); 1 when the request does
/// not fail on the target, fails two ways, or cannot be read; 3 when the target cannot be
/// reached.
#[derive(Debug, Args)]
pub struct ShrinkArgs {
    /// One capture, a HAR file with one entry, or a raw JSON request body.
    #[arg(value_name = "CAPTURE")]
    pub capture: PathBuf,

    /// The gateway base URL, or `embedded[:strict|lenient|provider]` (as in `replay`).
    #[arg(long, value_name = "URL|embedded")]
    pub target: String,

    /// Requests at most, the confirming sends included.
    #[arg(long, value_name = "N", default_value_t = 300, value_parser = clap::value_parser!(u32).range(4..))]
    pub budget: u32,

    /// Smaller bodies tried at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    /// Seconds one request may take.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,

    /// Write the minimal body to FILE (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Write the curl reproducer to FILE (atomically); it reads $GATEWAY_BASE_URL and
    /// $GATEWAY_API_KEY.
    #[arg(long, value_name = "FILE")]
    pub curl: Option<PathBuf>,

    /// `text`: steps, body and reproducer; `json`: the result (schemas/shrink.schema.json).
    #[arg(long, value_enum, default_value_t = ShrinkFormat::Text)]
    pub format: ShrinkFormat,

    #[command(flatten)]
    pub send: SendArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShrinkFormat {
    Text,
    Json,
}

/// How a captured request is sent again: the key, extra headers, model names, the protocol.
/// Shared by `replay` and `shrink`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Environment variable holding the gateway's key, sent as `Authorization: Bearer <key>`
    /// (or in --auth-header). The key is never printed or written.
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,

    /// Send the key as the whole value of this header instead of `Authorization: Bearer`.
    #[arg(long, value_name = "NAME", requires = "api_key_env")]
    pub auth_header: Option<String>,

    /// Speak HTTP/2 (by ALPN over TLS, by prior knowledge over http://) instead of HTTP/1.1.
    #[arg(long)]
    pub http2: bool,

    /// Also trust this CA (PEM) for the target's certificate; repeatable.
    #[arg(long, value_name = "FILE")]
    pub target_ca: Vec<PathBuf>,

    /// Set this header on every request ('Name: value'), replacing a recorded one of the same
    /// name; repeatable. For values that are secrets use --header-env.
    #[arg(long, value_name = "NAME: VALUE")]
    pub header: Vec<String>,

    /// Set header NAME from environment variable VAR ('NAME=VAR') on every request; the value
    /// is a secret: never printed, and scrubbed from the captures. Repeatable.
    #[arg(long, value_name = "NAME=VAR")]
    pub header_env: Vec<String>,

    /// Send model FROM as TO ('FROM=TO'), in the body's `model` and in a Gemini path: the
    /// gateway's name for the model Cursor selected. Repeatable.
    #[arg(long, value_name = "FROM=TO")]
    pub model_map: Vec<String>,
}

/// Translate a request Cursor sends (a Responses hybrid, an Anthropic-shaped body, the mixed
/// Chat body, or any other API's request) into a Chat Completions request, and list what could
/// not be carried and why: the reference of what a gateway must do with Cursor's formats.
///
/// The translated body conforms to the strict Chat Completions contract. Custom (freeform)
/// tools such as ApplyPatch become functions with one string parameter `input`; the answer
/// direction unwraps it again (docs/translation.md). Exit 0; 1 when the input is unreadable or
/// names no API.
#[derive(Debug, Args)]
pub struct TranslateArgs {
    /// A capture file, a HAR file with one entry, or a raw JSON request body.
    #[arg(value_name = "CAPTURE|BODY")]
    pub input: PathBuf,

    /// Write the translated request body to FILE (atomically); what was lost still goes to
    /// standard output.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// `text`: the body, then one line per loss; `json`: {dialect, body, losses}.
    #[arg(long, value_enum, default_value_t = TranslateFormat::Text)]
    pub format: TranslateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TranslateFormat {
    Text,
    Json,
}

/// Compare both legs of a gateway: what the client sent it (CLIENT) and what it sent its
/// provider (PROVIDER), recorded independently (a replay run or `record` in front of the
/// gateway; `record --stub --provider`, a provider profile, or `record --forward` behind it).
///
/// Each provider request is linked to the client request that caused it by content and time
/// (no header needs to pass through the gateway), then compared by meaning: system prompt,
/// messages, images, tools, tool calls and results, tool_choice, parameters, cache markers,
/// and whether the provider got a body its own API accepts; and the way back, the provider's
/// answer against what the client received. Exit 0 when no pair has an error-severity finding,
/// 1 when one does.
#[derive(Debug, Args)]
pub struct LegsArgs {
    /// The client leg: captures, folders or HAR files.
    #[arg(value_name = "CLIENT")]
    pub client: PathBuf,

    /// The provider leg: captures, folders or HAR files.
    #[arg(value_name = "PROVIDER")]
    pub provider: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = LegsFormat::Text)]
    pub format: LegsFormat,

    /// Severities: `strict` counts every lost parameter; `lenient` only lost meaning.
    #[arg(long, value_enum, default_value_t = Profile::Strict)]
    pub profile: Profile,

    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LegsFormat {
    /// One block per linked pair, then what nothing links, then the counts.
    Text,
    /// The legs report (schemas/legs.schema.json).
    Json,
    /// Markdown safe to post: the pairs as a table, each mangled pair's findings.
    Md,
}

/// Export captures as HAR 1.2 (for browsers, mitmproxy and other tools) or as one curl command
/// per exchange (key as $GATEWAY_API_KEY, base URL as $GATEWAY_BASE_URL).
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Capture files, folders or HAR files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[arg(long, value_enum)]
    pub format: ExportFormat,

    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// HAR 1.2 (a stream becomes one joined text; chunk timing is lost, and the file says so).
    /// URLs keep the recorded scheme and host; each entry's `_cursor_harness` field keeps the
    /// capture id, upstream, replay link and transport failure, so the HAR reads back as the
    /// same exchanges (`diff` pairs them).
    Har,
    /// A shell script of curl commands.
    Curl,
}

/// Record every exchange through a reverse proxy that Cursor's servers can reach, or through a
/// forward proxy (`--forward`) that clients you control reach through HTTPS_PROXY.
///
/// Reverse mode: Cursor's servers (not the IDE) call the base URL and refuse loopback and
/// private addresses: expose the recorder through a tunnel (`cloudflared tunnel --url
/// http://127.0.0.1:8787`, `ngrok http 8787`) or serve HTTPS on a public host. Paste
/// `<public URL>/t/<token>/v1` into Cursor's "Override OpenAI Base URL". Every path without the
/// token gets 404 and never reaches the upstream.
///
/// Forward mode: `HTTPS_PROXY=http://127.0.0.1:8788 SSL_CERT_FILE=$(cursor-harness ca path)
/// some-client`. TLS to intercepted hosts is decrypted with a certificate from the CA made by
/// `cursor-harness ca init`; other hosts are tunnelled blind.
///
/// Captures go to CAPTURES/SESSION/<model>/<seq>-<id>.json with secrets redacted.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["upstream", "stub", "forward"])))]
pub struct RecordArgs {
    /// Forward to this gateway base URL (e.g. https://gw.example/api/llm/v1); `/v1/x` on the
    /// recorder goes to `<URL>/x`.
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,

    /// Capture only: answer every request with the embedded gateway (a conformant Chat
    /// Completions stream), whatever its format, so Cursor keeps going without a gateway.
    #[arg(long)]
    pub stub: bool,

    /// With --stub: be the provider a gateway under test calls, and record what the gateway
    /// sends it (the provider leg for `legs`): each provider's API at its own endpoint
    /// (`/v1/chat/completions`, `/v1/responses`, `/v1/messages`,
    /// `/v1beta/models/M:generateContent`), judged strictly and answered in its own shape.
    #[arg(long, requires = "stub")]
    pub provider: bool,

    /// Be a forward proxy (HTTP CONNECT and absolute-form requests) for clients whose proxy you
    /// can set: Cursor's CLI agent, the SDKs, a gateway's own calls to its provider, curl.
    #[arg(
        long,
        conflicts_with_all = ["path_token", "allow_no_token", "public_url", "tls_cert", "tls_key", "tls_self_signed"]
    )]
    pub forward: bool,

    /// Address to listen on (an IP address or a host name, with a port); default
    /// 127.0.0.1:8787, or 127.0.0.1:8788 with --forward. Anything but loopback is reachable
    /// from the network.
    #[arg(long, value_name = "ADDR", value_parser = crate::http::listen::parse)]
    pub listen: Option<std::net::SocketAddr>,

    /// With --forward only: decrypt and record only these hosts (comma-separated or repeated:
    /// `api.openai.com`, `*.gateway.example.com`, an IP address, `*`); others are tunnelled
    /// blind. Default: every host.
    #[arg(long, value_name = "HOSTS")]
    pub intercept: Vec<String>,

    /// With --forward only: the folder of the CA made by `cursor-harness ca init` (default:
    /// $CURSOR_HARNESS_CA_DIR, else the user's config folder, ~/.config/cursor-harness/ca).
    #[arg(long, value_name = "DIR")]
    pub ca_dir: Option<PathBuf>,

    /// With --forward only: require HTTP Basic proxy credentials, `user:password` read from
    /// this environment variable. Needed to listen on anything but loopback.
    #[arg(long, value_name = "VAR")]
    pub proxy_auth_env: Option<String>,

    /// With --forward only: listen beyond loopback without proxy credentials (only on a
    /// network you control: anyone who reaches the port can use the proxy).
    #[arg(long)]
    pub allow_open_proxy: bool,

    /// Do not verify upstream certificates (a warning is printed on every start). Prefer
    /// --upstream-ca for a private gateway.
    #[arg(long, conflicts_with = "stub")]
    pub insecure_upstream: bool,

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

    /// Also trust this CA (PEM) for upstream certificates (a private gateway; with --forward,
    /// any intercepted host), besides the web's roots; repeatable. Not with --stub (there is
    /// no upstream).
    #[arg(long, value_name = "FILE")]
    pub upstream_ca: Vec<PathBuf>,

    /// Keep this non-secret header verbatim in captures even if its name looks secret;
    /// repeatable. `authorization` can never be kept.
    #[arg(long, value_name = "NAME")]
    pub keep_header: Vec<String>,

    /// Largest request body accepted, in bytes (larger ones get 413 and are recorded).
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_request_body: usize,

    /// Most bytes of a response body a capture keeps (held in memory until written). The
    /// client still gets all of it; the capture keeps a prefix and says how much it left out.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_capture_body: usize,

    /// Most bytes every capture in flight may hold in memory together (response bodies not
    /// written yet). Past it a capture keeps what it has and says how much it left out; clients
    /// still get every byte, at full speed. The recorder's memory can peak at about twice this
    /// (a capture is converted while the ones behind it still hold theirs): to stay under N,
    /// set about N/2.
    #[arg(long, value_name = "BYTES", default_value_t = crate::capture::budget::DEFAULT_CAPTURE_MEMORY)]
    pub max_capture_memory: usize,

    /// Seconds to wait for the upstream's response head.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub response_timeout: u64,

    /// Seconds of silence tolerated in the middle of a body: the upstream's stream (cut and
    /// recorded as a timeout), or the client's request body (408).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub idle_timeout: u64,

    /// Seconds in-flight streams may run after Ctrl-C before they are cut.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub grace: u64,

    #[command(flatten)]
    pub connections: ConnectionArgs,
}

/// How many connections a server takes and how long an idle one stays open.
#[derive(Debug, Clone, Copy, Args)]
pub struct ConnectionArgs {
    /// Connections served at once, CONNECT tunnels included; past it new clients wait to be
    /// accepted until one closes.
    #[arg(long, value_name = "N", default_value_t = crate::http::serve::DEFAULT_MAX_CONNECTIONS as u32,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Seconds a connection may stay open with no request in flight (HTTP/1.1 keep-alive and
    /// HTTP/2 alike) before it is closed; also the longest one request head may take. A new
    /// connection must send its first byte within this, and within 10 seconds at most.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub connection_idle_timeout: u64,
}

impl ConnectionArgs {
    pub fn limits(&self) -> crate::http::serve::ConnectionLimits {
        crate::http::serve::ConnectionLimits::with_idle(
            self.max_connections as usize,
            std::time::Duration::from_secs(self.connection_idle_timeout),
        )
    }
}

/// Manage the certificate authority `record --forward` uses to decrypt TLS.
///
/// The CA lives in the user's config folder (~/.config/cursor-harness/ca, or
/// $XDG_CONFIG_HOME/cursor-harness/ca) unless --dir or $CURSOR_HARNESS_CA_DIR names another. Its key is written mode 0600
/// and never printed. Clients must trust the certificate: see the README ("Trusting the CA").
#[derive(Debug, Args)]
pub struct CaArgs {
    #[command(subcommand)]
    pub command: CaCommand,

    /// The CA folder (default: $CURSOR_HARNESS_CA_DIR, else the user's config folder).
    #[arg(long, value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Create the CA (certificate and key); refuses to replace an existing one without --force.
    Init {
        /// Replace an existing CA (clients that trusted the old one must trust the new one).
        #[arg(long)]
        force: bool,
    },
    /// Print the path of the CA certificate (e.g. `SSL_CERT_FILE=$(cursor-harness ca path)`).
    Path,
    /// Print the CA certificate (never the key).
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value_t = CaFormat::Pem)]
        format: CaFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CaFormat {
    /// PEM text, what trust stores, SSL_CERT_FILE and curl --cacert take.
    Pem,
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
/// "no captures found under PATH" and exits 2. `-` reads a capture, HAR file or request body
/// from standard input (`pbpaste | cursor-harness check -`); it is never written anywhere.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Captures, folders, HAR files or raw request bodies; `-` reads one from standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Rule set: `strict` mirrors what OpenAI's API accepts; `lenient` what many gateways accept.
    #[arg(long, value_enum, default_value_t = Profile::Strict)]
    pub profile: Profile,

    /// Judge every exchange by this contract instead of the one its endpoint speaks (method and
    /// path decide by default: `…/chat/completions`, `…/responses`, `…/messages`,
    /// `…:generateContent`, `GET …/models`). For gateways with unusual paths.
    #[arg(long, value_enum, value_name = "CONTRACT")]
    pub contract: Option<Contract>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Show every violation (warnings and notes too), not only the errors.
    #[arg(short, long)]
    pub verbose: bool,

    /// Check only the exchanges whose model matches this glob (`gpt-*`, `{claude-*,gemini-*}`;
    /// `_models` is the Verify call). Unreadable inputs are still reported.
    #[arg(long, value_name = "GLOB")]
    pub model: Option<String>,
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

/// Serve the embedded reference gateway: answers like OpenAI's `/v1/chat/completions`.
///
/// `POST …/chat/completions` gets a deterministic answer (a stream or a JSON completion, a tool
/// call when the request forces or invites one); `GET …/models` lists models; with `strict` a
/// request OpenAI would refuse gets 400 and OpenAI's error envelope naming the first offending
/// field. The first line on standard output is `listening on http://ADDR` (the bound port when
/// given port 0). Stops on Ctrl-C or SIGTERM.
#[derive(Debug, Args)]
pub struct GatewayArgs {
    /// Address to listen on (an IP address or a host name, with a port; port 0 picks a free
    /// one). Anything but loopback is reachable from the network.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8790", value_parser = crate::http::listen::parse)]
    pub listen: std::net::SocketAddr,

    /// `strict` refuses what OpenAI refuses; `lenient` ignores unknown fields like many
    /// gateways do but still needs `messages`; `provider` is the provider a gateway calls: each
    /// API at its own endpoint (`/v1/chat/completions`, `/v1/responses`, `/v1/messages`,
    /// `/v1beta/models/M:generateContent`), judged strictly by that API's contract, refused in
    /// that provider's error envelope, answered in its shape; `translate` is the reference shim:
    /// whatever Cursor sends (a Responses hybrid, an Anthropic-shaped body, the mixed Chat
    /// body) is translated into Chat Completions as `cursor-harness translate` does, then judged
    /// like `strict`, and a custom tool's call comes back as raw text (docs/translation.md).
    #[arg(long, value_enum, default_value_t = GatewayProfile::Strict)]
    pub profile: GatewayProfile,

    /// Milliseconds between streamed events (0 sends them back to back).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub chunk_delay: u64,

    /// Print a line per request on standard output: time, method and path, model, status,
    /// time to the answer's head, and what a refusal said.
    #[arg(long)]
    pub log: bool,
    #[command(flatten)]
    pub connections: ConnectionArgs,
}

/// How the embedded gateway judges and answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GatewayProfile {
    Strict,
    Lenient,
    Provider,
    Translate,
}

impl GatewayProfile {
    pub fn as_str(self) -> &'static str {
        match self {
            GatewayProfile::Strict => "strict",
            GatewayProfile::Lenient => "lenient",
            GatewayProfile::Provider => "provider",
            GatewayProfile::Translate => "translate",
        }
    }

    pub fn mode(self) -> crate::gateway::Mode {
        match self {
            GatewayProfile::Strict => crate::gateway::Mode::Validate(Profile::Strict),
            GatewayProfile::Lenient => crate::gateway::Mode::Validate(Profile::Lenient),
            GatewayProfile::Provider => crate::gateway::Mode::Provider,
            GatewayProfile::Translate => crate::gateway::Mode::Translate,
        }
    }
}

/// Replay captures against a gateway and record what comes back as new captures.
///
/// Each request is sent as recorded: the method, the path mapped onto the target by the
/// recorder's rule (`/t/<token>` and one leading `/v1` removed, the rest appended to the target
/// base URL), the body byte for byte, the recorded headers minus hop-by-hop, redacted and
/// secret ones; auth comes from the environment variable named by --api-key-env. The answers go
/// to OUT/<run>/<model>/<seq>-<id>.json (linked to the capture they replay) with a run.json
/// (schemas/run.schema.json). Exit 0 when every request got an answer, whatever its status
/// (judging it is `check`'s and `diff`'s job); 1 when some got none or an input was unreadable;
/// 3 when the target answered none; 130 when interrupted (Ctrl-C or SIGTERM: no new requests,
/// in-flight ones get --grace, run.json says what completed).
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Captures, folders, HAR files or raw request bodies.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The gateway base URL (e.g. https://gw.example/api/llm/v1), or `embedded` for the
    /// reference gateway (`embedded:strict`, the default profile, `embedded:lenient`, or
    /// `embedded:provider`, the provider profile of `gateway --profile provider`, or
    /// `embedded:translate`, the reference shim of `gateway --profile translate`) served
    /// in-process on a loopback port.
    #[arg(long, value_name = "URL|embedded")]
    pub target: String,

    /// Requests in flight at most.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: u32,

    /// `asap` sends each request as soon as a slot is free; `original` keeps the recorded gaps
    /// between request starts; `x<K>` (e.g. x2, x0.5) runs the original schedule K times as fast.
    /// Latency is measured from each request's intended start, so a busy client does not hide
    /// a slow gateway.
    #[arg(long, value_name = "PACE", default_value = "asap")]
    pub pace: String,

    /// With a scheduled --pace: the longest wait between one request's start and the next
    /// (`5s`, `500ms`, `2m`); longer recorded pauses are cut to it. The progress line shows
    /// every wait of a second or more.
    #[arg(long, value_name = "DURATION", value_parser = crate::replay::schedule::parse_duration)]
    pub max_gap: Option<std::time::Duration>,

    /// Replay only the exchanges whose model matches this glob (`gpt-*`, `{claude-*,gemini-*}`;
    /// `_models` is the Verify call). Unreadable inputs are still reported.
    #[arg(long, value_name = "GLOB")]
    pub model: Option<String>,

    /// Seconds a request may take from its send to the end of its body.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,

    /// Folder that holds the runs; the run goes to OUT/<run>/.
    #[arg(long, value_name = "DIR", default_value = "reports/runs")]
    pub out: PathBuf,

    /// Name of the run folder; defaults to run-<date>-<time> (with -2, -3, … when another run
    /// took that name in the same second). A folder that exists is never reused.
    #[arg(long, value_name = "NAME")]
    pub run_id: Option<String>,

    #[command(flatten)]
    pub send: SendArgs,

    /// Seconds in-flight requests may run after Ctrl-C or SIGTERM before they are cut.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub grace: u64,
}

/// Compare two captures, or two collections of them (folders, HAR files), by what a client ends
/// up with.
///
/// Streams are compared as the message they add up to (content, tool calls with joined
/// arguments, finish_reason, usage, reasoning); chunking and timing are reported apart and do
/// not count as differences. `id`, `created`, `system_fingerprint`, tool-call ids and redaction
/// tokens are ignored unless --keep-volatile. Two collections are matched by capture id and
/// replay link (a golden folder and a replay run; a HAR file keeps each entry's id). With
/// --mode sessions they are compared as two sessions instead: per model, which request fields
/// and tool definitions appeared, vanished or changed shape. Exit 0 when equal, 1 when
/// different or when no pair was compared (nothing links the two: then their formats are shown
/// as sessions, and --mode sessions makes that the comparison).
///
/// Pointers are JSON pointers into the compared view (`/response/message/choices/0/content`);
/// `*` matches one segment and `**` any number.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The capture (or folder) before.
    #[arg(value_name = "A")]
    pub a: PathBuf,

    /// The capture (or folder) after.
    #[arg(value_name = "B")]
    pub b: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Do not compare what is at this pointer; repeatable.
    #[arg(long, value_name = "PTR")]
    pub ignore: Vec<String>,

    /// Only compare the JSON type at this pointer; repeatable.
    #[arg(long, value_name = "PTR")]
    pub type_only: Vec<String>,

    /// Numbers at PTR may differ by up to N (`PTR=N`) or must lie in MIN..MAX (`PTR=MIN..MAX`).
    #[arg(long, value_name = "PTR=SPEC")]
    pub range: Vec<String>,

    /// Strings at PTR are equal when both match the regular expression RE.
    #[arg(long, value_name = "PTR=RE")]
    pub regex: Vec<String>,

    /// Compare the volatile fields too (ids, timestamps, fingerprints, redaction tokens).
    #[arg(long)]
    pub keep_volatile: bool,

    /// Folder mode: `pairs` matches exchanges by id and replay link, `sessions` compares request
    /// formats per model; `auto` pairs, and when nothing links the two shows their formats as
    /// sessions but fails (0 pairs compared) — pass `sessions` when that is the comparison.
    #[arg(long, value_enum, default_value_t = DiffMode::Auto)]
    pub mode: DiffMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Changes (pointer, before, after) and a unified diff of canonical JSON.
    Text,
    /// The diff as JSON (schemas/diff.schema.json).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffMode {
    Auto,
    Pairs,
    Sessions,
}

/// Look for key-shaped strings (API keys, tokens, JWTs, private keys, passwords in URLs and
/// `.env` lines) and key files in files before you share them: captures, reports, Markdown,
/// HTML, JSON, logs.
///
/// PATH may be a file or a folder, walked recursively in sorted order. Every regular file is
/// read as text (hidden files too; `.git`, `.hg` and `.svn` folders are not walked), and a
/// symlink in a folder is followed only when it leads to a file inside that folder. Text is
/// also read with its JSON escapes decoded, and a capture (or HAR entry) as redaction reads
/// it: its stream reassembled, its path and query percent-decoded, headers and parameters
/// secret by their name. Each find prints as FILE:LINE:COLUMN (or where in the capture), the
/// kind of key, and the line with every key on it masked (`sk-p…6789`); the key itself is
/// never printed. A redaction key file (`.redaction-key`) or a CA key
/// (`cursor-harness-ca-key.pem`) is named with what it unlocks.
///
/// Exit codes: 0 nothing found; 1 a key-shaped string or a key file was found, or a file could
/// not be read; 2 a PATH does not exist.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and folders to scan.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Key files are listed but do not make the scan fail (a folder you keep to yourself).
    #[arg(long)]
    pub allow_keys: bool,
}
