#!/usr/bin/env bash
# The whole benchmark comparison, one command: `bench/run.sh`.
#
# Installs what it compares against when missing (oha from crates.io; mitmproxy from PyPI into
# bench/.venv) and skips a comparison with a message when it cannot. Runs every benchmark once
# in release mode, writes each one's figures as JSON under bench/results/, and renders
# bench/results/summary.md (the table BENCHMARKS.md is updated from). Measured on loopback only.
set -uo pipefail
cd "$(dirname "$0")/.."
results=bench/results
mkdir -p "$results"
started=$(date +%s)

echo "== tools"
if ! command -v oha >/dev/null && [ ! -x "$HOME/.cargo/bin/oha" ]; then
  echo "installing oha (cargo install oha --locked)"
  cargo install oha --locked >/dev/null 2>&1 || echo "could not install oha: the load and replay comparisons skip it"
fi
if [ ! -x bench/.venv/bin/mitmdump ]; then
  echo "installing mitmproxy into bench/.venv"
  (python3 -m venv bench/.venv && bench/.venv/bin/pip install -q mitmproxy) >/dev/null 2>&1 \
    || echo "could not install mitmproxy: the mitmdump comparisons are skipped"
fi

echo "== building the benchmarks (release)"
cargo bench --no-run >/dev/null 2>&1 || { echo "the benchmarks do not build"; exit 1; }

# The machine is shared: the load average before and after each benchmark goes beside its
# figures (bench/results/loadavg.txt, and the summary).
: > "$results/loadavg.txt"
run() {
  local label=$1 name=$2; shift 2
  echo "== $label"
  local before; before=$(cut -d' ' -f1-3 /proc/loadavg)
  if ! "${pin[@]}" cargo bench --bench "$name" -- "$@"; then
    echo "benchmark $label failed" >&2
    failed+=("$label")
  fi
  echo "$label: load average before $before, after $(cut -d' ' -f1-3 /proc/loadavg)" >> "$results/loadavg.txt"
}
failed=()
pin=()
# compare first: its file-system figures need a file system that has not just freed thousands
# of inodes (ext4 without a journal skips recently freed ones when it creates files, for up to
# six minutes), and every other benchmark removes what it wrote.
run compare compare --json "$results/compare.json"
run check check_throughput --json "$results/check.json"
if command -v taskset >/dev/null; then
  pin=(taskset -c 0)
  run "check, one core (taskset -c 0)" check_throughput --json "$results/check-1core.json"
  pin=()
fi
run replay replay --json "$results/replay.json"
run tls_handshakes tls_handshakes --json "$results/tls_handshakes.json"
run micro micro --quick
python3 bench/summarize.py "$results" target/criterion > "$results/summary.md" || failed+=(summary)

echo "== done in $(( $(date +%s) - started )) s; table: $results/summary.md"
cat "$results/summary.md"
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}" >&2; exit 1; }
