#!/usr/bin/env bash
# A production install works without any development tool: the committed tree, `npm ci --omit=dev`, the
# simulator packages removed, then `migratekit server` on a fresh SQLite data dir must start and answer health.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

git -C "$root" archive HEAD | tar -x -C "$work"
cd "$work"
npm ci --omit=dev --no-audit --no-fund --loglevel=error
rm -rf packages/sim-vcenter packages/sim-cloudstack node_modules/@migratekit/sim-vcenter node_modules/@migratekit/sim-cloudstack
for tool in typescript eslint prettier vite; do
  if [ -e "node_modules/$tool" ]; then echo "check-production-install: dev tool $tool is installed" >&2; exit 1; fi
done

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
MIGRATEKIT_DATA_DIR="$work/data" PORT="$port" MIGRATEKIT_AGENT_PORT=0 MIGRATEKIT_NBD_PORT=0 \
  MIGRATEKIT_NBD_HOST=127.0.0.1 LOG_LEVEL=warn node bin/migratekit.mjs server >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  if body=$(curl -fsS "http://127.0.0.1:$port/api/v1/health" 2>/dev/null); then
    echo "check-production-install: health answered $body"
    exit 0
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.5
done
echo "check-production-install: the server did not answer health" >&2
cat "$work/server.log" >&2
exit 1
