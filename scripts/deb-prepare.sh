#!/usr/bin/env bash
# Run by `tauri build` before it bundles (tauri.conf.json, beforeBundleCommand):
# stages what the .deb carries besides the app (bundle.linux.deb.files): junction-cli,
# the compressed changelog and man pages.
#
# `make deb` has tauri build the app and the CLI in one cargo run (`-- -p junction -p
# junction-cli`): one feature resolution, so the dependencies they share compile once.
# The same cargo command here is then a no-op; after a plain `tauri build` (app only)
# it builds the CLI, so the package never carries a stale one.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

profile=release
[[ "${TAURI_ENV_DEBUG:-false}" == "true" ]] && profile=debug
args=(build --locked -p junction -p junction-cli --bins --features tauri/custom-protocol)
[[ $profile == release ]] && args+=(--release)
# Only a cross build names its target: naming the host's own triple would put the
# binaries in another directory and compile every dependency a second time.
host=$(rustc -vV | sed -n 's/^host: //p')
triple=${TAURI_ENV_TARGET_TRIPLE:-$host}
out_dir=$profile
if [[ "$triple" != "$host" ]]; then
  args+=(--target "$triple")
  out_dir="$triple/$profile"
fi
cargo "${args[@]}"

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
stage=gen/deb
rm -rf "$stage"
mkdir -p "$stage"
install -m 0755 "$target_dir/$out_dir/junction-cli" "$stage/junction-cli"
# Debian wants these compressed with -9 and no timestamp (-n), for reproducible builds.
gzip -9n <packaging/deb/changelog >"$stage/changelog.gz"
for page in junction.1 junction-cli.1; do
  gzip -9n <"packaging/deb/$page" >"$stage/$page.gz"
done
