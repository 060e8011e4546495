//! The run's writer: a thread beside the client that turns each finished recording into a
//! replayed capture (the recorder's conversion, so replayed and recorded captures look alike),
//! writes it, and keeps the run's per-exchange entries.
//!
//! Durability is batched like the recorder's: each capture goes to a hidden temp file at once,
//! and whenever the queue runs dry (and at least once a second, and at the end) the batch is
//! synced and renamed into place. A crash never leaves half a capture, and thousands of
//! exchanges a second cost one sync round per batch rather than a blocking sync per file.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::progress::Progress;
use super::run_file::{RunError, RunExchange, model_key};
use crate::capture::{self, ProvenanceKind, ReplayLink};
use crate::record::{Recording, model_slug, to_exchange};
use crate::redact::Redactor;
use crate::timing::{Timing, first_content_chunk};

/// A finished request, on its way to disk.
pub struct Done {
    pub seq: usize,
    /// Where the replayed capture was read from.
    pub origin: String,
    /// Its id.
    pub replay_of: String,
    pub scheduled: Option<Duration>,
    pub late: Duration,
    pub recording: Box<Recording>,
}

pub struct StoreConfig {
    pub run_dir: PathBuf,
    pub run_id: String,
    /// Provenance source note for every capture.
    pub source: String,
    pub redactor: Redactor,
}

/// What the writer produced.
#[derive(Debug, Default)]
pub struct Stored {
    /// In input order.
    pub exchanges: Vec<RunExchange>,
    /// Every gap between consecutive chunks, per model.
    pub gaps: BTreeMap<String, Vec<f64>>,
    pub lost: usize,
}

const SYNC_INTERVAL: Duration = Duration::from_secs(1);

/// Start the writer; it ends when every sender is dropped, and `join` gives what it stored.
pub fn spawn(
    config: StoreConfig,
    progress: Progress,
) -> io::Result<(mpsc::Sender<Done>, JoinHandle<Stored>)> {
    fs::create_dir_all(&config.run_dir)?;
    let (tx, rx) = mpsc::channel(1024);
    let thread = std::thread::Builder::new()
        .name("replay-writer".to_owned())
        .spawn(move || Store::new(config, progress).run(rx))?;
    Ok((tx, thread))
}

struct Pending {
    temp: PathBuf,
    file: File,
    target: PathBuf,
    /// Index into `stored.exchanges`, to clear `file` if the rename fails.
    entry: usize,
}

struct Store {
    config: StoreConfig,
    progress: Progress,
    stored: Stored,
    batch: Vec<Pending>,
    batch_started: Option<Instant>,
    reported: HashSet<io::ErrorKind>,
}

impl Store {
    fn new(config: StoreConfig, progress: Progress) -> Store {
        Store {
            config,
            progress,
            stored: Stored::default(),
            batch: Vec::new(),
            batch_started: None,
            reported: HashSet::new(),
        }
    }

    fn run(mut self, mut rx: mpsc::Receiver<Done>) -> Stored {
        loop {
            let next = if self.batch.is_empty() {
                rx.blocking_recv()
            } else {
                match rx.try_recv() {
                    Ok(done) => Some(done),
                    Err(mpsc::error::TryRecvError::Empty) => {
                        self.flush();
                        continue;
                    }
                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                }
            };
            let Some(done) = next else { break };
            self.write(done);
            if self
                .batch_started
                .is_some_and(|started| started.elapsed() >= SYNC_INTERVAL)
            {
                self.flush();
            }
        }
        self.flush();
        self.progress.finish();
        self.stored.exchanges.sort_by_key(|e| e.seq);
        self.stored
    }

    fn write(&mut self, done: Done) {
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
                .entry(model_key(exchange.model.as_deref()))
                .or_default()
                .extend(arrivals.windows(2).map(|w| w[1] - w[0]));
        }
        let folder = if crate::conformance::is_models_request(&exchange.request) {
            "_models".to_owned()
        } else {
            model_slug(exchange.model.as_deref())
        };
        let relative = format!("{folder}/{:06}-{}.json", done.seq, exchange.id);
        let target = self.config.run_dir.join(&relative);
        let entry = RunExchange {
            seq: done.seq,
            capture: done.origin,
            replay_of: done.replay_of,
            id: exchange.id.clone(),
            file: Some(relative),
            model: exchange.model.clone(),
            status: exchange.response.as_ref().map(|r| r.status),
            error: exchange.error.as_ref().map(|e| RunError {
                kind: e.kind,
                message: e.message.clone(),
            }),
            scheduled_ms: done.scheduled.map(capture::millis),
            late_ms: capture::millis(done.late),
            timing,
        };
        let index = self.stored.exchanges.len();
        self.stored.exchanges.push(entry);
        match self.write_temp(&exchange.to_pretty_json(), &target) {
            Ok((temp, file)) => {
                self.batch.push(Pending {
                    temp,
                    file,
                    target,
                    entry: index,
                });
                self.batch_started.get_or_insert_with(Instant::now);
            }
            Err(err) => self.lost(index, &err),
        }
        self.progress.exchange(&self.stored.exchanges[index]);
    }

    fn write_temp(&self, bytes: &[u8], target: &Path) -> io::Result<(PathBuf, File)> {
        let temp = capture::temp_path_for(target)?;
        let mut file = File::create(&temp)?;
        if let Err(err) = file.write_all(bytes) {
            let _ = fs::remove_file(&temp);
            return Err(err);
        }
        Ok((temp, file))
    }

    /// Sync the batch, rename each file into place, sync the folders.
    fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        self.batch_started = None;
        let mut folders = HashSet::new();
        for pending in batch {
            let result = pending
                .file
                .sync_data()
                .and_then(|()| fs::rename(&pending.temp, &pending.target));
            match result {
                Ok(()) => {
                    if let Some(parent) = pending.target.parent() {
                        folders.insert(parent.to_owned());
                    }
                }
                Err(err) => {
                    let _ = fs::remove_file(&pending.temp);
                    self.lost(pending.entry, &err);
                }
            }
        }
        for folder in folders {
            if let Ok(dir) = File::open(&folder) {
                let _ = dir.sync_all();
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
