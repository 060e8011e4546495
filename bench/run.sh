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

run() {
  local name=$1; shift
  echo "== $name"
  if ! cargo bench --bench "$name" -- "$@"; then
    echo "benchmark $name failed" >&2
    failed+=("$name")
  fi
}
failed=()
run compare --json "$results/compare.json"
run check_throughput --json "$results/check.json"
run replay --json "$results/replay.json"
run tls_handshakes --json "$results/tls_handshakes.json"
run micro --quick
python3 bench/summarize.py "$results" target/criterion > "$results/summary.md" || failed+=(summary)

echo "== done in $(( $(date +%s) - started )) s; table: $results/summary.md"
cat "$results/summary.md"
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}" >&2; exit 1; }
