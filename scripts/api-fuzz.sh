#!/usr/bin/env bash
# Property-based test of the JSON API against its own OpenAPI document (schemathesis, from PyPI): a fresh demo on
# SQLite, signed in as the province security department, every operation but sign-out. Fails on a 5xx, a status
# the document does not list for the operation, an answer whose media type or body is not the one documented, or a
# schema-valid request refused (positive_data_acceptance) by an operation not listed in scripts/schemathesis.toml,
# which says why each listed one may refuse.
# Usage: scripts/api-fuzz.sh [path to the anbao binary]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/debug/anbao}"
port="${ANBAO_FUZZ_PORT:-18931}"
base="http://127.0.0.1:$port"

venv=target/schemathesis-venv
if ! test -x "$venv/bin/schemathesis"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/schemathesis-requirements.txt
fi

work=$(mktemp -d)
"$bin" demo --db "sqlite://$work/demo.db" --bind "127.0.0.1:$port" --records-days 30 >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 180); do curl -sf "$base/healthz" >/dev/null && break; sleep 1; done
curl -sf "$base/healthz" >/dev/null || { tail -20 "$work/serve.log"; exit 1; }

token=$(curl -sf -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"baowei","password":"anbao-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

"$venv/bin/schemathesis" --config-file scripts/schemathesis.toml run "$base/api/openapi.json" --url "$base" \
  -H "Authorization: Bearer $token" --exclude-path /api/v1/auth/logout \
  --phases examples,coverage,fuzzing --max-examples "${ANBAO_FUZZ_EXAMPLES:-20}" --seed 20261207 -w 1 \
  --suppress-health-check all
