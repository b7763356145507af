#!/usr/bin/env bash
# Runs every test of Anbao on a fresh machine: formatting and lints, the Rust unit and integration tests on SQLite
# and again on PostgreSQL, and the headless-Chromium tests of the key pages. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL="${ANBAO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

step() { printf '\n== %s\n' "$*"; }

step "system packages"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi "Noto Sans CJK"; } || need+=(fonts-noto-cjk)
# poppler's pdftoppm and pdftotext, to look inside the PDFs the documents' tests make.
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
command -v pg_isready >/dev/null 2>&1 || need+=(postgresql postgresql-client)
# OpenLDAP's server, for the directory sign-in tests (each test starts its own on loopback; none runs as a service).
test -x /usr/sbin/slapd || need+=(slapd)
# Python's venv, for the API's property-based tester (schemathesis, pinned in scripts/schemathesis-requirements.txt).
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if ((${#need[@]})); then
  echo "installing: ${need[*]}"
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

step "PostgreSQL at 127.0.0.1:5432"
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
psql "$PG_URL" -Atqc "SELECT 1" >/dev/null
# Databases left by interrupted earlier runs.
for db in $(psql "$PG_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'anbao_t_%'"); do
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
done

step "format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests on SQLite"
cargo test --workspace --locked

step "tests on PostgreSQL"
ANBAO_TEST_POSTGRES_URL="$PG_URL" cargo test --workspace --locked
# Each test binary leaves the template databases its tests copied from (testkit builds them once per binary).
for db in $(psql "$PG_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'anbao_t_%'"); do
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
done

step "benchmark smoke (small scale; the figures are not checked)"
test -x target/debug/anbao || cargo build --locked -p anbao
smoke=$(mktemp -d)
target/debug/anbao --db "sqlite://$smoke/smoke.db" bench generate --scale 0.005 --days 14
target/debug/anbao --db "sqlite://$smoke/smoke.db" bench engine --runs 1
target/debug/anbao --db "sqlite://$smoke/smoke.db" audit verify
psql "$PG_URL" -qc "DROP DATABASE IF EXISTS anbao_bench_smoke" >/dev/null
psql "$PG_URL" -qc "CREATE DATABASE anbao_bench_smoke" >/dev/null
PG_SMOKE="${PG_URL%/*}/anbao_bench_smoke"
target/debug/anbao --db "$PG_SMOKE" bench generate --scale 0.005 --days 14
target/debug/anbao --db "$PG_SMOKE" bench engine --runs 1
target/debug/anbao --db "$PG_SMOKE" audit verify
psql "$PG_URL" -qc "DROP DATABASE IF EXISTS anbao_bench_smoke" >/dev/null
rm -rf "$smoke"

step "browser tests (headless Chromium)"
# `cargo test --workspace` above built target/debug/anbao with the same features; the browser tests drive it.
test -x target/debug/anbao || cargo build --locked -p anbao
(cd e2e && npm ci --no-audit --no-fund --loglevel=error && npm test)
echo "screenshots: e2e/screenshots/"

step "API against its OpenAPI document (schemathesis, on a fresh demo)"
bash scripts/api-fuzz.sh target/debug/anbao
