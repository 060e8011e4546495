//! Replay: send captured requests to a gateway under test and record what comes back as new
//! captures linked to the ones they replay, with a `run.json` beside them.
//!
//! - [`mod@prepare`]: a capture becomes the request to send (path rule, headers, auth).
//! - [`schedule`]: when each request should start (`asap`, `original`, `x<K>`).
//! - [`client`]: raw hyper connections that time every chunk.
//! - [`store`]: the writer thread that turns recordings into captures.
//! - [`run_file`]: the `run.json` model.
//! - [`progress`]: the progress bar or the line per exchange.
//! - [`Target`]: where requests go (a URL or the embedded gateway).

pub mod client;
pub mod prepare;
pub mod progress;
pub mod run_file;
pub mod schedule;
pub mod store;
mod target;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Uri;
use rayon::prelude::*;
use tokio::task::JoinSet;

use self::client::{Client, ClientError};
use self::prepare::{Auth, Prepared, prepare};
use self::progress::Progress;
use self::run_file::{
    AuthNote, Counts, RUN_FORMAT, RUN_VERSION, RunFile, RunSettings, ScheduleStats, Throughput,
    Unreadable,
};
use self::schedule::Pace;
use self::store::{Done, StoreConfig};
pub use self::target::Target;
use crate::capture::input::{self, InputError};
use crate::capture::recording::Recording;
use crate::capture::redact::{RedactError, Redactor};
use crate::capture::resend::Rewrite;
use crate::capture::{self, Exchange};
use crate::fsio;
use crate::gateway::{Gateway, Mode};
use crate::http::headers::to_pairs;
use crate::http::serve::{ConnectionLimits, DEFAULT_MAX_CONNECTIONS};
use crate::timing::percentile;

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    pub paths: Vec<PathBuf>,
    pub target: Target,
    /// As given on the command line, for run.json.
    pub target_text: String,
    pub auth: Option<Auth>,
    /// The environment variable the key came from, for run.json.
    pub auth_env: Option<String>,
    pub concurrency: u32,
    pub pace: Pace,
    /// Longest wait between one scheduled start and the next (`--max-gap`).
    pub max_gap: Option<Duration>,
    /// Only exchanges whose model matches (`--model`); unreadable inputs are kept.
    pub model: Option<crate::capture::filter::ModelFilter>,
    pub timeout: Duration,
    /// The folder of runs; this run goes to `out/run_id`.
    pub out: PathBuf,
    pub run_id: String,
    pub http2: bool,
    pub target_cas: Vec<PathBuf>,
    /// Hand every replayed capture back in memory ([`Replayed::exchanges`]) besides writing it.
    pub keep_exchanges: bool,
    /// Headers to set and models to rename on every request (`--header`, `--model-map`).
    pub rewrite: Rewrite,
    /// Header values that are secrets (from `--header-env`): scrubbed wherever they come back.
    pub secrets: Vec<String>,
    /// Ctrl-C: how a run is stopped early.
    pub interrupt: Interrupt,
}

/// How a run is stopped early (Ctrl-C, SIGTERM): once `stop` is cancelled no new request is
/// sent; requests in flight get `grace` to finish and are then cut (recorded as cut). The run
/// still writes every capture it made and `run.json`, marked interrupted.
#[derive(Debug, Clone)]
pub struct Interrupt {
    pub stop: tokio_util::sync::CancellationToken,
    pub grace: Duration,
}

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt {
            stop: tokio_util::sync::CancellationToken::new(),
            grace: Duration::from_secs(10),
        }
    }
}

/// What a run did, and (when asked for) the captures it made, in input order.
pub struct Replayed {
    pub run: RunFile,
    /// `(seq, capture)`: `seq` is the exchange's place in `run.exchanges` (1-based).
    pub exchanges: Vec<(usize, Exchange)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Redact(#[from] RedactError),
    #[error("cannot serve the embedded gateway on a loopback port: {0}")]
    Embedded(std::io::Error),
    #[error("the capture writer stopped with an internal error; the run's captures are incomplete")]
    WriterFailed,
    #[error("cannot write the run folder {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One exchange ready to go.
struct Item {
    seq: usize,
    origin: String,
    id: String,
    prepared: Prepared,
    offset: Option<Duration>,
    /// What the capture will say was sent, made ahead of the run.
    method: String,
    target: String,
    headers: crate::capture::Headers,
}

/// Run a replay to the end: every readable input is sent, every answer (or failure) written.
pub async fn run(
    options: &ReplayOptions,
    progress: impl FnOnce(usize) -> Progress,
) -> Result<RunFile, ReplayError> {
    let candidates = input::expand(&options.paths)?;
    let mut loaded: Vec<input::Loaded> = candidates.par_iter().flat_map_iter(input::load).collect();
    if let Some(filter) = &options.model {
        loaded.retain(|l| filter.keeps(l));
    }
    Ok(run_loaded(loaded, options, progress).await?.run)
}

/// Replay exchanges that are already loaded (`run` uses this so each capture is parsed once);
/// `options.paths` is only reported in run.json.
pub async fn run_loaded(
    loaded: Vec<input::Loaded>,
    options: &ReplayOptions,
    progress: impl FnOnce(usize) -> Progress,
) -> Result<Replayed, ReplayError> {
    let started_at = capture::now_rfc3339();
    let inputs = loaded.len();
    let (gateway_stop, base) = match &options.target {
        Target::Url(uri) => (None, uri.clone()),
        Target::Embedded(mode) => {
            let (stop, base) = serve_embedded(*mode, options.concurrency as usize).await?;
            (Some(stop), base)
        }
    };
    let client = Arc::new(Client::new(
        &base,
        options.http2,
        options.timeout,
        &options.target_cas,
    )?);
    let (items, unreadable) = items(loaded, &base, options);
    let run_dir = options.out.join(&options.run_id);
    // The answers are only compared within this run, never matched against tokens of another,
    // so the key lives in memory and dies with the run: no key file lands beside the run
    // (which `run` puts inside a report folder meant for sharing).
    let mut redactor = Redactor::ephemeral()?;
    if let Some(auth) = &options.auth {
        redactor = redactor.with_literal(auth.secret.clone());
    }
    for secret in &options.secrets {
        redactor = redactor.with_literal(secret.clone());
    }
    let source = format!(
        "cursor-harness {} replay --target {} --pace {}",
        env!("CARGO_PKG_VERSION"),
        redactor.url(&options.target_text),
        options.pace
    );
    let store_config = StoreConfig {
        run_dir: run_dir.clone(),
        run_id: options.run_id.clone(),
        source,
        redactor: redactor.clone(),
        keep: options.keep_exchanges,
    };
    let write_failed = |source| ReplayError::Write {
        path: run_dir.clone(),
        source,
    };
    let progress = progress(items.len());
    let waits = progress.clone();
    // The run folder is below the folder the user named: never a link to somewhere else.
    fsio::refuse_links(&options.out, &run_dir).map_err(write_failed)?;
    let (tx, writer) = store::spawn(store_config, progress).map_err(write_failed)?;
    let planned = items.len();
    let (first_start, last_end) = dispatch(items, client, tx, options, waits).await;
    let stored = tokio::task::spawn_blocking(move || writer.join())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(ReplayError::WriterFailed)?;
    if let Some(stop) = gateway_stop {
        let _ = stop.send(());
    }
    // Sent, whether or not an answer came: every one has its entry.
    let replayed = stored.exchanges.len();
    let interrupted = options
        .interrupt
        .stop
        .is_cancelled()
        .then(|| run_file::Interrupted {
            at: capture::now_rfc3339(),
            not_sent: planned - replayed,
        });
    let mut counts = Counts {
        inputs,
        replayed,
        unreadable: unreadable.len(),
        lost: stored.lost,
        ..Counts::default()
    };
    let mut late: Vec<f64> = Vec::with_capacity(stored.exchanges.len());
    for exchange in &stored.exchanges {
        if exchange.status.is_some() {
            counts.answered += 1;
        }
        if exchange.error.is_some() {
            counts.transport_errors += 1;
        }
        let status = exchange.status.map_or("none".to_owned(), |s| s.to_string());
        *counts.statuses.entry(status).or_default() += 1;
        late.push(exchange.late_ms);
    }
    late.sort_by(f64::total_cmp);
    let window = last_end.saturating_duration_since(first_start);
    let window_ms = capture::millis(window);
    let run = RunFile {
        format: RUN_FORMAT.to_owned(),
        version: RUN_VERSION,
        run: options.run_id.clone(),
        target: redactor.url(&options.target_text),
        base_url: redactor.url(&base.to_string()),
        started_at,
        finished_at: capture::now_rfc3339(),
        options: RunSettings {
            inputs: options
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            pace: options.pace.to_string(),
            max_gap_ms: options.max_gap.map(capture::millis),
            model: options.model.as_ref().map(|m| m.pattern().to_owned()),
            concurrency: options.concurrency,
            timeout_s: options.timeout.as_secs(),
            http: if options.http2 { "HTTP/2" } else { "HTTP/1.1" }.to_owned(),
            auth: options.auth.as_ref().map(|auth| AuthNote {
                header: auth.header.as_str().to_owned(),
                env: options.auth_env.clone().unwrap_or_default(),
            }),
        },
        counts,
        throughput: Throughput {
            window_ms,
            requests_per_second: if window.is_zero() {
                0.0
            } else {
                (replayed as f64 / window.as_secs_f64() * 10.0).round() / 10.0
            },
        },
        schedule: ScheduleStats {
            late_p50_ms: percentile(&late, 50.0),
            late_p99_ms: percentile(&late, 99.0),
            late_max_ms: late.last().copied(),
        },
        connections: run_file::ConnectionStats::of(&stored.exchanges.iter().collect::<Vec<_>>()),
        by_model: run_file::by_model(&stored.exchanges, &stored.gaps),
        exchanges: stored.exchanges,
        unreadable,
        interrupted,
    };
    fsio::write_json_atomically(&run_dir.join("run.json"), &run).map_err(write_failed)?;
    Ok(Replayed {
        run,
        exchanges: stored.kept,
    })
}

/// Prepare every readable exchange; the rest become `unreadable` entries with their reason.
fn items(
    loaded: Vec<input::Loaded>,
    base: &Uri,
    options: &ReplayOptions,
) -> (Vec<Item>, Vec<Unreadable>) {
    let mut unreadable = Vec::new();
    let mut ready: Vec<(String, Exchange, Prepared)> = Vec::new();
    for loaded in loaded {
        let exchange = match loaded.result {
            Ok(exchange) => exchange,
            Err(error) => {
                unreadable.push(Unreadable {
                    capture: loaded.origin,
                    error,
                });
                continue;
            }
        };
        match prepare(&exchange, base, options.auth.as_ref(), &options.rewrite) {
            Ok(prepared) => ready.push((loaded.origin, exchange, prepared)),
            Err(why) => unreadable.push(Unreadable {
                error: format!("{}: cannot replay: {why}", loaded.origin),
                capture: loaded.origin,
            }),
        }
    }
    let mut times = Vec::with_capacity(ready.len());
    let mut timed = Vec::with_capacity(ready.len());
    for (origin, exchange, prepared) in ready {
        if options.pace.is_scheduled() {
            match schedule::recorded_time(&exchange.recorded_at) {
                Ok(time) => times.push(time),
                Err(why) => {
                    unreadable.push(Unreadable {
                        error: format!("{origin}: {why}"),
                        capture: origin,
                    });
                    continue;
                }
            }
        }
        timed.push((origin, exchange, prepared));
    }
    let offsets = schedule::offsets(&times, options.pace, timed.len(), options.max_gap);
    let mut items: Vec<Item> = timed
        .into_iter()
        .zip(offsets)
        .enumerate()
        .map(|(index, ((origin, exchange, prepared), offset))| Item {
            seq: index + 1,
            origin,
            id: exchange.id,
            method: prepared.method.to_string(),
            target: prepared
                .uri
                .path_and_query()
                .map_or("/", |pq| pq.as_str())
                .to_owned(),
            headers: to_pairs(&prepared.headers),
            prepared,
            offset,
        })
        .collect();
    // Dispatch in schedule order; the sequence numbers keep the input order.
    items.sort_by_key(|item| item.offset);
    (items, unreadable)
}

/// Send every item on its schedule with at most `concurrency` in flight. Returns the first
/// intended start and the last end.
///
/// `concurrency` lanes each take the next item in schedule order, wait for its intended start
/// and send it on the lane's own connection: a request whose start comes while every lane is
/// busy goes out late, and its latency still counts from the intended start. Long-lived lanes
/// (like `oha`'s workers) rather than a task per request keep the client's own cost per
/// request to a few wake-ups.
async fn dispatch(
    items: Vec<Item>,
    client: Arc<Client>,
    tx: tokio::sync::mpsc::Sender<Done>,
    options: &ReplayOptions,
    progress: Progress,
) -> (Instant, Instant) {
    // A short lead lets the schedule's first requests start on time rather than behind the
    // setup that just ran.
    let lead = if options.pace.is_scheduled() {
        Duration::from_millis(20)
    } else {
        Duration::ZERO
    };
    let run_start = Instant::now() + lead;
    let shared = Arc::new(Shared {
        items: std::sync::Mutex::new(items.into_iter()),
        run_start,
        wall_start: jiff::Timestamp::now() + lead,
        upstream: options.target_text.clone(),
        http_version: if options.http2 { "HTTP/2" } else { "HTTP/1.1" },
        progress,
        interrupt: options.interrupt.clone(),
    });
    let mut lanes = JoinSet::new();
    for _ in 0..options.concurrency {
        lanes.spawn(lane(shared.clone(), client.clone(), tx.clone()));
    }
    drop(tx);
    let mut last_end = run_start;
    while let Some(ended) = lanes.join_next().await {
        if let Ok(Some(ended)) = ended {
            last_end = last_end.max(ended);
        }
    }
    (run_start, last_end)
}

/// What every lane reads.
struct Shared {
    /// The items in schedule order; each lane takes the next.
    items: std::sync::Mutex<std::vec::IntoIter<Item>>,
    run_start: Instant,
    wall_start: jiff::Timestamp,
    upstream: String,
    http_version: &'static str,
    /// Where a long wait for a scheduled start is shown.
    progress: Progress,
    interrupt: Interrupt,
}

/// Send items until none is left; returns when the lane's last answer ended.
async fn lane(
    shared: Arc<Shared>,
    client: Arc<Client>,
    tx: tokio::sync::mpsc::Sender<Done>,
) -> Option<Instant> {
    let mut connection = client::Lane::default();
    let mut last_end = None;
    let stop = &shared.interrupt.stop;
    loop {
        if stop.is_cancelled() {
            return last_end;
        }
        let next = shared
            .items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .next();
        let Some(item) = next else {
            return last_end;
        };
        let intended = match item.offset {
            Some(offset) => {
                let at = shared.run_start + offset;
                let wait = at.saturating_duration_since(Instant::now());
                let shown = wait >= WAIT_SHOWN;
                if shown {
                    shared.progress.waiting(item.seq, wait);
                }
                tokio::select! {
                    () = on_time(at) => {}
                    () = stop.cancelled() => return last_end,
                }
                if shown {
                    shared.progress.waited();
                }
                at
            }
            None => Instant::now(),
        };
        let late = intended.elapsed();
        let prepared = &item.prepared;
        // Unstamped: `Recording::new` would format the time as text, and the lane does only
        // what the request needs (the writer formats `recorded_at` later).
        let mut recording = Box::new(Recording::unstamped(
            intended,
            item.method,
            item.target,
            shared.http_version.to_owned(),
            item.headers,
        ));
        recording.upstream = Some(shared.upstream.clone());
        recording.request_body = prepared.body.clone();
        let grace = shared.interrupt.grace;
        let finished = tokio::select! {
            opened = client.exchange(&mut connection, prepared, &mut recording) => Some(opened),
            () = async {
                stop.cancelled().await;
                tokio::time::sleep(grace).await;
            } => None,
        };
        let opened = finished.flatten();
        if finished.is_none() {
            recording.fail(
                crate::capture::ErrorKind::Other,
                format!(
                    "the replay was interrupted and this request did not finish within the grace period ({}s); it was cut",
                    grace.as_secs()
                ),
            );
            connection = client::Lane::default();
        }
        last_end = Some(Instant::now());
        let done = Done {
            seq: item.seq,
            origin: item.origin,
            replay_of: item.id,
            scheduled: item.offset,
            started_at: stamp_at(
                shared.wall_start,
                intended.saturating_duration_since(shared.run_start),
            ),
            late,
            connection: opened,
            recording,
        };
        if tx.send(done).await.is_err() {
            return last_end;
        }
    }
}

/// Waits for a scheduled start at least this long are shown, so a paced replay never sits
/// silent through a recorded pause.
const WAIT_SHOWN: Duration = Duration::from_secs(1);

/// Wait until `at`. The timer wheel has millisecond granularity and may wake a little late, so
/// it is set slightly early and the rest is yielded away.
async fn on_time(at: Instant) {
    const EARLY: Duration = Duration::from_millis(2);
    if let Some(wake) = at.checked_sub(EARLY)
        && wake > Instant::now()
    {
        tokio::time::sleep_until(wake.into()).await;
    }
    while Instant::now() < at {
        tokio::task::yield_now().await;
    }
}

/// When the request was meant to start, as wall-clock time.
fn stamp_at(wall_start: jiff::Timestamp, offset: Duration) -> jiff::Timestamp {
    wall_start
        .checked_add(jiff::SignedDuration::try_from(offset).unwrap_or_default())
        .unwrap_or(wall_start)
}

/// Serve the reference gateway on a loopback port until the returned sender fires, with room
/// for a connection per lane; its base URL.
pub async fn serve_embedded(
    mode: Mode,
    lanes: usize,
) -> Result<(tokio::sync::oneshot::Sender<()>, Uri), ReplayError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(ReplayError::Embedded)?;
    let addr = listener.local_addr().map_err(ReplayError::Embedded)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(crate::gateway::server::serve(
        listener,
        Gateway::new(mode),
        async {
            let _ = stopped.await;
        },
        Duration::from_secs(1),
        ConnectionLimits {
            max_connections: DEFAULT_MAX_CONNECTIONS.max(lanes + 16),
            ..ConnectionLimits::default()
        },
    ));
    let base = format!("http://{addr}/v1")
        .parse()
        .expect("a socket address makes a URL");
    Ok((stop, base))
}
