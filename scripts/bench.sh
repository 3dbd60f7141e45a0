#!/usr/bin/env bash
# `make bench`: the benchmarks, figures printed (none of them is a pass/fail test).
#   1. load:   every item from in-process fake providers (20 ms latency, rate limits
#              scaled 10×): wall time vs. floor, 429s, peak RSS per provider
#   2. export: 100,000 items to JSON, NDJSON and CSV: time and peak RSS per format
#   2b. store: the item store at 100,000 and 1,000,000 items (ingest, cold open, sorts,
#              windows, searches, exports, memory)
#   3. table:  the UI table in Chromium with 100,000 items (npm run bench:browser)
#   4. table:  the same in the real app window (WebKitGTK under Xvfb), loaded over HTTP
# Release builds; the first run compiles the dependencies once.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

# Chromium for the table benchmark comes with the test setup.
scripts/setup.sh --test

say "Load benchmark (cargo bench -p junction-core --bench load)"
# The load bench uses the embedded store; a REDIS_URL from the environment is ignored.
cargo bench -p junction-core --bench load

say "Export benchmark (cargo bench -p junction-core --bench export)"
cargo bench -p junction-core --bench export

say "Item store benchmark (cargo bench -p junction-core --bench store)"
cargo bench -p junction-core --bench store

say "Table benchmark (npm --prefix ui run bench:browser)"
npm --prefix ui run bench:browser

say "Table benchmark in the real app window (WebKitGTK under Xvfb, through tauri-driver)"
# The app embeds the UI's test build here (TAURI_CONFIG points it at ui/dist-test):
# the bench reads the table's timings from window.__JUNCTION_PERF__.
npm --prefix ui run build:test
export TAURI_CONFIG='{"build":{"frontendDist":"ui/dist-test"}}'
work=$(mktemp -d /tmp/junction-bench.XXXXXX)
xvfb=""
trap '[[ -n "$xvfb" ]] && kill "$xvfb" 2>/dev/null; rm -rf "$work"' EXIT
exec 5> "$work/display"
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
for _ in $(seq 50); do [[ -s "$work/display" ]] && break; sleep 0.1; done
[[ -s "$work/display" ]] || { echo "Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }
DISPLAY=":$(head -n1 "$work/display")" env -u REDIS_URL JUNCTION_E2E_ARTIFACTS="$PWD/artifacts" \
  dbus-run-session -- cargo bench -p junction --bench webkit_table
