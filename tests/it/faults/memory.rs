//! Six endless streams through the recorder at once, as fast as loopback carries them: the
//! captures share one memory budget (`--max-capture-memory`), each keeps what fits and says
//! how much it left out, the clients get every byte, and the recorder's memory stays under the
//! budget plus 50 MB, comes back down once the streams are over, and does not grow burst after
//! burst.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{SESSION, by_marker, manifest_len, recorder_process};
use crate::support::endless::{endless_upstream, read_stream};

const STREAMS: usize = 6;
const BUDGET_MB: u64 = 16;
/// What each client reads before it hangs up: six of them carry nine times the budget.
const PER_CLIENT: usize = 24 * 1024 * 1024;

/// A field of `/proc/<pid>/status` (`VmRSS`, `RssAnon`), in MB.
fn status_mb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb / 1024)
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

fn rss_mb(pid: u32) -> u64 {
    status_mb(pid, "VmRSS")
}

/// Memory the recorder's own data takes: resident anonymous pages. VmRSS also counts the
/// pages of the executable that the first exchanges paged in (megabytes of code, in a debug
/// build), which are not data and not a leak.
fn data_mb(pid: u32) -> u64 {
    status_mb(pid, "RssAnon")
}

/// One burst: six streams read `PER_CLIENT` bytes each and hang up; waits until the session
/// lists `captures_after` captures. Returns (bytes carried, peak VmRSS MB, how long).
async fn burst(
    addr: std::net::SocketAddr,
    pid: u32,
    session: &std::path::Path,
    first: usize,
) -> (usize, u64, Duration) {
    let started = Instant::now();
    let clients: Vec<_> = (first..first + STREAMS)
        .map(|i| tokio::spawn(read_stream(addr, format!("endless-{i}"), PER_CLIENT)))
        .collect();
    let mut peak = 0;
    while !clients.iter().all(|c| c.is_finished()) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the streams took too long"
        );
        peak = peak.max(rss_mb(pid));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut carried = 0;
    for client in clients {
        carried += client.await.unwrap();
    }
    let streamed = started.elapsed();
    // The recorder writes the six captures once their clients are gone; memory is measured
    // through that too.
    let written = Instant::now();
    while manifest_len(session) < first + STREAMS {
        assert!(
            written.elapsed() < Duration::from_secs(120),
            "the captures were not written"
        );
        peak = peak.max(rss_mb(pid));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    (carried, peak, streamed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_endless_streams_stay_within_the_capture_memory_budget() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("SKIPPED: no /proc to read the recorder's memory from");
        return;
    }
    let (upstream, stop_upstream) = endless_upstream().await;
    let captures = tempfile::tempdir().unwrap();
    let budget = (BUDGET_MB * 1024 * 1024).to_string();
    let mut server = recorder_process(
        &format!("http://{upstream}"),
        captures.path(),
        &["--max-capture-memory", &budget],
    );
    let pid = server.pid();
    let session = captures.path().join(SESSION);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (start, start_data) = (rss_mb(pid), data_mb(pid));
    let (carried, peak, streamed) = burst(server.addr, pid, &session, 0).await;
    let (settled, settled_data) = (rss_mb(pid), data_mb(pid));
    // The same again: what stayed after the first burst is reused, not added to.
    let (_, peak_again, _) = burst(server.addr, pid, &session, STREAMS).await;
    let (again, again_data) = (rss_mb(pid), data_mb(pid));
    eprintln!(
        "{STREAMS} endless streams, {} MB carried in {streamed:.1?}; budget {BUDGET_MB} MB; \
         RSS (data): start {start} ({start_data}) MB, peak {peak} MB, settled {settled} \
         ({settled_data}) MB; second burst: peak {peak_again} MB, settled {again} ({again_data}) MB",
        carried >> 20
    );
    stop_upstream.store(true, Ordering::Relaxed);
    assert_eq!(server.stop(), Some(0), "{}", server.stderr_text());
    for peak in [peak, peak_again] {
        assert!(
            peak <= start + BUDGET_MB + 50,
            "peak RSS {peak} MB is more than the budget ({BUDGET_MB} MB) plus 50 MB over the start ({start} MB)"
        );
    }
    // What stays after a burst is the allocator's and the regular expressions' warmed caches
    // (bounded, and noisy under load); what the burst took beyond them is given back, and a
    // second burst leaves less than a budget more than the first: a leak of its recordings and
    // their converted captures would be twice that.
    assert!(
        settled < peak && again < peak_again,
        "memory did not come back down after a burst: peak {peak} MB, then {settled} MB"
    );
    assert!(
        again_data <= settled_data + BUDGET_MB,
        "a second burst left more behind: {again_data} MB of data after it, {settled_data} MB after the first"
    );
    let found = by_marker(&session);
    let mut kept_total = 0;
    for i in 0..2 * STREAMS {
        let marker = format!("endless-{i}");
        let exchange = &found[&marker][0];
        let response = exchange.response.as_ref().expect("a response head");
        let kept = response.stream_bytes().unwrap().len();
        kept_total += kept;
        let omitted = response
            .omitted
            .as_ref()
            .expect("the capture says it was cut");
        assert!(omitted.bytes > 0, "{marker}: {omitted:?}");
        assert!(
            omitted.reason.contains("--max-capture-memory"),
            "{marker}: {}",
            omitted.reason
        );
        assert!(
            kept as u64 + omitted.bytes >= PER_CLIENT as u64 - 512 * 1024,
            "{marker}: kept {kept} + left out {} is less than the client read",
            omitted.bytes
        );
    }
    assert!(
        (kept_total as u64) <= 2 * BUDGET_MB * 1024 * 1024,
        "the captures kept {kept_total} bytes, more than the budget"
    );
}
