# Sourced by verify.sh and measure.sh: start the mock provider and the gateways on loopback,
# wait (bounded) until each answers, and stop exactly the processes started here, by PID.
#
# Needs: $GW_INSTALL (the folder setup.sh installed into), $GW_OUT (a folder for logs).
# Every process runs under `timeout $GW_LIFETIME` (default 1800 s) as a last resort.

GW_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GW_LIFETIME=${GW_LIFETIME:-1800}
GW_PIDS=()

gw_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# gw_wait URL SECONDS: poll until URL answers anything over HTTP.
gw_wait() {
  local url=$1 tries=$(( $2 * 4 )) i
  for (( i = 0; i < tries; i++ )); do
    curl -s -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.25
  done
  echo "no answer from $url after $2 s" >&2
  return 1
}

# gw_start NAME COMMAND...: run in the background, output to $GW_OUT/NAME.log.
gw_start() {
  local name=$1; shift
  timeout --kill-after=5 "$GW_LIFETIME" "$@" > "$GW_OUT/$name.log" 2>&1 &
  GW_PIDS+=($!)
}

gw_stop_all() {
  local pid
  for pid in "${GW_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${GW_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  GW_PIDS=()
}

# gw_start_mock NAME PORT [mock options...]
gw_start_mock() {
  local name=$1 port=$2; shift 2
  gw_start "$name" python3 "$GW_HERE/mock_provider.py" --port "$port" --log "$GW_OUT/$name.jsonl" \
    --lifetime "$GW_LIFETIME" "$@"
  gw_wait "http://127.0.0.1:$port/health" 15
}

# gw_start_litellm PORT MOCK_PORT: LiteLLM with tools/gateways/litellm/config.yaml in front of the mock.
# CURSOR_API_BASE points LiteLLM's /cursor/{path} pass-through (Cursor's Cloud Agents API) at the
# mock too, so that nothing started here ever connects beyond loopback.
gw_start_litellm() {
  local port=$1 mock=$2
  gw_start litellm env -u CURSOR_API_KEY \
    UPSTREAM_OPENAI_BASE="http://127.0.0.1:$mock/v1" UPSTREAM_ANTHROPIC_BASE="http://127.0.0.1:$mock" \
    UPSTREAM_API_KEY=sk-upstream-test LITELLM_MASTER_KEY="$LITELLM_MASTER_KEY" \
    CURSOR_API_BASE="http://127.0.0.1:$mock" \
    "$GW_INSTALL/bin/litellm-proxy" --config "$GW_HERE/litellm/config.yaml" --host 127.0.0.1 --port "$port"
  gw_wait "http://127.0.0.1:$port/health/liveliness" 120
}

# gw_start_portkey PORT: Portkey, listening on 127.0.0.1 only (the launcher's preload).
gw_start_portkey() {
  local port=$1
  gw_start portkey env PORTKEY_BIND=127.0.0.1 "$GW_INSTALL/bin/portkey-gateway" --port="$port" --headless
  gw_wait "http://127.0.0.1:$port/" 30
}
