#!/usr/bin/env bash
# Province-scale benchmarks of Anbao, each beside its baseline, on one machine. Usage:
#   bench/run.sh [scale] [database-url]      scale: province (default), or a factor such as 0.25 or 4
# With no URL, a SQLite file under bench-data/ is generated once and reused. Needs wrk (installed if missing).
# Prints the figures; docs/performance.md records them. Nothing here asserts a speed.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-province}"
URL="${2:-sqlite://bench-data/anbao-${SCALE}.db}"
DAYS="${DAYS:-365}"
DURATION="${DURATION:-10s}"
PORT="${PORT:-18090}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --locked -p anbao >/dev/null
BIN=target/release/anbao
mkdir -p bench-data

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB, $(uname -r)"
if [[ "$URL" == sqlite://* && ! -f "${URL#sqlite://}" ]] || [[ "${REGENERATE:-0}" == 1 ]]; then
  echo "== generate ($SCALE, $DAYS days)"
  /usr/bin/time -f "generation: %e s wall, peak RSS %M KiB" "$BIN" --db "$URL" bench generate --scale "$SCALE" --days "$DAYS"
fi

echo "== raw SQLite autocommit inserts (baseline of the write path)"
"$BIN" bench raw-insert --rows 20000 --file bench-data/raw-insert.db

echo "== PDF: a 500-row register (the custody table) typeset in-process, first (fonts read) and median of 4"
"$BIN" bench pdf --rows 500 --runs 5

echo "== engine, in-process (cold = first call after start, warm = median of 5)"
"$BIN" --db "$URL" bench engine --runs 5

echo "== cold start to first answer"
start=$(date +%s%N)
ANBAO_LOG=warn ANBAO_REMINDER_MINUTES=0 "$BIN" --db "$URL" --bind "127.0.0.1:$PORT" serve >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do kill -0 $PID || exit 1; sleep 0.005; done
echo "cold start: $(( ($(date +%s%N) - start) / 1000000 )) ms"

token() { curl -sf -X POST -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"anbao-bench\"}" \
  "http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])'; }
TELLER=$(token bench.teller)
PROVINCE=$(token bench.province)
ATM=$(curl -sf -H "authorization: Bearer $TELLER" "http://127.0.0.1:$PORT/api/v1/assets?kind=atm" | python3 -c 'import sys,json;print(json.load(sys.stdin)[0]["id"])')
COOKIE=$(curl -s -o /dev/null -D - -d 'username=bench.province&password=anbao-bench' "http://127.0.0.1:$PORT/login" | sed -n 's/^set-cookie: \(anbao_session=[^;]*\).*/\1/ip')

echo "== write path: ATM patrol through the JSON API, audited, 64 connections"
TOKEN=$TELLER ATM=$ATM wrk -t2 -c64 -d"$DURATION" --latency -s bench/post-patrol.lua "http://127.0.0.1:$PORT/api/v1/records" | grep -E "Requests/sec|99%|50%|Non-2xx|requests in"

echo "== list page, 50 rows, JSON (province scope), 64 connections"
wrk -t2 -c64 -d"$DURATION" --latency -H "authorization: Bearer $PROVINCE" "http://127.0.0.1:$PORT/api/v1/staff?page=3" | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== list page, 50 rows, HTML (province scope), 64 connections"
wrk -t2 -c64 -d"$DURATION" --latency -H "cookie: $COOKIE" "http://127.0.0.1:$PORT/staff?page=3" | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== record list, 50 rows, JSON (province scope, 8.7 million records at scale 1), 64 connections"
wrk -t2 -c64 -d"$DURATION" --latency -H "authorization: Bearer $PROVINCE" "http://127.0.0.1:$PORT/api/v1/records?page=3" | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== province dashboard page (12-month evaluation), 4 connections"
wrk -t1 -c4 -d"$DURATION" --latency -H "cookie: $COOKIE" "http://127.0.0.1:$PORT/compliance" | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "server peak RSS: $(grep VmHWM /proc/$PID/status | awk '{print $2 " " $3}')"

if [[ "$URL" == postgres* ]]; then
  echo "== PostgreSQL: two instances sharing the database, writes on both at once"
  ANBAO_LOG=warn ANBAO_REMINDER_MINUTES=0 "$BIN" --db "$URL" --bind "127.0.0.1:$((PORT+2))" serve >/dev/null 2>&1 &
  PID2=$!
  until curl -sf "http://127.0.0.1:$((PORT+2))/healthz" >/dev/null; do sleep 0.01; done
  before=$(psql "$URL" -Atc "SELECT COUNT(*) FROM records")
  TOKEN=$TELLER ATM=$ATM wrk -t1 -c32 -d"$DURATION" -s bench/post-patrol.lua "http://127.0.0.1:$PORT/api/v1/records" > bench-data/w1.txt &
  W1=$!
  TOKEN=$TELLER ATM=$ATM wrk -t1 -c32 -d"$DURATION" -s bench/post-patrol.lua "http://127.0.0.1:$((PORT+2))/api/v1/records" > bench-data/w2.txt
  wait $W1
  after=$(psql "$URL" -Atc "SELECT COUNT(*) FROM records")
  sent=$(cat bench-data/w1.txt bench-data/w2.txt | awk '/requests in/{s+=$1} /Non-2xx/{f+=$4} END{print s-f}')
  echo "instance 1: $(grep Requests/sec bench-data/w1.txt)"; echo "instance 2: $(grep Requests/sec bench-data/w2.txt)"
  echo "successful writes reported: $sent; new records in the database: $((after - before))"
  kill $PID2
fi
kill $PID; wait $PID 2>/dev/null || true

echo "== baseline: minimal axum handler, fixed 50-row JSON, 64 connections"
"$BIN" --bind "127.0.0.1:$((PORT+1))" bench baseline-http >/dev/null 2>&1 &
BPID=$!
trap 'kill $BPID 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$((PORT+1))/list" >/dev/null; do sleep 0.01; done
wrk -t2 -c64 -d"$DURATION" --latency "http://127.0.0.1:$((PORT+1))/list" | grep -E "Requests/sec|99%|50%"
kill $BPID
