#!/usr/bin/env bash
# Builds Anbao and serves a fresh demo on SQLite with realistic Chinese data; prints the demo sign-ins.
# Extra arguments go to `anbao demo`, e.g. `scripts/demo.sh --bind 0.0.0.0:8080`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p anbao
exec ./target/release/anbao demo "$@"
