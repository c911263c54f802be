#!/usr/bin/env bash
# Smoke test of `npm start` with no DATABASE_URL: the embedded PostgreSQL starts, the API answers,
# data survives a restart, and SIGTERM leaves no process behind.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
chmod 755 "$work" # the embedded PostgreSQL runs as its own OS user and must reach its data folder
export EMBEDDED_PG_DATA_DIR="$work/postgres"
export EMBEDDED_PG_PORT=${SMOKE_PG_PORT:-54399}
export PORT=${SMOKE_PORT:-18080}
unset DATABASE_URL
base="http://127.0.0.1:$PORT"
pid=

fail() {
  echo "smoke: FAILED: $*" >&2
  [ -f "$work/api.log" ] && tail -n 40 "$work/api.log" >&2
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  exit 1
}

start_api() {
  local started=$(date +%s%N)
  npm start >"$work/api.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    if curl -fsS "$base/api/health" >/dev/null 2>&1; then
      echo "smoke: $1 start healthy after $((($(date +%s%N) - started) / 1000000)) ms (build included)"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || fail "npm start exited early"
    sleep 0.2
  done
  fail "the API did not become healthy within 120 s"
}

stop_api() {
  kill -TERM "$pid"
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -0 "$pid" 2>/dev/null && fail "npm start did not exit within 30 s of SIGTERM"
  wait "$pid" || true
  pid=
  sleep 0.5
  if pgrep -f "$EMBEDDED_PG_DATA_DIR" >/dev/null; then
    pgrep -fa "$EMBEDDED_PG_DATA_DIR" >&2
    fail "a postgres process of the smoke run is still running after SIGTERM"
  fi
}

start_api cold
curl -fsS "$base/docs-json" | grep -q '"openapi"' || fail "/docs-json is not an OpenAPI document"
account='{"username":"smoke-rider","password":"smoke-password"}'
curl -fsS -X POST "$base/api/auth/register" -H 'content-type: application/json' \
  -d '{"username":"smoke-rider","password":"smoke-password","roleId":1}' >/dev/null || fail "could not register"

stop_api

start_api warm
curl -fsS -X POST "$base/api/auth/login" -H 'content-type: application/json' -d "$account" |
  grep -q '"accessToken"' || fail "the account registered before the restart cannot log in"
stop_api

rm -rf "$work"
echo "smoke: npm start, restart and SIGTERM all behaved"
