#!/usr/bin/env bash
# Installs the real gateways cursor-harness is tested against, each pinned, outside the repo:
#
#   LiteLLM proxy   litellm[proxy] from PyPI, into its own virtualenv, every dependency pinned by
#                   tools/gateways/litellm/constraints.txt
#   Portkey gateway @portkey-ai/gateway from npm, into its own folder, with `npm ci` from the
#                   committed tools/gateways/portkey/package-lock.json
#
# Usage: tools/gateways/setup.sh [--verify] [--force] [DIR]
#
#   DIR       install folder; default $CURSOR_HARNESS_GATEWAYS, else ~/.cache/cursor-harness/gateways
#   --verify  after installing, start the mock provider and both gateways on free loopback ports,
#             send GET /v1/models and one streamed and one plain chat completion through each,
#             and fail unless all of them answer 200 (about a minute)
#   --force   reinstall even when the pinned versions are already there
#
# Idempotent: a component whose pinned version and lock file are already installed is skipped.
# Every install step runs under `timeout` ($GATEWAYS_INSTALL_TIMEOUT seconds, default 900) and
# `nice`. What was installed is printed and written to DIR/versions.json. Launchers:
#
#   DIR/bin/litellm-proxy     the LiteLLM CLI, with LITELLM_LOCAL_MODEL_COST_MAP=True (LiteLLM
#                             otherwise downloads its model cost map at import)
#   DIR/bin/portkey-gateway   Portkey's start-server, preloaded so that it listens on 127.0.0.1
#                             only (see below); takes --port=N
#
# Two facts about Portkey 1.15.2 that this script works around:
#
# 1. Its dependency range "@hono/node-server": "^1.3.3" resolves today to 1.19.x, and with
#    @hono/node-server >= 1.14.2 every streamed request and GET /v1/models answers 500
#    ("Something went wrong"; the gateway logs `TypeError: immutable` from Headers.append).
#    Cause: since 1.14.2 the adapter's lightweight Response, built as
#    `new Response(stream, upstreamResponse)`, hands back the upstream fetch response's own
#    Headers object, which fetch marks immutable; Portkey then appends its x-portkey-* headers
#    to it and throws. Up to 1.14.1 the headers were copied. Bisected on Node 20.20.2:
#    1.13.5 to 1.13.8, 1.14.0 and 1.14.1 work; 1.14.2, 1.14.3, 1.14.4, 1.18.2 and 1.19.9 to
#    1.19.19 fail; pinning hono back to 4.13.3 (current when 1.15.2 was published) changes
#    nothing. Fix: an `overrides` pin of @hono/node-server to 1.14.1, and of
#    @hono/node-ws to 1.2.0 (the newest whose peer range, ^1.11.1, accepts that adapter; Portkey
#    asks for ^1.2.0), in tools/gateways/portkey/package.json.
# 2. It has a --port flag but no listen-address flag, and binds every interface. The launcher
#    preloads tools/gateways/portkey/loopback.mjs, which makes a listen() without a host listen
#    on $PORTKEY_BIND (default 127.0.0.1). Run it with test traffic only all the same.
#
# Portkey's own postinstall (patch-package) is skipped with --ignore-scripts: the published
# package ships no patches/ folder, so it has nothing to do.
set -euo pipefail

# 1.108.7 is the newest LiteLLM whose [proxy] extra resolves from the package index this
# project's machines use: the proxy extra pins companion packages exactly, and the releases
# tried after it ask for versions the index does not serve (1.108.8: litellm-enterprise
# 0.1.79.post2; 1.108.13 and 1.108.14: litellm-proxy-extras 0.4.110.post1; 1.109.3:
# litellm-proxy-extras 0.4.113; 1.110.0 and 1.110.2: a litellm-proxy package of the same version).
LITELLM_VERSION=1.108.7
PORTKEY_VERSION=1.15.2

here=$(cd "$(dirname "$0")" && pwd)
verify=0
force=0
dest=""
for arg in "$@"; do
  case "$arg" in
    --verify) verify=1 ;;
    --force) force=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    *) [ -z "$dest" ] || { echo "setup.sh: one install folder only" >&2; exit 2; }; dest=$arg ;;
  esac
done
dest=${dest:-${CURSOR_HARNESS_GATEWAYS:-$HOME/.cache/cursor-harness/gateways}}
limit=${GATEWAYS_INSTALL_TIMEOUT:-900}
python=${PYTHON:-python3}
started=$(date +%s)

fail() { echo "setup.sh: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }
sha() { sha256sum "$@" | sha256sum | cut -c1-16; }

mkdir -p "$dest/bin" || fail "cannot create $dest"
dest=$(cd "$dest" && pwd)
case "$dest/" in "$(cd "$here/../.." && pwd)/"*) fail "install folder $dest is inside the repository; pick one outside it" ;; esac

# ---- prerequisites ---------------------------------------------------------------------------
command -v timeout >/dev/null || fail "timeout (coreutils) is required"
command -v "$python" >/dev/null || fail "$python not found (set PYTHON=...)"
"$python" -c 'import sys; sys.exit(0 if (3, 9) <= sys.version_info[:2] < (3, 14) else 1)' \
  || fail "LiteLLM $LITELLM_VERSION needs Python 3.9 to 3.13; $("$python" --version 2>&1) found (set PYTHON=...)"
"$python" -c 'import venv, ensurepip' 2>/dev/null \
  || fail "$python has no venv/ensurepip module (Debian: apt-get install python3-venv)"
command -v node >/dev/null || fail "node not found (Node.js 20.6 or newer is needed for Portkey)"
command -v npm >/dev/null || fail "npm not found"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=6)?0:1)' \
  || fail "Node.js 20.6 or newer is needed (node --import); found $(node --version)"
grep -q "\"@portkey-ai/gateway\": \"$PORTKEY_VERSION\"" "$here/portkey/package.json" \
  || fail "tools/gateways/portkey/package.json does not pin @portkey-ai/gateway $PORTKEY_VERSION"

# ---- LiteLLM ---------------------------------------------------------------------------------
litellm_dir=$dest/litellm
venv=$litellm_dir/venv
constraints=$here/litellm/constraints.txt
litellm_stamp="litellm[proxy]==$LITELLM_VERSION $(sha "$constraints") $("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
installed_litellm() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" -c \
    'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null
}
step "LiteLLM proxy $LITELLM_VERSION -> $litellm_dir"
if [ $force = 0 ] && [ "$(cat "$litellm_dir/.stamp" 2>/dev/null)" = "$litellm_stamp" ] \
   && [ "$(installed_litellm)" = "$LITELLM_VERSION" ]; then
  echo "already installed"
else
  t0=$(date +%s)
  rm -rf "$venv" "$litellm_dir/.stamp"
  mkdir -p "$litellm_dir"
  timeout "$limit" "$python" -m venv "$venv" \
    || fail "could not create the virtualenv $venv (failed, or took over ${limit}s)"
  # The constraints pin every transitive dependency to what was tested; they were resolved on
  # Linux x86_64 with CPython 3.11. GATEWAYS_NO_CONSTRAINTS=1 resolves afresh instead.
  cargs=(-c "$constraints")
  [ "${GATEWAYS_NO_CONSTRAINTS:-0}" = 1 ] && cargs=()
  if ! timeout "$limit" nice -n 10 "$venv/bin/pip" install --quiet --disable-pip-version-check \
       --no-input "${cargs[@]}" "litellm[proxy]==$LITELLM_VERSION" > "$litellm_dir/pip.log" 2>&1; then
    tail -n 20 "$litellm_dir/pip.log" >&2
    fail "pip install litellm[proxy]==$LITELLM_VERSION did not finish within ${limit}s or failed (log: $litellm_dir/pip.log)"
  fi
  got=$(installed_litellm) || true
  [ "$got" = "$LITELLM_VERSION" ] || fail "litellm $LITELLM_VERSION expected in $venv, found '${got:-nothing}'"
  echo "$litellm_stamp" > "$litellm_dir/.stamp"
  echo "installed in $(( $(date +%s) - t0 )) s"
fi
cat > "$dest/bin/litellm-proxy" <<EOF
#!/bin/sh
# LiteLLM $LITELLM_VERSION, installed by cursor-harness tools/gateways/setup.sh.
# The local cost map keeps LiteLLM from downloading model_prices_and_context_window.json.
export LITELLM_LOCAL_MODEL_COST_MAP=True
exec "$venv/bin/litellm" "\$@"
EOF
chmod +x "$dest/bin/litellm-proxy"

# ---- Portkey ---------------------------------------------------------------------------------
portkey_dir=$dest/portkey
portkey_stamp="@portkey-ai/gateway@$PORTKEY_VERSION $(sha "$here/portkey/package.json" "$here/portkey/package-lock.json")"
installed_portkey() {
  node -p 'require(process.argv[1]).version' "$portkey_dir/node_modules/@portkey-ai/gateway/package.json" 2>/dev/null
}
step "Portkey gateway $PORTKEY_VERSION -> $portkey_dir"
if [ $force = 0 ] && [ "$(cat "$portkey_dir/.stamp" 2>/dev/null)" = "$portkey_stamp" ] \
   && [ "$(installed_portkey)" = "$PORTKEY_VERSION" ]; then
  echo "already installed"
else
  t0=$(date +%s)
  rm -rf "$portkey_dir/node_modules" "$portkey_dir/.stamp"
  mkdir -p "$portkey_dir"
  cp "$here/portkey/package.json" "$here/portkey/package-lock.json" "$portkey_dir/"
  if ! (cd "$portkey_dir" && timeout "$limit" nice -n 10 npm ci --ignore-scripts --no-audit --no-fund \
        --loglevel=error > "$portkey_dir/npm.log" 2>&1); then
    tail -n 20 "$portkey_dir/npm.log" >&2
    fail "npm ci for @portkey-ai/gateway@$PORTKEY_VERSION did not finish within ${limit}s or failed (log: $portkey_dir/npm.log)"
  fi
  got=$(installed_portkey) || true
  [ "$got" = "$PORTKEY_VERSION" ] || fail "@portkey-ai/gateway $PORTKEY_VERSION expected in $portkey_dir, found '${got:-nothing}'"
  echo "$portkey_stamp" > "$portkey_dir/.stamp"
  echo "installed in $(( $(date +%s) - t0 )) s"
fi
cp "$here/portkey/loopback.mjs" "$portkey_dir/loopback.mjs"
cat > "$dest/bin/portkey-gateway" <<EOF
#!/bin/sh
# Portkey gateway $PORTKEY_VERSION, installed by cursor-harness tools/gateways/setup.sh.
# Listens on \${PORTKEY_BIND:-127.0.0.1} (the preload); takes --port=N (default 8787), --headless.
exec node --import "$portkey_dir/loopback.mjs" "$portkey_dir/node_modules/@portkey-ai/gateway/build/start-server.js" "\$@"
EOF
chmod +x "$dest/bin/portkey-gateway"

# ---- what is installed -----------------------------------------------------------------------
"$python" - "$dest" "$venv/bin/python" <<'EOF' > "$dest/versions.json.tmp" || fail "could not write versions.json"
import json, subprocess, sys, time
dest, venv_python = sys.argv[1], sys.argv[2]
def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
def pkg(name):
    with open(f"{dest}/portkey/node_modules/{name}/package.json") as f:
        return json.load(f)["version"]
lit = json.loads(run(venv_python, "-c",
    "import importlib.metadata as m, json, platform; "
    "print(json.dumps({n: m.version(n) for n in ('litellm', 'fastapi', 'uvicorn', 'httpx', 'openai', 'pydantic')}"
    " | {'python': platform.python_version()}))"))
print(json.dumps({
    "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "litellm": {
        "version": lit.pop("litellm"), "extra": "proxy", "python": lit.pop("python"),
        "dependencies": lit, "venv": f"{dest}/litellm/venv", "launcher": f"{dest}/bin/litellm-proxy",
    },
    "portkey": {
        "version": pkg("@portkey-ai/gateway"), "node": run("node", "--version").lstrip("v"),
        "npm": run("npm", "--version"),
        "dependencies": {n: pkg(n) for n in ("hono", "@hono/node-server", "@hono/node-ws")},
        "folder": f"{dest}/portkey", "launcher": f"{dest}/bin/portkey-gateway",
    },
}, indent=2))
EOF
mv "$dest/versions.json.tmp" "$dest/versions.json"

echo "== installed (also in $dest/versions.json)"
"$python" - "$dest/versions.json" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
l, p = v["litellm"], v["portkey"]
print(f"  litellm[proxy] {l['version']}  (Python {l['python']}; " + ", ".join(f"{k} {x}" for k, x in l["dependencies"].items()) + ")")
print(f"  @portkey-ai/gateway {p['version']}  (Node {p['node']}; " + ", ".join(f"{k} {x}" for k, x in p["dependencies"].items()) + ")")
print(f"  launchers: {l['launcher']}, {p['launcher']}")
EOF

# ---- optional smoke test -----------------------------------------------------------------------
if [ $verify = 1 ]; then
  step "verifying: mock provider + both gateways on loopback"
  "$here/verify.sh" "$dest" || fail "verification failed (see above)"
fi
echo "== done in $(( $(date +%s) - started )) s"
