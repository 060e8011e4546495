//! The capture writer's first stage: recordings become capture files' bytes (decoded, redacted,
//! checked and serialised), on every core when a burst waits, while the file stage (in the
//! private `writer` module) writes the previous ones. Public so the benchmarks can time this
//! stage alone.

use std::sync::mpsc as std_mpsc;

use rayon::prelude::*;
use tokio::sync::mpsc;

use super::console::ExchangeLine;
use super::manifest::ManifestEntry;
use crate::capture::convert::to_exchange;
use crate::capture::layout;
use crate::capture::recording::Recording;
use crate::capture::redact::Redactor;
use crate::check::check_exchange;
use crate::conformance::Profile;

/// Recordings converted together at most (by count and by bytes), so a burst is spread over
/// every core while the copies conversion makes (decoded, parsed, serialised) stay small.
const PREPARE_AT_ONCE: usize = 32;
/// Recordings at least this large are converted one at a time.
const LARGE_RECORDING: usize = 1024 * 1024;
const PREPARE_BYTES: usize = 8 * 1024 * 1024;

/// Batches of converted captures (each at most [`PREPARE_AT_ONCE`]) that may wait for the file
/// writer (their bytes still count in the backlog until they are written).
pub(super) const PREPARED_WAITING: usize = 1;

/// What converting a recording needs, apart from the writer.
#[derive(Clone)]
pub struct Conversion {
    session: String,
    source: String,
    redactor: Redactor,
}

impl Conversion {
    /// Captures of `session`, their provenance note `source`, scrubbed by `redactor`.
    pub fn new(session: &str, source: &str, redactor: Redactor) -> Conversion {
        Conversion {
            session: session.to_owned(),
            source: source.to_owned(),
            redactor,
        }
    }
}

/// The first stage: take recordings off the queue and convert them (on every core when several
/// wait) while the writer stage is busy with the files of the previous ones. Ends when the
/// queue closes; dropping `prepared` then ends the writer.
pub(super) fn convert(
    conversion: &Conversion,
    mut rx: mpsc::Receiver<Box<Recording>>,
    prepared: &std_mpsc::SyncSender<Vec<Converted>>,
) {
    while let Some(first) = rx.blocking_recv() {
        let mut held = first.held_bytes();
        let mut recordings = vec![first];
        while recordings.len() < PREPARE_AT_ONCE && held < PREPARE_BYTES {
            match rx.try_recv() {
                Ok(recording) => {
                    held += recording.held_bytes();
                    recordings.push(recording);
                }
                Err(_) => break,
            }
        }
        // Converting makes several copies of a body (decoded, scrubbed, serialised): large
        // recordings go one at a time, each dropped and handed over as soon as it is
        // converted, so a burst of big streams ending together does not convert them all at
        // once. A burst of small ones goes over as one batch: one wake-up of the file stage.
        if recordings.len() == 1 || recordings.iter().any(|r| r.held_bytes() >= LARGE_RECORDING) {
            for recording in recordings {
                let converted = prepare_caught(conversion, &recording);
                drop(recording);
                if prepared.send(vec![converted]).is_err() {
                    return;
                }
            }
        } else {
            let converted = recordings
                .par_iter()
                .map(|recording| prepare_caught(conversion, recording))
                .collect();
            drop(recordings);
            if prepared.send(converted).is_err() {
                return;
            }
        }
    }
}

/// A converted recording (`None` when converting it panicked) and the bytes the recording held
/// in the backlog, which stay counted there until the writer is done with it: a converted
/// capture takes about as much memory as its recording did.
pub(super) type Converted = (usize, Option<ReadyCapture>);

/// A capture ready to be written: everything but its sequence number and file name, which
/// follow the order of writing.
pub struct ReadyCapture {
    /// With `seq` and `file` still to fill.
    pub(super) entry: ManifestEntry,
    pub(super) folder: String,
    pub(super) json: Vec<u8>,
    /// With `file` still to fill.
    pub(super) line: ExchangeLine,
}

impl ReadyCapture {
    /// Bytes of the capture file.
    pub fn json_len(&self) -> usize {
        self.json.len()
    }
}

/// [`prepare`], with a panic caught: `None` then (an internal error, counted as lost by the
/// writer).
fn prepare_caught(conversion: &Conversion, recording: &Recording) -> Converted {
    let prepared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prepare(conversion, recording)
    }))
    .ok();
    (recording.held_bytes(), prepared)
}

/// The CPU work of a capture, apart from the writer's state: convert (decode, redact), check,
/// serialise.
pub fn prepare(conversion: &Conversion, recording: &Recording) -> ReadyCapture {
    let exchange = to_exchange(
        recording,
        &conversion.session,
        &conversion.source,
        &conversion.redactor,
    );
    let folder = layout::folder_for(&exchange);
    let checked = check_exchange(&exchange, String::new(), Profile::Strict);
    let dialect = checked
        .request
        .as_ref()
        .map(|r| r.dialect.as_str().to_owned());
    let entry = ManifestEntry {
        seq: 0,
        id: exchange.id.clone(),
        file: String::new(),
        model: exchange.model.clone(),
        dialect,
        status: exchange.response.as_ref().map(|r| r.status),
        error: exchange.error.as_ref().map(|e| e.kind.as_str().to_owned()),
        recorded_at: exchange.recorded_at.clone(),
    };
    let line = ExchangeLine::new(recording, &exchange, &checked, None);
    ReadyCapture {
        entry,
        folder,
        json: exchange.to_pretty_json(),
        line,
    }
}
