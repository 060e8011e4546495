//! The run's writer: a thread beside the client that turns each finished recording into a
//! replayed capture (the recorder's conversion, so replayed and recorded captures look alike),
//! writes it, and keeps the run's per-exchange entries.
//!
//! Writing waits for the traffic to pause. Creating a file costs the kernel more than sending a
//! small request, so a writer busy while requests are in flight takes the CPU from the client
//! (and, on one machine, from the gateway) and skews the latency being measured. Finished
//! recordings are therefore kept in memory while answers keep arriving, and written once
//! nothing has arrived for a moment (between paced requests, at the end), or as soon as more
//! than [`BUFFER_BYTES`] are waiting, which bounds the memory and turns into backpressure.
//!
//! Each capture goes to a hidden temp file; the batch is then made durable together
//! ([`DurableBatch`]: one filesystem sync rather than a disk flush per file), renamed into
//! place and the folders synced. A crash never leaves half a capture.

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::progress::Progress;
use super::run_file::{RunExchange, model_key};
use crate::capture::convert::to_exchange;
use crate::capture::layout;
use crate::capture::recording::Recording;
use crate::capture::redact::Redactor;
use crate::capture::{self, Exchange, ProvenanceKind, ReplayLink, TransportSummary};
use crate::fsio::{self, DurableBatch};
use crate::timing::{Connection, Timing, first_content_chunk};

/// A finished request, on its way to disk.
pub struct Done {
    pub seq: usize,
    /// Where the replayed capture was read from.
    pub origin: String,
    /// Its id.
    pub replay_of: String,
    pub scheduled: Option<Duration>,
    /// The intended start, as wall-clock time (the capture's `recorded_at`).
    pub started_at: jiff::Timestamp,
    pub late: Duration,
    /// The connection the request opened, when it opened one.
    pub connection: Option<Connection>,
    pub recording: Box<Recording>,
}

pub struct StoreConfig {
    pub run_dir: PathBuf,
    pub run_id: String,
    /// Provenance source note for every capture.
    pub source: String,
    pub redactor: Redactor,
    /// Keep every replayed capture in memory too ([`Stored::kept`]), for a caller that judges
    /// them next (`run`) and should not read back what was just written.
    pub keep: bool,
}

/// What the writer produced.
#[derive(Debug, Default)]
pub struct Stored {
    /// In input order.
    pub exchanges: Vec<RunExchange>,
    /// Every gap between consecutive chunks, per model.
    pub gaps: BTreeMap<String, Vec<f64>>,
    pub lost: usize,
    /// With [`StoreConfig::keep`]: each replayed capture with its sequence number, in input
    /// order (written or not).
    pub kept: Vec<(usize, Exchange)>,
}

/// Recorded bytes kept in memory before writing starts even though answers keep arriving.
pub const BUFFER_BYTES: usize = 256 * 1024 * 1024;
/// How long without a new answer counts as a pause in the traffic.
const QUIET: Duration = Duration::from_millis(50);
/// How often the queue is looked at while answers are arriving.
const POLL: Duration = Duration::from_millis(5);
/// Answers that may wait in the queue between two looks (far more than arrive in [`POLL`]).
const QUEUE: usize = 16 * 1024;
/// Batches this small are synced file by file rather than with a whole-filesystem sync.
const SMALL_BATCH: usize = 8;

/// Start the writer; it ends when every sender is dropped, and `join` gives what it stored.
pub fn spawn(
    config: StoreConfig,
    progress: Progress,
) -> io::Result<(mpsc::Sender<Done>, JoinHandle<Stored>)> {
    fsio::create_private_dir_all(&config.run_dir)?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let thread = std::thread::Builder::new()
        .name("replay-writer".to_owned())
        .spawn(move || Store::new(config, progress).run(rx))?;
    Ok((tx, thread))
}

struct Store {
    config: StoreConfig,
    progress: Progress,
    stored: Stored,
    /// Finished recordings not converted yet, and their size.
    waiting: Vec<Done>,
    waiting_bytes: usize,
    /// Captures written to temp files, waiting to be made durable.
    files: DurableBatch,
    /// For each of `files`, its index into `stored.exchanges`, to clear `file` if it is lost.
    batch: Vec<usize>,
    reported: HashSet<io::ErrorKind>,
}

impl Store {
    fn new(config: StoreConfig, progress: Progress) -> Store {
        let run_dir = config.run_dir.clone();
        Store {
            files: DurableBatch::new(&run_dir, SMALL_BATCH),
            config,
            progress,
            stored: Stored::default(),
            waiting: Vec::new(),
            waiting_bytes: 0,
            batch: Vec::new(),
            reported: HashSet::new(),
        }
    }

    fn run(mut self, mut rx: mpsc::Receiver<Done>) -> Stored {
        let mut last_arrival = Instant::now();
        loop {
            match rx.try_recv() {
                Ok(done) => {
                    last_arrival = Instant::now();
                    self.take(done);
                    continue;
                }
                Err(mpsc::error::TryRecvError::Disconnected) => break,
                Err(mpsc::error::TryRecvError::Empty) => {}
            }
            if self.waiting.is_empty() {
                // Nothing to write: wait for the next answer.
                match rx.blocking_recv() {
                    Some(done) => {
                        last_arrival = Instant::now();
                        self.take(done);
                    }
                    None => break,
                }
            } else if last_arrival.elapsed() >= QUIET {
                self.write_waiting();
            } else {
                // Sleeping rather than waiting on the queue means the lanes never have to
                // wake this thread while answers stream in: a send is then just a push.
                std::thread::sleep(POLL);
            }
        }
        self.write_waiting();
        self.progress.finish();
        self.stored.exchanges.sort_by_key(|e| e.seq);
        self.stored.kept.sort_by_key(|(seq, _)| *seq);
        self.stored
    }

    fn take(&mut self, done: Done) {
        self.progress.received();
        self.waiting_bytes +=
            done.recording.request_body.len() + done.recording.response_bytes() + 2048;
        self.waiting.push(done);
        if self.waiting_bytes > BUFFER_BYTES {
            self.write_waiting();
        }
    }

    /// Convert and write everything waiting, then make the batch durable.
    fn write_waiting(&mut self) {
        self.waiting_bytes = 0;
        for done in std::mem::take(&mut self.waiting) {
            self.write(done);
        }
        self.flush();
    }

    fn write(&mut self, mut done: Done) {
        done.recording.recorded_at = done
            .started_at
            .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let mut exchange = to_exchange(
            &done.recording,
            &self.config.run_id,
            &self.config.source,
            &self.config.redactor,
        );
        exchange.provenance.kind = ProvenanceKind::Replayed;
        exchange.replay_of = Some(ReplayLink {
            id: done.replay_of.clone(),
            capture: done.origin.clone(),
        });
        let timing = exchange
            .response
            .as_ref()
            .map(|response| Timing::of(response, first_content_chunk(response)))
            .unwrap_or_else(|| Timing {
                duration_ms: exchange.error.as_ref().and_then(|e| e.at_ms),
                ..Timing::default()
            });
        if let Some(stream) = exchange.response.as_ref().and_then(|r| r.stream.as_ref()) {
            let arrivals: Vec<f64> = stream.iter().filter_map(|c| c.at_ms).collect();
            self.stored
                .gaps
                .entry(model_key(exchange.model_name()))
                .or_default()
                .extend(arrivals.windows(2).map(|w| w[1] - w[0]));
        }
        let folder = layout::folder_for(&exchange);
        let relative = format!("{folder}/{:06}-{}.json", done.seq, exchange.id);
        let target = self.config.run_dir.join(&relative);
        let entry = RunExchange {
            seq: done.seq,
            capture: done.origin,
            replay_of: done.replay_of,
            id: exchange.id.clone(),
            file: Some(relative),
            model: exchange.model_name().map(str::to_owned),
            status: exchange.response.as_ref().map(|r| r.status),
            error: exchange.error.as_ref().map(|e| TransportSummary {
                kind: e.kind,
                message: e.message.clone(),
            }),
            scheduled_ms: done.scheduled.map(capture::millis),
            late_ms: capture::millis(done.late),
            connection: done.connection,
            timing,
        };
        let index = self.stored.exchanges.len();
        self.stored.exchanges.push(entry);
        match self.files.write(&exchange.to_pretty_json(), &target) {
            Ok(()) => self.batch.push(index),
            Err(err) => self.lost(index, &err),
        }
        self.progress.exchange(&self.stored.exchanges[index]);
        if self.config.keep {
            self.stored.kept.push((done.seq, exchange));
        }
    }

    /// Make the batch durable and put each capture in place.
    fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        let results = self.files.commit();
        for (entry, result) in batch.into_iter().zip(results) {
            if let Err(err) = result {
                self.lost(entry, &err);
            }
        }
    }

    fn lost(&mut self, entry: usize, err: &io::Error) {
        self.stored.lost += 1;
        self.stored.exchanges[entry].file = None;
        if self.reported.insert(err.kind()) {
            self.progress.warn(&format!(
                "cannot write a capture under {}: {err} (the run goes on; lost captures are counted in run.json)",
                self.config.run_dir.display()
            ));
        }
    }
}
