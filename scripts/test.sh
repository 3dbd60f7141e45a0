#!/usr/bin/env bash
# `make test`: every test layer against real parts.
#   - a throwaway redis-server on a free port (REDIS_URL)
#   - an Xvfb display for the real app window
#   - a D-Bus session with gnome-keyring's Secret Service for the keychain tests
# and last the release package: `make deb`, then scripts/deb-check.sh (contents,
# Depends, lintian, the installed app and CLI running under Xvfb).
# Everything started here is stopped on exit, failure included.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
started=$(date +%s)

scripts/setup.sh --test

work=$(mktemp -d /tmp/junction-test.XXXXXX)
pids=()
redis_port=""
cleanup() {
  local code=$?
  [[ -n "$redis_port" ]] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT INT TERM

free_port() {
  local port
  for _ in $(seq 50); do
    port=$(( 20000 + RANDOM % 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port found" >&2; return 1
}

say "Starting redis-server"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$redis_port" ping >/dev/null || { echo "redis-server did not start" >&2; cat "$work/redis.log" >&2; exit 1; }
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
echo "REDIS_URL=$REDIS_URL"

say "Starting Xvfb"
exec 5> "$work/display"
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -s "$work/display" ]] && break; sleep 0.1; done
[[ -s "$work/display" ]] || { echo "Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$work/display")"
echo "DISPLAY=$DISPLAY"

say "Building the UI (the product build, which every Rust build of the app embeds)"
npm --prefix ui run build

say "Lint: cargo fmt, clippy, tsc"
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
npm --prefix ui run typecheck

say "UI unit tests (Vitest)"
npm --prefix ui test

say "Rust tests (workspace, all targets), with a Secret Service for the keychain tests"
# A fresh XDG_DATA_HOME gives gnome-keyring a new, unlocked login keyring.
export JUNCTION_TEST_KEYRING=1 JUNCTION_REQUIRE_SERVICES=1
XDG_DATA_HOME="$work/xdg" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n junction-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --workspace --all-targets --all-features
'

say "End-to-end: the real app window under Xvfb through tauri-driver + WebKitWebDriver"
# The e2e feature: the app binary these tests start has the test hooks (e2e_hooks.rs).
mkdir -p artifacts
JUNCTION_E2E_ARTIFACTS="$root/artifacts" dbus-run-session -- \
  cargo test -p junction --features e2e --test e2e -- --ignored --test-threads=1

say "UI browser tests (Playwright in Chromium against the mock backend)"
npm --prefix ui run test:browser

say "The test-hook check finds the hooks in the test builds (so its pass on the package means something)"
target_dir=${CARGO_TARGET_DIR:-target}
found=$(scripts/find-test-hooks.sh "$target_dir/debug/junction" ui/dist-test)
for name in JUNCTION_TEST_OPEN_URL_LOG JUNCTION_TEST_SAVE_PATH __JUNCTION_MOCK__ __JUNCTION_PERF__; do
  grep -q "^$name"$'\t' <<<"$found" || { echo "the e2e binary and the UI test build hold no $name" >&2; exit 1; }
done
echo "found: $(cut -f1 <<<"$found" | sort -u | tr '\n' ' ')"

say "Release package: make deb, then check it unpacked and running"
deb_started=$(date +%s)
make deb
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' tauri.conf.json)
deb_built=$(date +%s)
scripts/deb-check.sh "$target_dir/release/bundle/deb/Junction_${version}_amd64.deb"
echo "release build and bundle $(( deb_built - deb_started )) s, package check $(( $(date +%s) - deb_built )) s"

say "All test layers passed in $(( $(date +%s) - started )) s"
