#!/usr/bin/env bash
# Start the mock provider, LiteLLM and Portkey on free loopback ports, write where they listen
# to READY_FILE as KEY=value lines (once every one answers), and keep them running until this
# script is stopped (SIGTERM or SIGINT), then stop exactly what it started.
#
# Usage: tools/gateways/start.sh READY_FILE [INSTALL_DIR]
# The integration tests (tests/it/gateways.rs) run it; by hand it gives a matrix to run
# scenarios/gateways.toml against (source READY_FILE, then export its variables).
#
# Both gateways call their provider on PROVIDER_PORT, not on the mock's own port: whatever
# listens there records the provider leg and forwards to the mock (MOCK_PROVIDER_URL).
# `run scenarios/gateways.toml` does that itself (its `[provider]` table); for anything else,
# put a recorder there first:
#   cursor-harness record --upstream "$MOCK_PROVIDER_URL" --listen "127.0.0.1:$PROVIDER_PORT" \
#       --allow-no-token --captures /tmp/provider-leg
# GW_PROVIDER_PORT=<port> chooses the port (default: a free one).
set -uo pipefail
ready=${1:?usage: start.sh READY_FILE [INSTALL_DIR]}
GW_INSTALL=${2:-${CURSOR_HARNESS_GATEWAYS:-$HOME/.cache/cursor-harness/gateways}}
GW_OUT=$(mktemp -d "${TMPDIR:-/tmp}/cursor-harness-gateways.XXXXXX")
GW_LIFETIME=${GW_LIFETIME:-900}
. "$(dirname "$0")/lib.sh"
trap 'gw_stop_all; exit 0' TERM INT
trap gw_stop_all EXIT
export LITELLM_MASTER_KEY=${LITELLM_MASTER_KEY:-"sk-gateways-$$"}

mock=${GW_MOCK_PORT:-$(gw_free_port)}
litellm=$(gw_free_port)
portkey=$(gw_free_port)
provider=${GW_PROVIDER_PORT:-$(gw_free_port)}
gw_start_mock mock "$mock" || { echo "the mock provider did not start" >&2; exit 1; }
gw_start_litellm "$litellm" "$provider" || { tail -20 "$GW_OUT/litellm.log" >&2; exit 1; }
gw_start_portkey "$portkey" || { tail -20 "$GW_OUT/portkey.log" >&2; exit 1; }

versions="$GW_INSTALL/versions.json"
version_of() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["version"])' "$versions" "$1" 2>/dev/null
}
{
  echo "LITELLM_BASE_URL=http://127.0.0.1:$litellm"
  echo "LITELLM_API_KEY=$LITELLM_MASTER_KEY"
  echo "LITELLM_VERSION=$(version_of litellm)"
  echo "PORTKEY_BASE_URL=http://127.0.0.1:$portkey"
  echo "PORTKEY_CUSTOM_HOST=http://127.0.0.1:$provider/v1"
  echo "PORTKEY_VERSION=$(version_of portkey)"
  echo "PROVIDER_API_KEY=sk-upstream-test"
  echo "PROVIDER_PORT=$provider"
  echo "MOCK_PROVIDER_URL=http://127.0.0.1:$mock"
  echo "MOCK_PROVIDER_LOG=$GW_OUT/mock.jsonl"
  echo "GATEWAYS_LOGS=$GW_OUT"
} > "$ready.tmp" && mv "$ready.tmp" "$ready"
echo "ready: $ready (logs in $GW_OUT)"
# Wait for a signal; `wait` returns as soon as one arrives, so the trap runs at once.
while :; do sleep 1 & wait $!; done
