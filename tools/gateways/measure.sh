#!/usr/bin/env bash
# The measurements behind FINDINGS.md, reproducible: starts a strict and a lenient mock provider,
# LiteLLM and Portkey on free loopback ports, sends the golden capture bodies through every
# route under test with probe.py (curl), and writes one JSON line per request, with what the
# gateway answered and what it forwarded to the mock, to OUT/results.jsonl.
#
# Usage: tools/gateways/measure.sh [INSTALL_DIR] [OUT_DIR]
#   INSTALL_DIR  default $CURSOR_HARNESS_GATEWAYS, else ~/.cache/cursor-harness/gateways
#   OUT_DIR      default a new folder under ${TMPDIR:-/tmp}
# About two minutes; LiteLLM's internal retries make a few requests take ~5 s each.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
GW_INSTALL=${1:-${CURSOR_HARNESS_GATEWAYS:-$HOME/.cache/cursor-harness/gateways}}
GW_OUT=${2:-$(mktemp -d "${TMPDIR:-/tmp}/cursor-harness-gateways-measure.XXXXXX")}
mkdir -p "$GW_OUT"
GW_LIFETIME=900
. "$here/lib.sh"
trap gw_stop_all EXIT
export LITELLM_MASTER_KEY="sk-litellm-test-$$" UPSTREAM_API_KEY=sk-upstream-test
results=$GW_OUT/results.jsonl
: > "$results"
G=$repo/captures/golden
all=("$G"/*/*.json)

mock=$(gw_free_port); lenient=$(gw_free_port); litellm=$(gw_free_port); portkey=$(gw_free_port)
echo "out: $GW_OUT; mock :$mock (strict), :$lenient (lenient), LiteLLM :$litellm, Portkey :$portkey"
gw_start_mock mock "$mock" || exit 1
gw_start_mock mock-lenient "$lenient" --validate off || exit 1
gw_start_litellm "$litellm" "$mock" || { tail -20 "$GW_OUT/litellm.log"; exit 1; }
gw_start_portkey "$portkey" || { tail -20 "$GW_OUT/portkey.log"; exit 1; }

probe() {  # probe LABEL MOCK_LOG_NAME [probe.py options and captures...]
  local label=$1 log=$2; shift 2
  echo "== $label"
  python3 "$here/probe.py" --label "$label" --mock-log "$GW_OUT/$log.jsonl" --json "$results" "$@"
}
L=(--target "http://127.0.0.1:$litellm/v1" --key-env LITELLM_MASTER_KEY)
C=(--target "http://127.0.0.1:$litellm/cursor" --key-env LITELLM_MASTER_KEY)
PO=(--target "http://127.0.0.1:$portkey/v1" --key-env UPSTREAM_API_KEY --header 'x-portkey-provider: openai')
PA=(--target "http://127.0.0.1:$portkey/v1" --key-env UPSTREAM_API_KEY --header 'x-portkey-provider: anthropic')

# LiteLLM, plain OpenAI route: every capture with its own model name (claude-opus-4-1 is routed
# to anthropic/, the other names to the OpenAI-compatible mock), then each Claude body under
# the other Claude routing.
probe litellm-openai mock "${L[@]}" "${all[@]}"
probe litellm-openai mock "${L[@]}" --model claude-opus-4-1 "$G"/claude-sonnet-4-5/*.json
probe litellm-openai mock "${L[@]}" --model claude-sonnet-4-5 "$G"/claude-opus-4-1/*.json
# LiteLLM's Cursor route, base URL <proxy>/cursor; and the base Cursor would get wrong.
probe litellm-cursor mock "${C[@]}" "${all[@]}"
probe litellm-cursor mock "${C[@]}" --model claude-opus-4-1 "$G"/claude-sonnet-4-5/*.json
probe litellm-cursor mock "${C[@]}" --model claude-sonnet-4-5 "$G"/claude-opus-4-1/*.json
probe litellm-cursor-v1 mock --target "http://127.0.0.1:$litellm/cursor/v1" --key-env LITELLM_MASTER_KEY \
  "$G"/deepseek-v4-pro/*.json "$G"/_models/*.json

# Portkey, provider openai with a custom host: the strict mock, then a lenient one (what an
# OpenAI-compatible server that ignores unknown fields would get).
probe portkey-openai mock "${PO[@]}" --header "x-portkey-custom-host: http://127.0.0.1:$mock/v1" "${all[@]}"
probe portkey-openai-lenient mock-lenient "${PO[@]}" --header "x-portkey-custom-host: http://127.0.0.1:$lenient/v1" \
  "$G"/claude-*/*.json "$G"/gpt-5.5/0001*.json "$G"/gpt-5.5/0002*.json
# The same route chosen by a config header instead of x-portkey-provider / custom-host.
config="{\"provider\":\"openai\",\"custom_host\":\"http://127.0.0.1:$mock/v1\",\"api_key\":\"$UPSTREAM_API_KEY\"}"
probe portkey-openai-config mock --target "http://127.0.0.1:$portkey/v1" --header "x-portkey-config: $config" \
  "$G"/deepseek-v4-pro/*.json
# Portkey, provider anthropic with a custom host (Portkey translates Chat to Messages).
probe portkey-anthropic mock "${PA[@]}" --header "x-portkey-custom-host: http://127.0.0.1:$mock/v1" \
  "$G"/claude-*/*.json "$G"/deepseek-v4-pro/*.json
# A derived body (not a capture): 0005 without tool_choice, to see past Portkey's crash on it.
python3 - "$G"/claude-sonnet-4-5/0005-*.json "$GW_OUT/0005-without-tool-choice.json" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))["request"]["body"]["json"]
body.pop("tool_choice")
json.dump(body, open(sys.argv[2], "w"))
PY
probe portkey-anthropic-derived mock "${PA[@]}" --header "x-portkey-custom-host: http://127.0.0.1:$mock/v1" \
  "$GW_OUT/0005-without-tool-choice.json"
probe portkey-anthropic-derived-lenient mock-lenient "${PA[@]}" --header "x-portkey-custom-host: http://127.0.0.1:$lenient/v1" \
  "$GW_OUT/0005-without-tool-choice.json"

# Auth and version, read at runtime.
{
  echo "== LiteLLM without a key:"; curl -s -i --max-time 30 "http://127.0.0.1:$litellm/v1/chat/completions" \
    -H 'Content-Type: application/json' -d '{"model":"deepseek-v4-pro","messages":[{"role":"user","content":"hi"}]}' | tr -d '\r' | sed -n '1p;/^$/,$p'
  echo; echo "== LiteLLM with a wrong key:"; curl -s -i --max-time 30 "http://127.0.0.1:$litellm/v1/chat/completions" \
    -H 'Authorization: Bearer sk-wrong' -H 'Content-Type: application/json' \
    -d '{"model":"deepseek-v4-pro","messages":[{"role":"user","content":"hi"}]}' | tr -d '\r' | sed -n '1p;/^$/,$p'
  echo; echo "== LiteLLM GET /public/model_hub/info (no key):"; curl -s --max-time 10 "http://127.0.0.1:$litellm/public/model_hub/info"
  echo; echo "== LiteLLM GET /health/readiness:"; curl -s --max-time 10 "http://127.0.0.1:$litellm/health/readiness"
  echo; echo "== Portkey GET /:"; curl -s --max-time 10 "http://127.0.0.1:$portkey/"
  echo; echo "== Portkey listeners:"; ss -ltnH "sport = :$portkey" 2>/dev/null | awk '{print $4}'
} > "$GW_OUT/runtime.txt" 2>&1
cat "$GW_OUT/runtime.txt"
echo "== results: $results ($(wc -l < "$results") requests)"
