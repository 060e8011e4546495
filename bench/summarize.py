#!/usr/bin/env python3
"""Render bench/results/*.json (and criterion's estimates) as the Markdown table BENCHMARKS.md
is updated from. Usage: summarize.py RESULTS_DIR CRITERION_DIR > summary.md"""
import json
import os
import sys

results, criterion = sys.argv[1], sys.argv[2]


def load(name):
    try:
        with open(os.path.join(results, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def fmt(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


out = []
compare = load("compare.json")
if compare:
    machine = compare.get("machine", {})
    out.append(f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, {machine.get('os', '?')}.\n")
    stream = compare["results"].get("stream", {})
    out.append("### Streaming fidelity (200 SSE chunks 5 ms apart)\n")
    out.append("| path | TTFB ms | added TTFB ms | TTFT ms | added TTFT ms | coalesced chunks | total ms | first byte alone p50 ms | added, paired median ms |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for name, row in stream.items():
        out.append(f"| {name} | {fmt(row['ttfb_ms'], 3)} | {fmt(row['added_ttfb_ms'], 3)} | {fmt(row['ttft_ms'], 3)} | "
                   f"{fmt(row['added_ttft_ms'], 3)} | {row['max_coalesced']} | {fmt(row['total_ms'])} | "
                   f"{fmt(row.get('first_byte_p50_ms'), 3)} | {fmt(row.get('first_byte_added_ms'), 3)} |")
    load_rows = compare["results"].get("load", {})
    if isinstance(load_rows, dict) and "skipped" not in load_rows:
        out.append("\n### Throughput and latency under load (64 connections, oha)\n")
        out.append("| body | path | req/s (min–max) | % of direct | p50 ms | p99 ms |")
        out.append("|---|---|---|---|---|---|")
        for body, rows in load_rows.items():
            for name, row in rows.items():
                if name == "limits":
                    continue
                out.append(f"| {body} | {name} | {fmt(row['rps'], 0)} ({fmt(row['rps_min'], 0)}–{fmt(row['rps_max'], 0)}) | "
                           f"{fmt(100 * row['of_direct'], 0)}% | {fmt(row['p50_ms'], 2)} | {fmt(row['p99_ms'], 2)} |")
            if "record" in rows and "mitmdump" in rows:
                out.append(f"| {body} | record / mitmdump | {rows['record']['rps'] / rows['mitmdump']['rps']:.1f}× | | | |")
        out.append("\n### record against the file system's own rate (same run)\n")
        out.append("| body | record req/s | anchor files/s (min–max) | record / anchor (min–max) | temp files beside their targets, files/s | writer alone captures/s | writer alone / its anchor | conversion alone, 1 core / 2 cores |")
        out.append("|---|---|---|---|---|---|---|---|")
        for body, rows in load_rows.items():
            anchor = rows.get("record", {}).get("anchor")
            limits = rows.get("limits")
            if not anchor:
                continue
            line = (f"| {body} | {fmt(rows['record']['rps'], 0)} | {fmt(anchor['files_per_s'], 0)} ({fmt(anchor['files_per_s_min'], 0)}–{fmt(anchor['files_per_s_max'], 0)}) | "
                    f"**{fmt(100 * anchor['record_of_anchor'], 0)}%** ({fmt(100 * anchor['record_of_anchor_min'], 0)}–{fmt(100 * anchor['record_of_anchor_max'], 0)}%) | "
                    f"{fmt(anchor.get('beside_files_per_s'), 0)} |")
            if limits:
                line += (f" {fmt(limits['writer_alone'], 0)} ({fmt(limits['writer_alone_min'], 0)}–{fmt(limits['writer_alone_max'], 0)}) | "
                         f"{fmt(100 * limits['writer_of_anchor'], 0)}% | {fmt(limits['conversion_1_core'], 0)} / {fmt(limits['conversion_all_cores'], 0)} |")
            else:
                line += " | | |"
            out.append(line)
    memory = compare["results"].get("memory", {})
    if memory:
        out.append("\n### Memory: 32 concurrent 2 MB requests\n")
        out.append("| proxy | peak RSS MB | settled RSS MB | RSS at start MB |")
        out.append("|---|---|---|---|")
        for name, row in memory.get("large_requests", {}).items():
            out.append(f"| {name} | {fmt(row['peak_rss_mb'])} | {fmt(row.get('settled_rss_mb'))} | {fmt(row['start_rss_mb'])} |")
        endless = memory.get("endless_streams", {})
        if endless:
            out.append("\n### Memory: six endless streams through record under the global capture budget\n")
            out.append("| budget MB | carried MB | peak RSS MB | settled RSS MB | RSS at start MB | kept in captures MB |")
            out.append("|---|---|---|---|---|---|")
            for name, row in endless.items():
                out.append(f"| {row['budget_mb']} | {row['carried_mb']} | {fmt(row['peak_rss_mb'])} | {fmt(row['settled_rss_mb'])} | {fmt(row['start_rss_mb'])} | {fmt(row['captures_mb'])} |")

check = load("check.json")
pinned = load("check-1core.json")
if check:
    out.append("\n### check vs parsing the same files with serde_json alone\n")
    out.append("| cores | parse-only files/s | parse-only MB/s | load files/s | check files/s | check MB/s | check / parse |")
    out.append("|---|---|---|---|---|---|---|")
    rows = [("1 (taskset -c 0)", r) for r in (pinned or {}).get("results", [])]
    rows += [(str(r["threads"]) + (" (not pinned)" if r["threads"] == 1 else ""), r) for r in check["results"]]
    for label, row in rows:
        out.append(f"| {label} | {fmt(row['parse_only_files_per_s'], 0)} | {fmt(row['parse_only_mb_per_s'])} | {fmt(row.get('load_files_per_s'), 0)} | "
                   f"{fmt(row['check_files_per_s'], 0)} | {fmt(row['check_mb_per_s'])} | {fmt(100 * row['check_vs_parse'], 0)}% |")

replay = load("replay.json")
if replay:
    out.append("\n### replay vs oha against the embedded gateway (concurrency 64)\n")
    out.append("| replay req/s | oha req/s | replay / oha | --pace original late p50 / p99 / max ms |")
    out.append("|---|---|---|---|")
    pace = replay.get("pace_original", {})
    ratio = replay.get("replay_vs_oha")
    out.append(f"| {fmt(replay.get('replay_rps'), 0)} | {fmt(replay.get('oha_rps'), 0)} | {fmt(None if ratio is None else 100 * ratio, 0)}% | "
               f"{fmt(pace.get('late_p50_ms'), 3)} / {fmt(pace.get('late_p99_ms'), 3)} / {fmt(pace.get('late_max_ms'), 3)} |")

connections = (replay or {}).get("connections")
if connections:
    out.append("\n### replay: opening connections, apart from time to first byte (64 connections)\n")
    out.append("| target | connections opened | connect p50 ms | TLS handshake p50 ms | connect+TLS mean ms | oha DNS+dialup mean ms | TTFB p50 on an open connection ms | TTFB p50 on a new one ms |")
    out.append("|---|---|---|---|---|---|---|---|")
    for name, pair in connections.items():
        if not pair:
            continue
        ours, theirs = pair["replay"], pair.get("oha") or {}
        out.append(f"| {name} | {ours['opened']} | {fmt(ours['connect_ms']['p50'], 3)} | {fmt(ours['tls_ms']['p50'], 3)} | {fmt(ours.get('setup_mean_ms'), 3)} | "
                   f"{fmt(theirs.get('dns_dialup_mean_ms'), 3)} | {fmt(ours['ttfb_warm_ms']['p50'], 3)} | {fmt(ours['ttfb_cold_ms']['p50'], 3)} |")

tls = load("tls_handshakes.json")
if tls:
    h, t = tls["handshakes_per_s"], tls["ttfb_ms"]
    out.append("\n### record --forward: TLS handshakes and added time to first byte\n")
    out.append("| direct handshakes/s | MITM warm | MITM cold | added TTFB, new connection ms | added TTFB, open connection ms |")
    out.append("|---|---|---|---|---|")
    out.append(f"| {fmt(h['direct'], 0)} | {fmt(h['mitm_warm'], 0)} | {fmt(h['mitm_cold'], 0)} | {fmt(t['added_new_connection'], 3)} | {fmt(t['added_open_connection'], 3)} |")

rows = []
for root, _, files in os.walk(criterion):
    if "estimates.json" in files and os.path.basename(root) == "new":
        with open(os.path.join(root, "estimates.json")) as f:
            median = json.load(f)["median"]["point_estimate"]
        rows.append((os.path.relpath(os.path.dirname(root), criterion), median))
if rows:
    out.append("\n### In-process parts (criterion, median)\n")
    out.append("| benchmark | time |")
    out.append("|---|---|")
    for name, ns in sorted(rows):
        shown = f"{ns / 1000:.2f} µs" if ns < 1_000_000 else f"{ns / 1_000_000:.2f} ms"
        out.append(f"| {name} | {shown} |")

try:
    with open(os.path.join(results, "loadavg.txt")) as f:
        loads = [line.strip() for line in f if line.strip()]
except OSError:
    loads = []
if loads:
    out.append("\n### Load average (1, 5, 15 min) around each benchmark\n")
    out.extend(f"- {line}" for line in loads)

print("\n".join(out))
