//! `run.json`: what a replay run did, beside its captures (schema: `schemas/run.schema.json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::capture::TransportSummary;
use crate::timing::{Connection, Timing, percentile, round3};

/// The value of `format` in run.json.
pub const RUN_FORMAT: &str = "cursor-harness/run";
pub const RUN_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFile {
    pub format: String,
    pub version: u32,
    /// The run folder's name.
    pub run: String,
    /// `--target` as given (`embedded:strict`, or the URL with credentials redacted).
    pub target: String,
    /// The base URL requests went to (for `embedded`, the loopback port it was served on).
    pub base_url: String,
    pub started_at: String,
    pub finished_at: String,
    pub options: RunSettings,
    pub counts: Counts,
    pub throughput: Throughput,
    pub schedule: ScheduleStats,
    /// The connections the run opened, and time to first byte on open and on new ones.
    #[serde(default)]
    pub connections: ConnectionStats,
    /// Latency per model (requests without a model are under `(none)`).
    pub by_model: Vec<ModelLatency>,
    /// One entry per replayed exchange, in input order.
    pub exchanges: Vec<RunExchange>,
    /// Inputs that could not be replayed, and why.
    pub unreadable: Vec<Unreadable>,
    /// Set when the run was stopped early (Ctrl-C, SIGTERM): `exchanges` holds what was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<Interrupted>,
}

/// A run stopped before it sent everything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interrupted {
    /// When the run stopped (RFC 3339).
    pub at: String,
    /// Requests that were never sent.
    pub not_sent: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    /// The paths given on the command line.
    pub inputs: Vec<String>,
    /// `asap`, `original` or `x<K>`.
    pub pace: String,
    /// `--max-gap`: the longest wait between scheduled starts, when one was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_gap_ms: Option<f64>,
    /// `--model`: the glob the inputs were filtered by, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub concurrency: u32,
    pub timeout_s: u64,
    /// `HTTP/1.1` or `HTTP/2` (what was asked for; each capture says what was spoken).
    pub http: String,
    /// Where the credential came from; the key itself is never written.
    pub auth: Option<AuthNote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthNote {
    /// The header it was sent in (`authorization` means `Bearer <key>`).
    pub header: String,
    /// The environment variable it was read from.
    pub env: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Exchanges found in the inputs (readable or not).
    pub inputs: usize,
    /// Requests sent.
    pub replayed: usize,
    /// Requests that got a response status (any status).
    pub answered: usize,
    /// Exchanges that carry a transport error (before or after the status).
    pub transport_errors: usize,
    pub unreadable: usize,
    /// Replayed exchanges whose capture could not be written.
    pub lost: usize,
    /// Response statuses with counts (`"200": 5`); `none` for no answer.
    pub statuses: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    /// From the first request's start to the last response's end.
    pub window_ms: f64,
    /// Replayed exchanges per second over that window.
    pub requests_per_second: f64,
}

/// How far actual sends fell behind the intended schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScheduleStats {
    pub late_p50_ms: Option<f64>,
    pub late_p99_ms: Option<f64>,
    pub late_max_ms: Option<f64>,
}

/// Median and 99th percentile (nearest rank) of a latency figure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub p50: Option<f64>,
    pub p99: Option<f64>,
}

impl Stats {
    pub fn of(mut values: Vec<f64>) -> Stats {
        values.sort_by(f64::total_cmp);
        Stats {
            p50: percentile(&values, 50.0),
            p99: percentile(&values, 99.0),
        }
    }
}

/// Latency of one model's requests, from each request's intended start. A request that opened
/// its connection is not charged with the connect and TLS handshake in `ttfb_ms`, `ttft_ms`
/// and `total_ms` (they are in `connections`, and in `ttfb_cold_ms`), so the first request of
/// each lane measures the gateway like the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelLatency {
    pub model: String,
    pub exchanges: usize,
    pub ttfb_ms: Stats,
    pub ttft_ms: Stats,
    /// Over every gap between consecutive chunks of the model's streams.
    pub gap_ms: Stats,
    pub total_ms: Stats,
    #[serde(default)]
    pub connections: ConnectionStats,
}

/// The connections requests opened, and time to first byte with and without one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionStats {
    /// Requests that opened a connection (the others were sent on one already open).
    pub opened: usize,
    /// TCP connect.
    pub connect_ms: Stats,
    /// TLS handshake, over the connections that made one (none over plain HTTP).
    pub tls_ms: Stats,
    /// TTFB of the requests sent on a connection that was already open (warm).
    pub ttfb_warm_ms: Stats,
    /// TTFB of the requests that opened their connection (cold), connect and handshake
    /// included: what such a request waited.
    pub ttfb_cold_ms: Stats,
}

impl ConnectionStats {
    pub fn of(exchanges: &[&RunExchange]) -> ConnectionStats {
        let opened: Vec<&Connection> = exchanges
            .iter()
            .filter_map(|e| e.connection.as_ref())
            .collect();
        let ttfb = |cold: bool| -> Stats {
            Stats::of(
                exchanges
                    .iter()
                    .filter(|e| e.connection.is_some() == cold)
                    .filter_map(|e| e.timing.ttfb_ms)
                    .collect(),
            )
        };
        ConnectionStats {
            opened: opened.len(),
            connect_ms: Stats::of(opened.iter().map(|c| c.connect_ms).collect()),
            tls_ms: Stats::of(opened.iter().filter_map(|c| c.tls_ms).collect()),
            ttfb_warm_ms: ttfb(false),
            ttfb_cold_ms: ttfb(true),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunExchange {
    /// Position in the run, 1-based, in input order (the file name starts with it).
    pub seq: usize,
    /// Where the replayed capture was read from.
    pub capture: String,
    /// The `id` of the replayed capture.
    pub replay_of: String,
    /// The new capture's id.
    pub id: String,
    /// The new capture, relative to the run folder; `null` when it could not be written.
    pub file: Option<String>,
    pub model: Option<String>,
    pub status: Option<u16>,
    pub error: Option<TransportSummary>,
    /// Intended start, from the run start (`null` under `--pace asap`).
    pub scheduled_ms: Option<f64>,
    /// How long after its intended start the request was actually sent.
    pub late_ms: f64,
    /// The connection the request opened before it was sent (connect, TLS handshake); `null`
    /// when it went on a connection already open.
    #[serde(default)]
    pub connection: Option<Connection>,
    /// Measured from the intended start (a request that opened its connection includes the
    /// connect and handshake).
    pub timing: Timing,
}

impl RunExchange {
    /// Milliseconds the request spent opening its connection (0 on an open one).
    pub fn setup_ms(&self) -> f64 {
        self.connection.as_ref().map_or(0.0, Connection::setup_ms)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unreadable {
    pub capture: String,
    pub error: String,
}

/// Per-model latency from the exchanges and the gaps collected per model.
pub fn by_model(exchanges: &[RunExchange], gaps: &BTreeMap<String, Vec<f64>>) -> Vec<ModelLatency> {
    let mut grouped: BTreeMap<String, Vec<&RunExchange>> = BTreeMap::new();
    for exchange in exchanges {
        grouped
            .entry(model_key(exchange.model.as_deref()))
            .or_default()
            .push(exchange);
    }
    grouped
        .into_iter()
        .map(|(model, list)| {
            // Without the connection's set-up: the gateway's latency, whatever the lane.
            let pick = |f: fn(&Timing) -> Option<f64>| -> Stats {
                Stats::of(
                    list.iter()
                        .filter_map(|e| f(&e.timing).map(|ms| round3(ms - e.setup_ms())))
                        .collect(),
                )
            };
            ModelLatency {
                exchanges: list.len(),
                ttfb_ms: pick(|t| t.ttfb_ms),
                ttft_ms: pick(|t| t.ttft_ms),
                gap_ms: Stats::of(gaps.get(&model).cloned().unwrap_or_default()),
                total_ms: pick(|t| t.duration_ms),
                connections: ConnectionStats::of(&list),
                model,
            }
        })
        .collect()
}

/// To the microsecond, as every time on disk is.
pub fn model_key(model: Option<&str>) -> String {
    model.unwrap_or("(none)").to_owned()
}
