//! Throughput under load (oha, 64 connections): direct, through `record`, through mitmdump;
//! and, for `record`, its limits measured back to back with each load run on the same disk:
//! the file system's own rate for the same files ([`anchor::write_like_the_writer`]), the
//! capture writer alone (recordings handed to it in memory, no proxy), and its conversion
//! alone (no file).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::{Value, json};

use super::{Options, anchor, stop, targets};
use crate::common::*;

/// Load runs per path, and per stage of the recorder's limits.
const RUNS: usize = 3;
/// Load runs of `record`, each paired with the file system's rate measured right after it: the
/// ratio moves with the neighbours' load, so it gets more pairs.
const RECORD_RUNS: usize = 5;

pub fn load_section(upstream: &Upstream, options: &Options) -> Value {
    let Some(oha) = oha() else {
        println!("\n== load: oha not installed (cargo install oha, or bench/run.sh); skipping");
        return json!({"skipped": "oha not installed"});
    };
    let small = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(small.path(), SMALL_BODY).unwrap();
    let large = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(large.path(), large_body()).unwrap();
    let mut out = BTreeMap::new();
    // Every file written here stays until the section is over: ext4 without a journal skips
    // inodes freed in the last minute when it allocates new ones, so removing one run's files
    // slows the file creation of the next runs (by three times, measured) and would be
    // measured with them.
    let mut keep = Vec::new();
    for (label, body) in [("small", small.path()), ("100KB", large.path())] {
        println!(
            "\n== load: {label} requests, 64 connections, {} s × {RUNS} repetitions ({RECORD_RUNS} through record) (oha); load average {}",
            options.seconds,
            load_average()
        );
        let list = targets(upstream, false);
        let mut rows = BTreeMap::new();
        let mut direct_rps = None;
        for (name, _, port, dir) in &list {
            let url = format!("http://127.0.0.1:{port}/v1/chat/completions");
            let mut seen = HashSet::new();
            let mut anchors = Vec::new();
            let repeat = if name == "record" { RECORD_RUNS } else { RUNS };
            let runs: Vec<Load> = (0..repeat)
                .filter_map(|_| {
                    let load = run_oha(&oha, &url, body, 64, options.seconds)?;
                    if name == "record" {
                        anchors.push(anchor_after(dir.path(), &mut seen, &load, &mut keep));
                    }
                    Some(load)
                })
                .collect();
            if runs.is_empty() {
                println!("  {name:<16} oha failed");
                continue;
            }
            let (rps, rps_min, rps_max) =
                stats(&mut runs.iter().map(|r| r.rps).collect::<Vec<_>>());
            let (p50, ..) = stats(&mut runs.iter().map(|r| r.p50_ms).collect::<Vec<_>>());
            let (p99, ..) = stats(&mut runs.iter().map(|r| r.p99_ms).collect::<Vec<_>>());
            let success = runs.iter().map(|r| r.success).fold(1.0, f64::min);
            let ratio = direct_rps.map_or(1.0, |d: f64| rps / d);
            direct_rps.get_or_insert(rps);
            println!(
                "  {name:<16} {rps:>9.0} req/s (min {rps_min:.0}, max {rps_max:.0}) {:>5.1}% of direct | p50 {p50:>7.2} ms p99 {p99:>7.2} ms | success {:.1}%",
                ratio * 100.0,
                success * 100.0
            );
            let mut row = json!({"rps": rps, "rps_min": rps_min, "rps_max": rps_max, "of_direct": ratio, "p50_ms": p50, "p99_ms": p99, "success": success});
            if !anchors.is_empty() {
                row["anchor"] = anchor_summary(&anchors);
            }
            rows.insert(name.clone(), row);
        }
        if let (Some(record), Some(mitm)) = (rows.get("record"), rows.get("mitmdump")) {
            let times = record["rps"].as_f64().unwrap() / mitm["rps"].as_f64().unwrap();
            println!("  record / mitmdump = {times:.1}×");
        }
        keep.extend(stop(list));
        if rows.contains_key("record") {
            rows.insert("limits".to_owned(), limits(body, &mut keep));
        }
        out.insert(label, json!(rows));
    }
    drop(keep);
    json!(out)
}

pub const SMALL_BODY: &[u8] =
    br#"{"model":"plainmodel-x","messages":[{"role":"user","content":"hi"}]}"#;

pub fn large_body() -> Vec<u8> {
    let filler = "x".repeat(100 * 1024);
    serde_json::to_vec(
        &json!({"model": "plainmodel-x", "messages": [{"role": "user", "content": filler}]}),
    )
    .unwrap()
}

/// One load run of `record` against the file system's own rate: once the run's captures are
/// in place, the same number of files of the same sizes are written the writer's way (temp
/// files staged), and the way it wrote them before (temp files beside their targets).
struct AnchorRun {
    record_rps: f64,
    files: usize,
    mean_bytes: f64,
    staged: anchor::AnchorTime,
    /// Small files only: the layout is about directory work, which large files dwarf.
    beside: Option<anchor::AnchorTime>,
}

impl AnchorRun {
    fn rate(&self, time: &anchor::AnchorTime) -> f64 {
        self.files as f64 / time.total.as_secs_f64()
    }
}

fn anchor_after(
    dir: &Path,
    seen: &mut HashSet<std::path::PathBuf>,
    load: &Load,
    keep: &mut Vec<tempfile::TempDir>,
) -> AnchorRun {
    anchor::wait_until_written(dir);
    let sizes = anchor::new_capture_sizes(dir, seen);
    let parent = dir.parent().unwrap_or(Path::new("."));
    let scratch = tempfile::tempdir_in(parent).unwrap();
    let staged = anchor::write_like_the_writer(
        &scratch.path().join("staged"),
        &sizes,
        anchor::Layout::Staged,
    );
    let mean_bytes = sizes.iter().sum::<u64>() as f64 / sizes.len().max(1) as f64;
    let beside = (mean_bytes < 16_384.0).then(|| {
        anchor::write_like_the_writer(
            &scratch.path().join("beside"),
            &sizes,
            anchor::Layout::Beside,
        )
    });
    keep.push(scratch);
    let run = AnchorRun {
        record_rps: load.rps,
        files: sizes.len(),
        mean_bytes,
        staged,
        beside,
    };
    let share = |time: &anchor::AnchorTime| {
        let total = time.total.as_secs_f64();
        format!(
            "write {:.0}% sync {:.0}% rename {:.0}%",
            100.0 * time.write.as_secs_f64() / total,
            100.0 * time.sync.as_secs_f64() / total,
            100.0 * time.rename.as_secs_f64() / total
        )
    };
    let beside = run.beside.as_ref().map_or(String::new(), |time| {
        format!(
            ", temp files beside {:>7.0} files/s ({})",
            run.rate(time),
            share(time)
        )
    });
    println!(
        "    record {:>7.0} req/s | {} files of {:.0} B, batches of {}: anchor {:>7.0} files/s ({}){beside} | record / anchor {:>5.1}% | load average {}",
        run.record_rps,
        run.files,
        run.mean_bytes,
        anchor::BATCH,
        run.rate(&run.staged),
        share(&run.staged),
        100.0 * run.record_rps / run.rate(&run.staged),
        load_average()
    );
    run
}

fn anchor_summary(runs: &[AnchorRun]) -> Value {
    let (anchor, anchor_min, anchor_max) =
        stats(&mut runs.iter().map(|r| r.rate(&r.staged)).collect::<Vec<_>>());
    let mut beside: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.beside.as_ref().map(|time| r.rate(time)))
        .collect();
    let beside = (!beside.is_empty()).then(|| stats(&mut beside));
    let (ratio, ratio_min, ratio_max) = stats(
        &mut runs
            .iter()
            .map(|r| r.record_rps / r.rate(&r.staged))
            .collect::<Vec<_>>(),
    );
    let phases = |time: &anchor::AnchorTime| {
        json!({"total_s": time.total.as_secs_f64(), "write_s": time.write.as_secs_f64(),
               "sync_s": time.sync.as_secs_f64(), "rename_s": time.rename.as_secs_f64()})
    };
    json!({
        "files_per_s": anchor, "files_per_s_min": anchor_min, "files_per_s_max": anchor_max,
        "beside_files_per_s": beside.map(|b| b.0), "beside_files_per_s_min": beside.map(|b| b.1), "beside_files_per_s_max": beside.map(|b| b.2),
        "record_of_anchor": ratio, "record_of_anchor_min": ratio_min, "record_of_anchor_max": ratio_max,
        "batch": anchor::BATCH,
        "runs": runs.iter().map(|r| json!({"record_rps": r.record_rps, "files": r.files, "mean_bytes": r.mean_bytes,
            "staged": phases(&r.staged), "beside": r.beside.as_ref().map(phases)})).collect::<Vec<_>>(),
    })
}

/// The recorder's two stages without the proxy, over recordings like those the load sent: the
/// conversion alone (one thread, and every core), and the whole capture writer (conversion and
/// files) against the file system's own rate for the files it wrote, back to back.
pub fn limits(body: &Path, keep: &mut Vec<tempfile::TempDir>) -> Value {
    let body = bytes::Bytes::from(std::fs::read(body).unwrap());
    let recording = anchor::recording(&body, COMPLETION);
    let count = if body.len() > 10_000 { 2_000 } else { 10_000 };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut one, mut all, mut writer, mut files, mut ratio) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        one.push(anchor::conversion_rate(&recording, count, 1));
        all.push(anchor::conversion_rate(&recording, count, cores));
        let dir = tempfile::tempdir().unwrap();
        let rate = anchor::writer_rate(&body, count, dir.path());
        let sizes = anchor::capture_sizes(dir.path());
        let scratch = tempfile::tempdir().unwrap();
        let time = anchor::write_like_the_writer(scratch.path(), &sizes, anchor::Layout::Staged);
        let anchor_rate = sizes.len() as f64 / time.total.as_secs_f64();
        println!(
            "    capture writer alone {rate:>7.0} captures/s | file-system anchor for its {} files {anchor_rate:>7.0} files/s | writer / anchor {:>5.1}% | load average {}",
            sizes.len(),
            100.0 * rate / anchor_rate,
            load_average()
        );
        writer.push(rate);
        files.push(anchor_rate);
        ratio.push(rate / anchor_rate);
        keep.push(dir);
        keep.push(scratch);
    }
    let (one, one_min, one_max) = stats(&mut one);
    let (all, all_min, all_max) = stats(&mut all);
    let (writer, writer_min, writer_max) = stats(&mut writer);
    let (files, files_min, files_max) = stats(&mut files);
    let (ratio, ratio_min, ratio_max) = stats(&mut ratio);
    println!(
        "  conversion alone (decode, redact, check, serialise): {one:>7.0} captures/s on 1 core ({one_min:.0}–{one_max:.0}), {all:>7.0} on {cores} ({all_min:.0}–{all_max:.0}) | capture writer alone: {writer:>7.0} captures/s ({writer_min:.0}–{writer_max:.0}), {:.0}% of the anchor ({:.0}–{:.0}%)",
        100.0 * ratio,
        100.0 * ratio_min,
        100.0 * ratio_max
    );
    json!({
        "captures": count,
        "conversion_1_core": one, "conversion_1_core_min": one_min, "conversion_1_core_max": one_max,
        "conversion_all_cores": all, "conversion_all_cores_min": all_min, "conversion_all_cores_max": all_max,
        "writer_alone": writer, "writer_alone_min": writer_min, "writer_alone_max": writer_max,
        "anchor_files_per_s": files, "anchor_files_per_s_min": files_min, "anchor_files_per_s_max": files_max,
        "writer_of_anchor": ratio, "writer_of_anchor_min": ratio_min, "writer_of_anchor_max": ratio_max,
    })
}

/// The 1-minute load average, for the record: neighbours' load moves every figure here.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}
