#!/usr/bin/env bash
# Installs what Junction needs on Debian/Ubuntu, and nothing twice.
#   scripts/setup.sh          what `make run` needs: build packages, the UI's node packages
#   scripts/setup.sh --test   plus what `make test` needs: redis, Xvfb, WebKitWebDriver,
#                             tauri-driver, a Secret Service, Chromium, and for the
#                             package check lintian and xdotool
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# Versions we need: Tauri 2.x needs Rust 1.90; Vite and Vitest 4 need Node 20.19.
MIN_RUST=1.90.0
MIN_NODE=20.19.0
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }

export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || die "Rust is not installed: install rustup (https://rustup.rs), then run this again."
rust_version=$(rustc --version | awk '{print $2}')
version_ge "$rust_version" "$MIN_RUST" || die "Rust $rust_version is too old: Junction needs $MIN_RUST or newer (rustup update stable)."
command -v node >/dev/null || die "Node.js is not installed: Junction needs Node $MIN_NODE or newer."
node_version=$(node --version | sed 's/^v//')
version_ge "$node_version" "$MIN_NODE" || die "Node $node_version is too old: Junction needs $MIN_NODE or newer."
command -v npm >/dev/null || die "npm is not installed (it ships with Node.js)."

packages=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config)
if (( want_test )); then
  packages+=(xvfb xauth webkit2gtk-driver redis-server redis-tools dbus dbus-x11 gnome-keyring
    libsecret-tools keyutils imagemagick x11-utils chromium lintian xdotool)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  command -v apt-get >/dev/null || die "missing system packages (${missing[*]}) and no apt-get: install them by hand."
  sudo=()
  if (( EUID != 0 )); then
    command -v sudo >/dev/null || die "missing system packages (${missing[*]}): run as root or install sudo."
    sudo=(sudo)
  fi
  say "Installing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q
  # `env` inside sudo: sudo's env_reset would drop DEBIAN_FRONTEND (debconf prompts).
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}"
fi

# The UI's node packages, from the lock file; again only when the lock changed.
stamp=ui/node_modules/.junction-lock
if [[ ! -f "$stamp" ]] || ! cmp -s ui/package-lock.json "$stamp"; then
  say "Installing the UI's node packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund)
  cp ui/package-lock.json "$stamp"
fi

if (( want_test )); then
  if ! command -v tauri-driver >/dev/null && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
    say "Installing tauri-driver"
    cargo install tauri-driver --version '^2' --locked
  fi
fi
