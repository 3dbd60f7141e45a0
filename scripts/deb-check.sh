#!/usr/bin/env bash
# Checks the .deb as a user gets it, and measures the installed app's start:
#   - contents: both binaries in /usr/bin, desktop file, hicolor icons, copyright,
#     changelog, man pages; sizes within the goals; binaries stripped; no test hooks
#   - Depends: exactly the packages of the libraries the binaries link (as
#     dpkg-shlibdeps computes them), and apt can satisfy them; lintian: no errors
#   - the installed `junction` under its own Xvfb until its window titled Junction
#     shows the UI (cold: first start on a fresh profile; then warm), its WM_CLASS
#     matches the desktop file's StartupWMClass; then the installed `junction-cli
#     status` (exit 0) and `--help`, on the app's config dir.
# Run by `make test` after `make deb`; on its own (with --drop-caches, as root, the
# first start also reads the binaries from disk, not from the page cache):
#   scripts/deb-check.sh [--drop-caches] target/release/bundle/deb/Junction_<version>_amd64.deb
#
# The package is unpacked into a temporary root (dpkg-deb -x) rather than installed
# with dpkg -i: it needs no root, leaves nothing behind on a developer's machine, and
# two checkouts can run it at once. What dpkg -i would add, resolving Depends, is
# checked with `apt-get --simulate install`. Nothing in the binaries depends on where
# they are installed (the UI is embedded), so running them from the temporary root is
# running the installed app.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$PWD

drop_caches=0
if [[ "${1:-}" == "--drop-caches" ]]; then
  drop_caches=1
  shift
fi
deb=${1:?usage: scripts/deb-check.sh [--drop-caches] path/to/Junction_<version>_amd64.deb}
[[ -f "$deb" ]] || { echo "deb-check: $deb does not exist (make deb)" >&2; exit 1; }
deb=$(realpath "$deb")
artifacts=${JUNCTION_E2E_ARTIFACTS:-$root_dir/artifacts}
mkdir -p "$artifacts"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
fail() { printf 'deb-check: %s\n' "$*" >&2; exit 1; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1000000 }'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

work=$(mktemp -d /tmp/junction-deb.XXXXXX)
groups=()
pids=()
cleanup() {
  local code=$?
  for g in "${groups[@]}"; do kill -- "-$g" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT INT TERM

root=$work/root
dpkg-deb -x "$deb" "$root"
app=$root/usr/bin/junction
cli=$root/usr/bin/junction-cli
desktop=$root/usr/share/applications/Junction.desktop

say "Contents"
for f in usr/bin/junction usr/bin/junction-cli usr/share/applications/Junction.desktop \
  usr/share/doc/junction/copyright usr/share/doc/junction/changelog.gz \
  usr/share/man/man1/junction.1.gz usr/share/man/man1/junction-cli.1.gz \
  usr/share/icons/hicolor/scalable/apps/junction.svg; do
  [[ -e "$root/$f" ]] || fail "the package has no /$f"
done
sizes=(16 24 32 48 64 128 256 512)
for s in "${sizes[@]}"; do
  icon=$root/usr/share/icons/hicolor/${s}x${s}/apps/junction.png
  [[ -f "$icon" ]] || fail "no ${s}x${s} icon"
  [[ "$(identify -format %wx%h "$icon")" == "${s}x${s}" ]] || fail "$icon is not ${s}x${s}"
done
allowed=" scalable $(for s in "${sizes[@]}"; do printf '%sx%s ' "$s" "$s"; done)"
for dir in "$root"/usr/share/icons/hicolor/*; do
  [[ "$allowed" == *" $(basename "$dir") "* ]] || fail "icon directory $(basename "$dir") is not one of:$allowed"
done
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$'

say "Sizes (goals: junction < 15 MB, the .deb < 10 MB)"
app_bytes=$(stat -c %s "$app")
cli_bytes=$(stat -c %s "$cli")
deb_bytes=$(stat -c %s "$deb")
echo "junction $(mb "$app_bytes") ($app_bytes bytes), junction-cli $(mb "$cli_bytes") ($cli_bytes bytes), $(basename "$deb") $(mb "$deb_bytes") ($deb_bytes bytes)"
(( app_bytes < 15000000 )) || fail "junction is $(mb "$app_bytes"), over 15 MB"
(( deb_bytes < 10000000 )) || fail "the .deb is $(mb "$deb_bytes"), over 10 MB"

say "Binaries: stripped, no test hooks"
for bin in "$app" "$cli"; do
  file "$bin" | grep -q ', stripped' || fail "$(basename "$bin") is not stripped: $(file -b "$bin")"
done
# ui/dist is what the package's binary embedded (tauri build built it just before);
# the binary holds it compressed, so the JS is checked there.
hooks=$(scripts/find-test-hooks.sh "$app" "$cli" ui/dist)
[[ -z "$hooks" ]] || fail "the release build holds test hooks:
$hooks"
echo "no test hook in junction, junction-cli or ui/dist"

say "Depends"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
echo "Recommends: $(dpkg-deb -f "$deb" Recommends)"
# What Debian's own tooling says the binaries need (it maps each linked library to
# its package through the shlibs/symbols files).
mkdir -p "$work/shlibs/debian"
printf 'Source: junction\n\nPackage: junction\nArchitecture: any\n' >"$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$app" -e"$cli" 2>"$work/shlibdeps.log") ||
  { cat "$work/shlibdeps.log" >&2; fail "dpkg-shlibdeps failed"; }
echo "dpkg-shlibdeps: ${shlibs#shlibs:Depends=}"
names() { tr ',|' '\n\n' | sed 's/(.*//; s/[[:space:]]//g' | grep -v '^$' | sort -u; }
needed=$(names <<<"${shlibs#shlibs:Depends=}")
listed=$(names <<<"$depends")
missing=$(comm -23 <(echo "$needed") <(echo "$listed"))
extra=$(comm -13 <(echo "$needed") <(echo "$listed"))
[[ -z "$missing" ]] || fail "Depends lacks what the binaries link: $(echo $missing)"
[[ -z "$extra" ]] || fail "Depends lists what the binaries do not link: $(echo $extra)"
# The minimum versions are those of the build machine (Debian 12 in CI): a difference
# is worth a look, not a failure. (Tauri appends libwebkit2gtk-4.1-0 and libgtk-3-0
# once more without a version; dpkg requires both, the versioned one decides.)
entries() { tr ',' '\n' | sed 's/^ *//; s/ *$//'; }
while read -r entry; do
  grep -qxF "$entry" <(entries <<<"$depends") ||
    echo "note: dpkg-shlibdeps asks for '$entry' on this machine; Depends differs"
done < <(entries <<<"${shlibs#shlibs:Depends=}")
apt-get --simulate install "$deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt cannot install the package's Depends"; }
echo "apt can satisfy them"

say "lintian"
lintian --fail-on error --tag-display-limit 0 "$deb" | tee "$work/lintian.txt" ||
  fail "lintian reports errors"
echo "lintian: no errors, $(grep -c '^W:' "$work/lintian.txt" || true) warnings"

say "Desktop file"
cat "$desktop"
field() { sed -n "s/^$1=//p" "$desktop"; }
[[ "$(field Exec)" == junction ]] || fail "Exec is not junction"
[[ "$(field Icon)" == junction ]] || fail "Icon is not junction"
[[ "$(field Categories)" == *";" && -n "$(field Categories)" ]] || fail "no Categories"
wm_class=$(field StartupWMClass)
[[ -n "$wm_class" ]] || fail "no StartupWMClass"

say "The installed junction starts under Xvfb"
exec 5>"$work/display"
setsid Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
groups+=($!)
for _ in $(seq 50); do [[ -s "$work/display" ]] && break; sleep 0.1; done
[[ -s "$work/display" ]] || { cat "$work/xvfb.log" >&2; fail "Xvfb did not start"; }
export DISPLAY=":$(head -n1 "$work/display")"

# A fresh home, as for a new user: the app and the CLI find their config dir
# (~/.config/app.junction.desktop) the same way. Nothing from this shell leaks in.
home=$work/home
mkdir -p "$home"
user_env=(env -i PATH="$root/usr/bin:/usr/bin:/bin" HOME="$home" DISPLAY="$DISPLAY"
  XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
  XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$work/run" LANG=C.UTF-8)
mkdir -m 0700 "$work/run"
config_dir=$home/.config/app.junction.desktop

# A D-Bus session with an unlocked keychain (gnome-keyring's Secret Service), as a
# desktop session gives the app; the CLI uses the same one, so both see the same
# secrets. Its own bus also keeps the app's single-instance lock apart from other
# Junctions on this machine.
bus=$("${user_env[@]}" dbus-daemon --session --fork --print-address=1 --print-pid=1)
pids+=("$(sed -n 2p <<<"$bus")")
user_env+=(DBUS_SESSION_BUS_ADDRESS="$(sed -n 1p <<<"$bus")")
setsid "${user_env[@]}" gnome-keyring-daemon --foreground --unlock --components=secrets \
  <<<"junction" >"$work/keyring.log" 2>&1 &
groups+=($!)
for _ in $(seq 50); do
  "${user_env[@]}" dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true' && break
  sleep 0.1
done

# Starts the installed app, waits for its window, then for a frame that shows the
# UI: the brand mark and text in the top-left corner (hundreds of colours, where a
# blank surface has one or two). A look and the pause after it take ~0.2-0.4 s, so
# painted_ms is that coarse. Sets wid, window_ms, painted_ms.
start_app() {
  local started
  started=$(now_ms)
  setsid "${user_env[@]}" junction >"$work/app-$1.log" 2>&1 &
  app_group=$!
  groups+=("$app_group")
  wid=""
  while [[ -z "$wid" ]]; do
    (( $(now_ms) - started < 60000 )) || { cat "$work/app-$1.log" >&2; fail "no window titled Junction after 60 s"; }
    if ! kill -0 "$app_group" 2>/dev/null; then
      local status=0
      wait "$app_group" || status=$?
      cat "$work/app-$1.log" "$work/xvfb.log" >&2
      fail "junction exited (status $status) before showing a window on $DISPLAY"
    fi
    wid=$(xdotool search --onlyvisible --name '^Junction$' 2>/dev/null | head -n1 || true)
    [[ -n "$wid" ]] || sleep 0.02
  done
  window_ms=$(( $(now_ms) - started ))
  local colours=0
  while (( colours < 64 )); do
    (( $(now_ms) - started < 60000 )) || { cat "$work/app-$1.log" >&2; fail "the window stayed blank for 60 s"; }
    colours=$(import -window "$wid" -crop 400x120+0+0 ppm:- 2>/dev/null | identify -format %k - 2>/dev/null || echo 0)
    # A pause between looks: on two cores, back-to-back captures slow the start down.
    (( colours >= 64 )) || sleep 0.1
  done
  painted_ms=$(( $(now_ms) - started ))
}
stop_app() {
  kill -- "-$app_group" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$app_group" 2>/dev/null || break; sleep 0.1; done
}

if (( drop_caches )); then
  sync
  echo 3 >/proc/sys/vm/drop_caches || fail "--drop-caches needs root"
fi
start_app cold
echo "cold start (first start, fresh profile$( (( drop_caches )) && echo ", page cache dropped")): window after ${window_ms} ms, UI painted after ${painted_ms} ms"
cold_window_ms=$window_ms
cold_painted_ms=$painted_ms

title=$(xdotool getwindowname "$wid")
[[ "$title" == Junction ]] || fail "the window is titled '$title'"
class=$(xprop -id "$wid" WM_CLASS)
echo "$class"
# WM_CLASS(STRING) = "instance", "class": desktops match StartupWMClass to the class.
[[ "$class" == *", \"$wm_class\"" ]] || fail "WM_CLASS ($class) does not match StartupWMClass=$wm_class"
sleep 2 # let the cards and the status bar fill in, for the screenshot
import -window root "$artifacts/deb-installed.png"
echo "screenshot: $artifacts/deb-installed.png"

say "The installed junction-cli, next to the running app"
"${user_env[@]}" junction-cli status >"$work/status.out" 2>"$work/status.err" ||
  { cat "$work/status.out" "$work/status.err" >&2; fail "junction-cli status failed"; }
cat "$work/status.out" "$work/status.err"
for p in hubspot airtable notion; do
  grep -q "^$p: " "$work/status.out" || fail "junction-cli status has no line for $p"
done
"${user_env[@]}" junction-cli --help >"$work/help.out" || fail "junction-cli --help failed"
grep -q '^Usage: junction-cli' "$work/help.out" || fail "junction-cli --help prints no usage"
head -n 3 "$work/help.out"
stop_app

say "A second start (warm)"
start_app warm
echo "warm start: window after ${window_ms} ms, UI painted after ${painted_ms} ms"
stop_app

# The app wrote its logs into its config dir; the CLI reads its config from the same
# place: a broken config.toml there is what the CLI reports.
[[ -d "$config_dir/logs" ]] || fail "the app did not use $config_dir"
echo 'this is = not toml [' >"$config_dir/config.toml"
if "${user_env[@]}" junction-cli status >/dev/null 2>"$work/broken.err"; then
  fail "junction-cli status ignored the app's config.toml"
fi
grep -qF "$config_dir/config.toml" "$work/broken.err" ||
  fail "junction-cli did not read the app's config.toml: $(cat "$work/broken.err")"
echo "junction-cli reads the app's config dir ($config_dir)"

say "Package check passed: junction $(mb "$app_bytes"), junction-cli $(mb "$cli_bytes"), .deb $(mb "$deb_bytes"); cold start ${cold_window_ms} ms to the window, ${cold_painted_ms} ms to the painted UI"
