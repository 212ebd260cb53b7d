#!/usr/bin/env bash
# The Debian packages work (docs/install.md): build the release and both .deb files, check them with lintian
# (no errors) and `systemd-analyze verify`, install them with dpkg, then run the server unit's ExecStart line
# with its EnvironmentFile, as its user, against SQLite and against the local PostgreSQL until health answers,
# and pair the installed agent with it and run the agent unit's ExecStart line until the server lists it
# online. systemd itself does not run in CI, so the units' lines are run by hand.
# Upgrade: there is no earlier release yet, so the same tree is also packaged as an older version (V~pre);
# that one is installed and used first, then upgraded with dpkg -i: the edited conffile, the database and the
# agent's pairing must survive (a schema change between real releases is covered by the migrations' own tests).
# The packages are purged at the end (the data directories are temporary). Needs root, dpkg-dev, lintian,
# systemd (for systemd-analyze).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
# The service user must reach the data directories made inside.
chmod 0755 "$work"
pids=()
installed=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "$installed" = 1 ]; then dpkg --purge migratekit-agent migratekit-server >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "check-packages: [$SECONDS s] $*"; }
fail() { echo "check-packages: $*" >&2; exit 1; }

# Two free ports, held open together so the kernel cannot hand out the same one twice (it did, once in CI).
free_ports() {
  node -e "const net=require('net');const a=net.createServer().listen(0,'127.0.0.1',()=>{const b=net.createServer().listen(0,'127.0.0.1',()=>{console.log(a.address().port+' '+b.address().port);a.close();b.close()})})"
}

# The value of KEY= in a unit file.
unit_value() { sed -n "s/^$2=//p" "$1" | head -n 1; }

(cd "$root" && npm run release --silent) >"$work/release.log" 2>&1 || { cat "$work/release.log" >&2; fail "npm run release failed"; }
version=$(node -p "require('$root/package.json').version")
bash "$root/scripts/release/build-debs.sh" --out "$work/debs"
bash "$root/scripts/release/build-debs.sh" --out "$work/debs-previous" --version "$version~pre"
server_deb=$(ls "$work"/debs/migratekit-server_*.deb)
agent_deb=$(ls "$work"/debs/migratekit-agent_*.deb)

say "lintian"
lintian --fail-on error --suppress-tags privacy-breach-generic,script-not-executable "$server_deb" "$agent_deb" ||
  fail "lintian reported errors"

say "dpkg -i (the previous version first)"
installed=1
dpkg -i "$work"/debs-previous/*.deb >/dev/null
for path in /usr/bin/migratekit /usr/bin/migratekit-agent /lib/systemd/system/migratekit-server.service \
  /lib/systemd/system/migratekit-agent.service; do
  [ -e "$path" ] || fail "$path is not installed"
done
for env in server agent; do
  [ "$(stat -c '%a %U' /etc/migratekit/$env.env)" = "600 migratekit" ] || fail "/etc/migratekit/$env.env is not 0600 migratekit"
done
[ "$(stat -c '%a %U' /var/lib/migratekit)" = "700 migratekit" ] || fail "/var/lib/migratekit is not 0700 migratekit"

say "systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/migratekit-server.service /lib/systemd/system/migratekit-agent.service

# run_unit UNIT DATA_DIR LOG VAR=VALUE...: the unit's ExecStart as its User, environment from its
# EnvironmentFile then the overrides (ports and directories of this test). Prints the pid.
run_unit() {
  local unit=/lib/systemd/system/$1 data=$2 log=$3
  shift 3
  local exec user envfile
  exec=$(unit_value "$unit" ExecStart)
  user=$(unit_value "$unit" User)
  envfile=$(unit_value "$unit" EnvironmentFile)
  install -d -o "$user" -g "$user" -m 0700 "$data"
  # shellcheck disable=SC2086 # ExecStart is a command line: split it like systemd does.
  (set -a && . "$envfile" && set +a && export "$@" && exec runuser -u "$user" -- $exec) >"$log" 2>&1 &
  echo $!
}

wait_health() { # port pid log
  for _ in $(seq 1 120); do
    if body=$(curl -fsS "http://127.0.0.1:$1/api/v1/health" 2>/dev/null); then echo "$body"; return 0; fi
    kill -0 "$2" 2>/dev/null || break
    sleep 0.5
  done
  cat "$3" >&2
  return 1
}

admin_password=package-check-password
run_server() { # label data_dir extra VAR=VALUE...
  local label=$1 data=$2
  shift 2
  if [ -z "${keep_ports:-}" ]; then
    read -r port agent_port < <(free_ports)
  fi
  server_pid=$(run_unit migratekit-server.service "$data" "$work/server-$label.log" \
    "MIGRATEKIT_DATA_DIR=$data" "PORT=$port" "MIGRATEKIT_AGENT_PORT=$agent_port" "MIGRATEKIT_AGENT_HOST=127.0.0.1" \
    MIGRATEKIT_NBD_PORT=0 MIGRATEKIT_NBD_HOST=127.0.0.1 "MIGRATEKIT_ADMIN_PASSWORD=$admin_password" "$@")
  pids+=("$server_pid")
  body=$(wait_health "$port" "$server_pid" "$work/server-$label.log") || fail "the server on $label did not answer health"
  say "server on $label: $body"
  grep -Eq '"msg":"database (migrations applied|schema up to date)' "$work/server-$label.log" ||
    fail "no migration log line on $label"
}

stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }

wait_agent_online() { # the one agent named package-check is listed online
  local online
  for _ in $(seq 1 60); do
    online=$(curl -fsS -b "$work/cookies" "http://127.0.0.1:$port/api/v1/agents" |
      node -pe 'const a=JSON.parse(require("fs").readFileSync(0)).items.filter((a)=>a.name==="package-check");
        a.length===1&&a[0].status==="online"' || true)
    [ "$online" = true ] && return 0
    sleep 0.5
  done
  return 1
}

run_server sqlite "$work/data-sqlite"
[ "$(stat -c '%U' "$work/data-sqlite/migratekit.db")" = migratekit ] || fail "the database is not owned by migratekit"

say "agent: pair, then the unit's command line"
curl -fsS -c "$work/cookies" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}" "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
token=$(curl -fsS -b "$work/cookies" -H 'content-type: application/json' -d '{"ttl_seconds":600}' \
  "http://127.0.0.1:$port/api/v1/agents/pairing-tokens" | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
agent_state="$work/agent-state"
install -d -o migratekit -g migratekit -m 0700 "$agent_state"
runuser -u migratekit -- /usr/bin/migratekit-agent pair --server "https://127.0.0.1:$agent_port" --token "$token" \
  --state-dir "$agent_state" --name package-check
agent_pid=$(run_unit migratekit-agent.service "$agent_state" "$work/agent.log" "MIGRATEKIT_AGENT_STATE_DIR=$agent_state")
pids+=("$agent_pid")
wait_agent_online || { cat "$work/agent.log" >&2; fail "the installed agent did not come online"; }
say "agent package-check is online"
kill "$agent_pid"
stop_server

say "upgrade with dpkg -i to $version"
echo '# edited by the operator' >>/etc/migratekit/server.env
dpkg -i "$server_deb" "$agent_deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' migratekit-server)" = "$version" ] || fail "migratekit-server was not upgraded"
grep -q '^# edited by the operator' /etc/migratekit/server.env || fail "the upgrade replaced the edited server.env"
# The same ports: the agent's stored pairing names the server's agent URL.
keep_ports=1 run_server sqlite-upgraded "$work/data-sqlite"
curl -fsS -c "$work/cookies" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}" "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
agent_pid=$(run_unit migratekit-agent.service "$agent_state" "$work/agent-upgraded.log" "MIGRATEKIT_AGENT_STATE_DIR=$agent_state")
pids+=("$agent_pid")
wait_agent_online || { cat "$work/agent-upgraded.log" >&2; fail "the agent did not come back online after the upgrade"; }
say "after the upgrade: admin logs in, the agent is online with its stored pairing"
kill "$agent_pid"
stop_server

say "server --check, migrate --dry-run and backup as the service user, with the package's env file"
as_service() {
  runuser -u migratekit -- env "MIGRATEKIT_DATA_DIR=$work/data-sqlite" "PORT=$port" "MIGRATEKIT_AGENT_PORT=$agent_port" \
    MIGRATEKIT_NBD_PORT=0 "MIGRATEKIT_BY_ID_DIR=$work" /usr/bin/migratekit "$@" --env-file /etc/migratekit/server.env
}
as_service server --check
as_service server migrate --dry-run | grep -q 'schema up to date' || fail "migrate --dry-run after start is not empty"
as_service backup --out "$work/data-sqlite/backup.db"
if runuser -u migratekit -- env PORT=nonsense /usr/bin/migratekit server --check >/dev/null; then
  fail "server --check accepted PORT=nonsense"
fi

pg_db=migratekit_packages
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $pg_db" >/dev/null
run_server postgresql "$work/data-pg" "DATABASE_URL=postgres://postgres@127.0.0.1:5432/$pg_db"
stop_server
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null
say "ok"
