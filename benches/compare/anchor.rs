//! The limits `record` is measured against, on the same machine and disk in the same run:
//!
//! - the file system's own rate for the capture writer's file work: the same number of files,
//!   of the same sizes, written the way the writer writes them (a hidden owner-only temp file
//!   created and written, one `syncfs` per batch of [`BATCH`], each renamed into place, the
//!   folder synced), with no proxy, no conversion and no JSON;
//! - the conversion alone (decode, redact, check, serialise: the writer's CPU stage) over the
//!   recordings the load sent, with no file and no proxy.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use cursor_harness::capture::recording::{Recording, ResponseHead};
use cursor_harness::capture::redact::Redactor;
use cursor_harness::record::prepare::{Conversion, prepare};
use rayon::prelude::*;

/// The capture writer's largest batch (`MAX_BATCH` in `src/record/writer.rs`): the anchor is
/// the fastest the writer's own file pattern can go.
pub const BATCH: usize = 128;

/// Sizes of the capture files `record` wrote under `dir` that are not in `seen` (which then
/// holds them too): what one load run produced.
pub fn new_capture_sizes(dir: &Path, seen: &mut std::collections::HashSet<PathBuf>) -> Vec<u64> {
    let mut sizes = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else if name.ends_with(".json")
                && !name.starts_with('.')
                && name != "manifest.json"
                && seen.insert(path)
            {
                sizes.push(meta.len());
            }
        }
    }
    sizes
}

/// Sizes of every capture file under `dir`.
pub fn capture_sizes(dir: &Path) -> Vec<u64> {
    new_capture_sizes(dir, &mut std::collections::HashSet::new())
}

/// Wait until the recorder has put every capture of a load run in place: the count of files
/// under `dir` stops changing (the writer renames within a second of a write).
pub fn wait_until_written(dir: &Path) {
    let count = || capture_sizes(dir).len();
    let mut last = count();
    loop {
        std::thread::sleep(Duration::from_millis(1200));
        let now = count();
        if now == last {
            return;
        }
        last = now;
    }
}

/// Where the temp files of a batch are created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// In the hidden staging folder of the session, as the capture writer does
    /// (`cursor_harness::fsio::STAGING`): one lookup and one insertion in the large capture
    /// folder per file.
    Staged,
    /// Beside their targets, as the writer did before: each file also creates and removes a
    /// temp name in the large capture folder.
    Beside,
}

/// Where the anchor's time went.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnchorTime {
    pub total: Duration,
    /// Creating and writing the temp files.
    pub write: Duration,
    /// `syncfs`, once per batch.
    pub sync: Duration,
    /// Renames into place and the folder syncs.
    pub rename: Duration,
}

/// Write one file per size in `sizes` under `root` the way the capture writer does, in batches
/// of [`BATCH`], temp files laid out as `layout` says; the time it took. The files stay (see
/// `load::load_section` for why).
pub fn write_like_the_writer(root: &Path, sizes: &[u64], layout: Layout) -> AnchorTime {
    let session = root.join("anchor");
    let folder = session.join("plainmodel-x");
    let staging = match layout {
        Layout::Staged => session.join(cursor_harness::fsio::STAGING),
        Layout::Beside => folder.clone(),
    };
    create_private_dir_all(&folder);
    create_private_dir_all(&staging);
    let largest = sizes.iter().copied().max().unwrap_or(0) as usize;
    let content: Vec<u8> = b"{\"format\": \"cursor-harness/capture\", \"padding\": \""
        .iter()
        .copied()
        .chain(std::iter::repeat_n(b'x', largest))
        .take(largest)
        .collect();
    let pid = std::process::id();
    let mut time = AnchorTime::default();
    let started = Instant::now();
    let mut pending: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(BATCH);
    for (seq, size) in sizes.iter().enumerate() {
        let phase = Instant::now();
        let name = format!("{:06}-{}.json", seq + 1, uuid::Uuid::now_v7());
        let target = folder.join(&name);
        let temp = staging.join(format!(".{name}.{pid}.{seq}.tmp"));
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .expect("create a temp file");
        file.write_all(&content[..*size as usize])
            .expect("write a file");
        drop(file);
        pending.push((temp, target));
        time.write += phase.elapsed();
        if pending.len() == BATCH {
            commit(&session, &folder, &mut pending, &mut time);
        }
    }
    commit(&session, &folder, &mut pending, &mut time);
    time.total = started.elapsed();
    time
}

fn commit(
    session: &Path,
    folder: &Path,
    pending: &mut Vec<(PathBuf, PathBuf)>,
    time: &mut AnchorTime,
) {
    if pending.is_empty() {
        return;
    }
    let phase = Instant::now();
    let dir = fs::File::open(session).expect("open the session folder");
    rustix::fs::syncfs(&dir).expect("syncfs");
    time.sync += phase.elapsed();
    let phase = Instant::now();
    for (temp, target) in pending.drain(..) {
        fs::rename(temp, target).expect("rename into place");
    }
    fs::File::open(folder)
        .and_then(|dir| dir.sync_all())
        .expect("sync the folder");
    time.rename += phase.elapsed();
}

fn create_private_dir_all(dir: &Path) {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).expect("create the anchor's folder");
}

/// A recording like the ones the load sends through `record`: the request `body`, and `answer`
/// as the upstream's JSON completion.
pub fn recording(body: &Bytes, answer: &'static [u8]) -> Recording {
    let mut recording = Recording::new(
        "POST".to_owned(),
        "/v1/chat/completions".to_owned(),
        "HTTP/1.1".to_owned(),
        vec![
            ("host".to_owned(), "127.0.0.1".to_owned()),
            ("content-type".to_owned(), "application/json".to_owned()),
            ("content-length".to_owned(), body.len().to_string()),
        ],
    );
    recording.request_body = body.clone();
    recording.upstream = Some("http://127.0.0.1/v1".to_owned());
    recording.response = Some(ResponseHead {
        status: 200,
        http_version: "HTTP/1.1".to_owned(),
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("content-length".to_owned(), answer.len().to_string()),
        ],
        at: Duration::from_micros(300),
    });
    recording
        .chunks
        .push((Duration::from_micros(320), Bytes::from_static(answer)));
    recording.ended = Some(Duration::from_micros(330));
    recording
}

/// The writer's conversion stage alone over `count` copies of `recording`, on `threads`
/// threads (the stage converts a burst on every core): captures per second.
pub fn conversion_rate(recording: &Recording, count: usize, threads: usize) -> f64 {
    let conversion = Conversion::new(
        "bench",
        "cursor-harness bench",
        Redactor::with_key(b"0123456789abcdef0123456789abcdef"),
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let started = Instant::now();
    let bytes: usize = pool.install(|| {
        (0..count)
            .into_par_iter()
            .map(|_| prepare(&conversion, recording).json_len())
            .sum()
    });
    assert!(bytes > 0);
    count as f64 / started.elapsed().as_secs_f64()
}

/// The whole capture writer (conversion and files, its two threads) over `count` recordings
/// like `recording`'s handed to it in memory, captures written under `dir`: captures per
/// second, from the first hand-over to the last capture in place.
pub fn writer_rate(body: &Bytes, count: usize, dir: &Path) -> f64 {
    use cursor_harness::capture::queue::BacklogLimits;
    use cursor_harness::record::console::Collect;
    use cursor_harness::record::{Writer, WriterConfig};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let config = WriterConfig {
        session_dir: dir.join("bench"),
        session: "bench".to_owned(),
        source: "cursor-harness bench".to_owned(),
        redactor: Redactor::with_key(b"0123456789abcdef0123456789abcdef"),
        queue: 1024,
        backlog: BacklogLimits::default(),
        sync_interval: Duration::from_secs(1),
    };
    let recordings: Vec<Recording> = (0..count)
        .map(|_| recording(body, crate::common::COMPLETION))
        .collect();
    let writer = Writer::spawn(config, Box::new(Collect::default())).unwrap();
    let handle = writer.handle();
    let started = Instant::now();
    runtime.block_on(async {
        for recording in recordings {
            handle.reserve().await.unwrap().send(Box::new(recording));
        }
    });
    drop(handle);
    let report = writer.finish().unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.written, count);
    count as f64 / elapsed.as_secs_f64()
}
