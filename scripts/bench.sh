#!/usr/bin/env bash
# `make bench`: the benchmarks, figures printed (none of them is a pass/fail test).
#   1. load:   every item from in-process fake providers (20 ms latency, rate limits
#              scaled 10×): wall time vs. floor, 429s, peak RSS per provider
#   2. export: 100,000 items to JSON, NDJSON and CSV: time and peak RSS per format
#   3. table:  the UI table in Chromium with 100,000 items (npm run bench:browser)
# Release builds; the first run compiles the dependencies once.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

# Chromium for the table benchmark comes with the test setup.
scripts/setup.sh --test

say "Load benchmark (cargo bench -p junction-core --features testing --bench load)"
# The load bench uses the embedded store; a REDIS_URL from the environment is ignored.
cargo bench -p junction-core --features testing --bench load

say "Export benchmark (cargo bench -p junction-core --bench export)"
cargo bench -p junction-core --bench export

say "Table benchmark (npm --prefix ui run bench:browser)"
npm --prefix ui run bench:browser
