#!/usr/bin/env bash
# Prints "NAME<TAB>FILE" for each test-hook name found in the given files or
# directories (searched recursively, binaries included); prints nothing when there
# are none. The names: the end-to-end build's hooks (src-tauri/src/e2e_hooks.rs),
# the UI test build's (ui/src/backend/mock.ts, ui/src/perf.ts), and the page-side
# save hook that is gone, so that it never comes back.
#   scripts/find-test-hooks.sh target/release/junction ui/dist
set -euo pipefail

names=(JUNCTION_TEST_OPEN_URL_LOG JUNCTION_TEST_SAVE_PATH __JUNCTION_TEST_SAVE_PATH__
  __JUNCTION_MOCK__ __JUNCTION_PERF__)
for target in "$@"; do
  [[ -e "$target" ]] || { echo "find-test-hooks: $target does not exist" >&2; exit 2; }
  for name in "${names[@]}"; do
    grep -rlaF -- "$name" "$target" | sed "s|^|$name\t|" || true
  done
done
