#!/usr/bin/env bash
# The official MCP conformance suite against the real server process, for both protocol eras.
# Called by `make conformance`; needs Node >= 22 first on PATH and the suite in .tools/conformance.
set -euo pipefail
cd "$(dirname "$0")/.."
SUITE=.tools/conformance/node_modules/.bin/conformance
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The suite sends no credentials: --no-auth, which the server allows only on a loopback bind.
WORLDMONITOR_DATA_DIR="$work/data" WORLDMONITOR_RATE_LIMIT=1000000 \
  .venv/bin/worldmonitor-mcp serve --no-auth --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
.venv/bin/python - "$port" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/mcp"
for _ in range(150):
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="OPTIONS"), timeout=1)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("the server did not start")
PY
status=0
for version in 2025-11-25 2026-07-28; do
  echo "== conformance: spec version $version =="
  "$SUITE" server --url "http://127.0.0.1:$port/mcp" --suite all --spec-version "$version" \
    --expected-failures "conformance/expected-failures-$version.yml" -o "$work/results-$version" \
    >"$work/run-$version.txt" 2>&1 || status=1
  sed -n '/=== SUMMARY ===/,$p' "$work/run-$version.txt"
done
if [ $status -ne 0 ]; then
  echo "conformance failed; server log:"; tail -50 "$work/server.log"
fi
exit $status
