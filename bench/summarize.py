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
    out.append("| path | TTFB ms | added TTFB ms | TTFT ms | added TTFT ms | coalesced chunks | total ms |")
    out.append("|---|---|---|---|---|---|---|")
    for name, row in stream.items():
        out.append(f"| {name} | {fmt(row['ttfb_ms'], 3)} | {fmt(row['added_ttfb_ms'], 3)} | {fmt(row['ttft_ms'], 3)} | "
                   f"{fmt(row['added_ttft_ms'], 3)} | {row['max_coalesced']} | {fmt(row['total_ms'])} |")
    load_rows = compare["results"].get("load", {})
    if isinstance(load_rows, dict) and "skipped" not in load_rows:
        out.append("\n### Throughput and latency under load (64 connections, oha)\n")
        out.append("| body | path | req/s | % of direct | p50 ms | p99 ms |")
        out.append("|---|---|---|---|---|---|")
        for body, rows in load_rows.items():
            for name, row in rows.items():
                out.append(f"| {body} | {name} | {fmt(row['rps'], 0)} | {fmt(100 * row['of_direct'], 0)}% | {fmt(row['p50_ms'], 2)} | {fmt(row['p99_ms'], 2)} |")
            if "record" in rows and "mitmdump" in rows:
                out.append(f"| {body} | record / mitmdump | {rows['record']['rps'] / rows['mitmdump']['rps']:.1f}× | | | |")
    memory = compare["results"].get("memory", {})
    if memory:
        out.append("\n### Memory: 32 concurrent 2 MB requests\n")
        out.append("| proxy | peak RSS MB | RSS at start MB |")
        out.append("|---|---|---|")
        for name, row in memory.items():
            out.append(f"| {name} | {fmt(row['peak_rss_mb'])} | {fmt(row['start_rss_mb'])} |")

check = load("check.json")
if check:
    out.append("\n### check vs parsing the same files with serde_json alone\n")
    out.append("| cores | parse-only files/s | parse-only MB/s | load files/s | check files/s | check MB/s | check / parse |")
    out.append("|---|---|---|---|---|---|---|")
    for row in check["results"]:
        out.append(f"| {row['threads']} | {fmt(row['parse_only_files_per_s'], 0)} | {fmt(row['parse_only_mb_per_s'])} | {fmt(row.get('load_files_per_s'), 0)} | "
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

print("\n".join(out))
