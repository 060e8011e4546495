//! The capture writer: two threads beside the proxy that turn recordings into capture files.
//! The first converts (decodes, redacts, checks and serialises; a burst on every core), the
//! second writes files, so the CPU work of one batch overlaps the file work of the previous.
//!
//! Durability is batched: each capture is written to a hidden temp file at once, and at least
//! once a second (and whenever the queue runs dry, every [`MAX_BATCH`] captures, and at
//! shutdown) the batch is synced, renamed into place and the folder synced. A crash never
//! leaves half a capture, and a burst of thousands of exchanges a second costs one sync of the
//! filesystem per batch, not one per file ([`DurableBatch`], shared with `replay`). The console
//! names a capture only once it is in place; so does the manifest, which is rewritten at most
//! once per sync interval and at shutdown (it is an index that grows with the session, so
//! rewriting it at every batch made a long session slower and slower). A manifest that could
//! not be written is tried again at the next chance, so after a full or read-only disk recovers
//! it lists exactly the captures on disk.
//!
//! The queue is bounded. The proxy reserves a slot *before* forwarding a request, so when the
//! writer falls behind new requests wait rather than any capture being dropped; how much may
//! wait in memory is bounded too ([`super::queue`]).

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::console::{Console, ExchangeLine};
use super::manifest::{ManifestEntry, ManifestFile};
use super::prepare::{Conversion, Converted, PREPARED_WAITING, ReadyCapture, convert};
use crate::capture::queue::{self, Backlog, BacklogLimits, CaptureQueue};
use crate::capture::redact::Redactor;
use crate::fsio::{self, DurableBatch};

/// How the writer stores captures.
pub struct WriterConfig {
    /// `captures/<session>`.
    pub session_dir: PathBuf,
    pub session: String,
    /// Provenance source note for every capture.
    pub source: String,
    pub redactor: Redactor,
    /// Queue length (recordings in flight or waiting to be written).
    pub queue: usize,
    /// How much may wait for the writer in memory before new requests wait.
    pub backlog: BacklogLimits,
    /// Longest time a written capture waits for its sync and rename.
    pub sync_interval: Duration,
}

impl WriterConfig {
    fn conversion(&self) -> Conversion {
        Conversion::new(&self.session, &self.source, self.redactor.clone())
    }
}

/// What the writer did, for the closing summary.
#[derive(Debug, Default, Clone)]
pub struct WriterReport {
    pub written: usize,
    /// Captures that could not be written (disk full, read-only folder, …).
    pub lost: usize,
    /// Exchanges that carried a transport failure.
    pub transport_errors: usize,
    /// Exchanges per (model, request dialect).
    pub per_model: BTreeMap<(String, String), usize>,
}

/// Captures in one batch at most, so that under a steady flood captures still reach their
/// place (and the console and manifest) within a fraction of a second. The files wait closed
/// ([`DurableBatch`]); an earlier writer kept them open and ran out of file descriptors.
const MAX_BATCH: usize = 128;

/// The writer stopped with an internal error before the session ended.
#[derive(Debug, thiserror::Error)]
#[error(
    "the capture writer stopped with an internal error; requests after that point were refused (503) and captures it had not written are lost"
)]
pub struct WriterFailed;

/// The running writer.
pub struct Writer {
    handle: CaptureQueue,
    thread: JoinHandle<WriterReport>,
}

impl Writer {
    /// Start the writer thread. Reads an existing session manifest so sequence numbers continue.
    pub fn spawn(config: WriterConfig, console: Box<dyn Console>) -> io::Result<Writer> {
        fsio::create_private_dir_all(&config.session_dir)?;
        let manifest = ManifestFile::open(&config.session_dir, &config.session)?;
        let (queue, rx, taken) = queue::channel(config.queue, config.backlog);
        let conversion = config.conversion();
        let (prepared_tx, prepared_rx) = std_mpsc::sync_channel(PREPARED_WAITING);
        std::thread::Builder::new()
            .name("capture-convert".to_owned())
            .spawn(move || convert(&conversion, rx, &prepared_tx))?;
        let thread = std::thread::Builder::new()
            .name("capture-writer".to_owned())
            .spawn(move || FileStage::new(config, manifest, console).run(prepared_rx, &taken))?;
        Ok(Writer {
            handle: queue,
            thread,
        })
    }

    pub fn handle(&self) -> CaptureQueue {
        self.handle.clone()
    }

    /// Wait for every queued capture to be on disk. Every other handle must be dropped first.
    /// An error when the writer stopped early (an internal error): its counts are gone, and
    /// whatever it had not written yet is lost.
    pub fn finish(self) -> Result<WriterReport, WriterFailed> {
        drop(self.handle);
        self.thread.join().map_err(|_| WriterFailed)
    }
}

/// A capture written to its temp file in `files`, waiting for the batch sync. Its manifest
/// entry and its console line wait with it: neither may name a file before the file is in place.
struct Pending {
    entry: ManifestEntry,
    line: ExchangeLine,
}

struct FileStage {
    config: WriterConfig,
    manifest: ManifestFile,
    console: Box<dyn Console>,
    next_seq: u64,
    /// In the order written to `files`.
    batch: Vec<Pending>,
    files: DurableBatch,
    batch_started: Option<Instant>,
    report: WriterReport,
    /// Failure causes already reported (once per cause, loudly).
    reported: HashSet<String>,
    manifest_written: Instant,
    /// Bytes of recordings written since memory was last handed back.
    written_since_release: usize,
}

impl FileStage {
    fn new(config: WriterConfig, manifest: ManifestFile, console: Box<dyn Console>) -> FileStage {
        let next_seq = manifest.last_seq + 1;
        let session_dir = config.session_dir.clone();
        FileStage {
            files: DurableBatch::new(&session_dir, 1),
            config,
            manifest,
            console,
            next_seq,
            batch: Vec::new(),
            batch_started: None,
            report: WriterReport::default(),
            reported: HashSet::new(),
            manifest_written: Instant::now(),
            written_since_release: 0,
        }
    }

    /// Write what the converter hands over until it stops, then put everything on disk.
    fn run(
        mut self,
        prepared: std_mpsc::Receiver<Vec<Converted>>,
        backlog: &Backlog,
    ) -> WriterReport {
        loop {
            if self.batch.is_empty() && backlog.is_empty() {
                self.release_memory();
            }
            let next = if self.batch.is_empty() && self.manifest.is_dirty() {
                // Idle with a manifest behind the disk: wait for the next capture only until
                // the manifest is due, so a quiet session's manifest is never stale for long.
                let due = self
                    .config
                    .sync_interval
                    .saturating_sub(self.manifest_written.elapsed());
                match prepared.recv_timeout(due) {
                    Ok(next) => Some(next),
                    Err(std_mpsc::RecvTimeoutError::Timeout) => {
                        self.write_manifest();
                        continue;
                    }
                    Err(std_mpsc::RecvTimeoutError::Disconnected) => None,
                }
            } else if self.batch.is_empty() {
                prepared.recv().ok()
            } else {
                match prepared.try_recv() {
                    Ok(next) => Some(next),
                    Err(std_mpsc::TryRecvError::Empty) => {
                        self.flush();
                        continue;
                    }
                    Err(std_mpsc::TryRecvError::Disconnected) => None,
                }
            };
            let Some(next) = next else { break };
            for (held, converted) in next {
                match converted {
                    Some(prepared) => self.store(prepared),
                    // One capture that cannot be converted must not take the writer (and every
                    // later capture) down with it: count it as lost and go on.
                    None => {
                        self.report.lost += 1;
                        self.failure(
                            "a capture could not be converted (internal error); it was skipped",
                            io::ErrorKind::Other,
                        );
                    }
                }
                backlog.left(held);
                self.written_since_release += held;
            }
            if self
                .batch_started
                .is_some_and(|started| started.elapsed() >= self.config.sync_interval)
            {
                self.flush();
            }
        }
        self.flush_all();
        self.report
    }

    /// Between bursts (nothing waiting or being converted, after a megabyte or more was
    /// written): hand the memory the burst's recordings and captures took back to the system
    /// ([`crate::memory`]).
    fn release_memory(&mut self) {
        if self.written_since_release >= RELEASE_AFTER {
            self.written_since_release = 0;
            crate::memory::release();
        }
    }

    /// Everything on disk now: the batch and the manifest.
    fn flush_all(&mut self) {
        self.flush();
        self.write_manifest();
    }

    #[cfg(test)]
    fn write(&mut self, recording: &crate::capture::recording::Recording) {
        let prepared = super::prepare::prepare(&self.config.conversion(), recording);
        self.store(prepared);
    }

    /// Name a prepared capture, count it, and write it to its temp file in the batch.
    fn store(&mut self, prepared: ReadyCapture) {
        let ReadyCapture {
            mut entry,
            folder,
            json,
            mut line,
        } = prepared;
        entry.seq = self.next_seq;
        self.next_seq += 1;
        entry.file = format!("{folder}/{:06}-{}.json", entry.seq, entry.id);
        let target = self.config.session_dir.join(&entry.file);
        *self
            .report
            .per_model
            .entry((
                entry.model.clone().unwrap_or_else(|| folder.clone()),
                entry.dialect.clone().unwrap_or_else(|| "none".to_owned()),
            ))
            .or_default() += 1;
        if entry.error.is_some() {
            self.report.transport_errors += 1;
        }
        line.file = Some(target.clone());
        match self.files.write(&json, &target) {
            Ok(()) => {
                self.batch.push(Pending { entry, line });
                self.batch_started.get_or_insert_with(Instant::now);
                if self.batch.len() >= MAX_BATCH {
                    self.flush();
                }
            }
            Err(err) => {
                self.lost(&err);
                line.file = None;
                self.console.exchange(&line);
                self.console.flush();
            }
        }
    }

    /// Sync the batch, rename each file into place, sync the folders; rewrite the manifest when
    /// it is due.
    fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        self.batch_started = None;
        let results = self.files.commit();
        for (pending, result) in batch.into_iter().zip(results) {
            let mut line = pending.line;
            match result {
                Ok(()) => {
                    self.report.written += 1;
                    self.manifest.add(pending.entry);
                }
                Err(err) => {
                    self.lost(&err);
                    line.file = None;
                }
            }
            self.console.exchange(&line);
        }
        self.console.flush();
        if self.manifest_written.elapsed() >= self.config.sync_interval {
            self.write_manifest();
        }
    }

    /// On failure the entries stay pending: the next try (at the latest at shutdown) writes
    /// them, so a disk that fills up and recovers leaves a manifest that lists every capture.
    fn write_manifest(&mut self) {
        self.manifest_written = Instant::now();
        if self.manifest.is_dirty()
            && let Err(err) = self.manifest.write()
        {
            let path = self.config.session_dir.join("manifest.json");
            self.failure(
                &format!("cannot update {}: {err}", path.display()),
                err.kind(),
            );
        }
    }

    fn lost(&mut self, err: &io::Error) {
        self.report.lost += 1;
        self.failure(
            &format!(
                "cannot write a capture under {}: {err} (traffic keeps flowing; lost captures are counted in the summary)",
                self.config.session_dir.display()
            ),
            err.kind(),
        );
    }

    fn failure(&mut self, message: &str, kind: io::ErrorKind) {
        if self.reported.insert(format!("{kind:?}")) {
            self.console.warn(message);
        }
    }
}

/// Bytes of recordings written before the writer, once idle, hands freed memory back: a burst,
/// not a trickle of small exchanges (each hand-back walks the allocator's arenas).
const RELEASE_AFTER: usize = 1024 * 1024;

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::capture::recording::Recording;
    use crate::record::console::Collect;

    fn store(dir: &Path) -> (FileStage, Collect) {
        let console = Collect::default();
        let config = WriterConfig {
            session_dir: dir.to_owned(),
            session: "s".to_owned(),
            source: "test".to_owned(),
            redactor: Redactor::with_key(b"0123456789abcdef"),
            queue: 8,
            backlog: BacklogLimits::default(),
            sync_interval: Duration::from_secs(1),
        };
        let manifest = ManifestFile::open(dir, "s").unwrap();
        (
            FileStage::new(config, manifest, Box::new(console.clone())),
            console,
        )
    }

    fn recording() -> Recording {
        let mut recording = Recording::new(
            "POST".to_owned(),
            "/v1/chat/completions".to_owned(),
            "HTTP/1.1".to_owned(),
            Vec::new(),
        );
        recording.request_body = bytes::Bytes::from_static(br#"{"model":"m","messages":[]}"#);
        recording
    }

    fn listed(dir: &Path) -> Vec<String> {
        super::super::manifest::read(dir, "s")
            .unwrap()
            .exchanges
            .into_iter()
            .map(|e| e.file)
            .collect()
    }

    #[test]
    fn a_capture_lost_at_its_rename_is_neither_listed_nor_shown_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, console) = store(dir.path());
        store.write(&recording());
        store.write(&recording());
        // A folder where the first capture goes: its rename fails, the second's does not.
        let first = store.batch[0].line.file.clone().unwrap();
        fs::create_dir_all(first.join("occupied")).unwrap();
        store.flush_all();
        assert_eq!((store.report.written, store.report.lost), (1, 1));
        let files = listed(dir.path());
        assert_eq!(files.len(), 1);
        assert!(dir.path().join(&files[0]).is_file());
        let lines = console.lines.lock().unwrap();
        let shown: Vec<bool> = lines.iter().map(|l| l.file.is_some()).collect();
        assert_eq!(shown, vec![false, true], "the lost one says NOT WRITTEN");
        assert_eq!(console.warnings.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_batch_never_holds_more_than_max_batch_files_open() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = store(dir.path());
        store.config.sync_interval = Duration::from_secs(3600);
        for _ in 0..(2 * MAX_BATCH + 10) {
            store.write(&recording());
            assert!(store.batch.len() < MAX_BATCH);
        }
        assert_eq!(store.report.written, 2 * MAX_BATCH);
        store.flush_all();
        assert_eq!(listed(dir.path()).len(), 2 * MAX_BATCH + 10);
    }

    #[test]
    fn a_manifest_that_could_not_be_written_is_written_at_the_next_flush() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, console) = store(dir.path());
        let blocker = dir.path().join("manifest.json");
        fs::create_dir_all(blocker.join("occupied")).unwrap();
        store.write(&recording());
        store.flush_all();
        assert_eq!(store.report.written, 1);
        assert_eq!(console.warnings.lock().unwrap().len(), 1);
        fs::remove_dir_all(&blocker).unwrap();
        // Nothing new arrives; the flush at shutdown must still bring the manifest up to date.
        store.flush_all();
        assert_eq!(listed(dir.path()).len(), 1);
    }
}
