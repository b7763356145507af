#!/usr/bin/env bash
# Builds Anbao and serves a fresh demo on SQLite with realistic Chinese data; prints the demo sign-ins.
# Extra arguments go to `anbao demo`, e.g. `scripts/demo.sh --bind 0.0.0.0:8080`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Chinese fonts for the PDF documents (Debian's Noto CJK); the pages need none.
if ! { command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi "Noto Serif CJK"; }; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null ||
    echo "warning: install fonts-noto-cjk for the PDF documents" >&2
fi
cargo build --release --locked -p anbao
exec ./target/release/anbao demo "$@"
