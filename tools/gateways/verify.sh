#!/usr/bin/env bash
# Smoke test of an installation made by setup.sh: starts the mock provider, LiteLLM and Portkey
# on free loopback ports, sends GET /v1/models, one streamed and one plain chat completion
# through each gateway, checks that Portkey listens on 127.0.0.1 only, and stops everything.
#
# Usage: tools/gateways/verify.sh [INSTALL_DIR]     (exit 0: all checks passed, 1: one failed)
set -uo pipefail
GW_INSTALL=${1:-${CURSOR_HARNESS_GATEWAYS:-$HOME/.cache/cursor-harness/gateways}}
GW_OUT=$(mktemp -d "${TMPDIR:-/tmp}/cursor-harness-gateways-verify.XXXXXX")
GW_LIFETIME=300
. "$(dirname "$0")/lib.sh"
trap gw_stop_all EXIT
export LITELLM_MASTER_KEY="sk-verify-$$"

failed=0
# check NAME EXPECT_STATUS EXPECT_TEXT CURL_ARGS...
check() {
  local name=$1 want=$2 text=$3; shift 3
  local out status
  out=$(curl -sS -N --max-time 60 -w '\n%{http_code}' "$@" 2>&1)
  status=${out##*$'\n'}
  if [ "$status" = "$want" ] && [[ "$out" == *"$text"* ]]; then
    echo "  ok    $name ($status)"
  else
    echo "  FAIL  $name: status $status, expected $want with '$text'; body: $(head -c 300 <<< "${out%$'\n'*}")"
    failed=1
  fi
}

mock=$(gw_free_port); litellm=$(gw_free_port); portkey=$(gw_free_port)
echo "logs in $GW_OUT; mock :$mock, LiteLLM :$litellm, Portkey :$portkey"
gw_start_mock mock "$mock" || { echo "the mock provider did not start"; exit 1; }
t0=$(date +%s)
gw_start_litellm "$litellm" "$mock" || { tail -20 "$GW_OUT/litellm.log"; exit 1; }
echo "  LiteLLM answered after $(( $(date +%s) - t0 )) s"
gw_start_portkey "$portkey" || { tail -20 "$GW_OUT/portkey.log"; exit 1; }

chat='{"model":"deepseek-v4-pro","messages":[{"role":"user","content":"hi"}]'
L=(-H "Authorization: Bearer $LITELLM_MASTER_KEY" -H 'Content-Type: application/json')
P=(-H 'x-portkey-provider: openai' -H "x-portkey-custom-host: http://127.0.0.1:$mock/v1"
   -H 'Authorization: Bearer sk-upstream-test' -H 'Content-Type: application/json')

check "LiteLLM GET /v1/models" 200 '"deepseek-v4-pro"' "${L[@]}" "http://127.0.0.1:$litellm/v1/models"
check "LiteLLM streamed chat" 200 'data: [DONE]' "${L[@]}" -d "$chat,\"stream\":true}" "http://127.0.0.1:$litellm/v1/chat/completions"
check "LiteLLM plain chat" 200 'Hello from the mock provider.' "${L[@]}" -d "$chat}" "http://127.0.0.1:$litellm/v1/chat/completions"
check "LiteLLM version header" 200 'x-litellm-version:' -D - -o /dev/null "${L[@]}" -d "$chat}" "http://127.0.0.1:$litellm/v1/chat/completions"
check "Portkey GET /v1/models" 200 '"deepseek-v4-pro"' "${P[@]}" "http://127.0.0.1:$portkey/v1/models"
check "Portkey streamed chat" 200 'data: [DONE]' "${P[@]}" -d "$chat,\"stream\":true}" "http://127.0.0.1:$portkey/v1/chat/completions"
check "Portkey plain chat" 200 'Hello from the mock provider.' "${P[@]}" -d "$chat}" "http://127.0.0.1:$portkey/v1/chat/completions"

if command -v ss >/dev/null; then
  listeners=$(ss -ltnH "sport = :$portkey" | awk '{print $4}' | sort -u | tr '\n' ' ')
  if [ "$listeners" = "127.0.0.1:$portkey " ]; then
    echo "  ok    Portkey listens on 127.0.0.1:$portkey only"
  else
    echo "  FAIL  Portkey listens on: $listeners"; failed=1
  fi
fi
[ $failed = 0 ] && echo "all checks passed" || echo "some checks failed (logs in $GW_OUT)"
exit $failed
