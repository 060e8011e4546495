#!/usr/bin/env bash
# Fuzz every target (or the ones named) for SECONDS each, one after the other, nice'd.
#
#   fuzz/smoke.sh              # 60 s per target
#   fuzz/smoke.sh 600 sse      # 10 minutes of the sse target
#
# Works on the stable toolchain: `--sanitizer none` is the one cargo-fuzz mode that passes no
# unstable (-Z) flag to rustc, and the crate has no unsafe code for AddressSanitizer to watch.
# The seed corpora are regenerated from captures/golden and tests/fixtures/sdk first; what the
# fuzzer finds stays in fuzz/corpus (git-ignored). A crash leaves its input in
# fuzz/artifacts/<target>/ and makes this script exit 1; each run's log is
# fuzz/artifacts/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(sse request response capture_load har_import)
fi
case "$seconds" in
  '' | *[!0-9]*) echo "usage: fuzz/smoke.sh [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz (crates.io)"
  cargo install cargo-fuzz --locked
fi
python3 fuzz/seed.py

fuzz=(cargo fuzz)
echo "== building the fuzz targets"
nice -n 19 "${fuzz[@]}" build --sanitizer none

mkdir -p fuzz/artifacts
failed=()
printf '%-13s %10s %8s %6s %6s %6s %s\n' target runs execs/s cov ft corpus result
for target in "${targets[@]}"; do
  dict=fuzz/dicts/json.dict
  [ "$target" = sse ] && dict=fuzz/dicts/sse.dict
  log="fuzz/artifacts/$target.log"
  result=ok
  nice -n 19 "${fuzz[@]}" run --sanitizer none "$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$dict" -print_final_stats=1 >"$log" 2>&1 || result=CRASH
  # The last status line (`#RUNS DONE cov: C ft: F corp: N/SIZE ...`) and the final stats.
  status=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
  corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$status")
  printf '%-13s %10s %8s %6s %6s %6s %s\n' "$target" "${runs:-?}" "${rate:-?}" "${cov:-?}" \
    "${ft:-?}" "${corp:-?}" "$result"
  [ "$result" = ok ] || failed+=("$target")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]} (inputs in fuzz/artifacts/<target>/, logs in fuzz/artifacts/<target>.log)" >&2
  exit 1
fi
