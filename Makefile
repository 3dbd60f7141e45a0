# Junction: the two commands.
#   make run    set up what is missing, build the UI, start the app (embedded store)
#   make test   set up what tests need, start Redis + Xvfb, run every test layer
SHELL := /bin/bash
.DEFAULT_GOAL := run
# rustup installs into ~/.cargo/bin; a shell opened before that has no PATH entry yet.
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test bench setup setup-test ui lint deb clean

run: setup ui
	env -u REDIS_URL cargo run -p junction

test:
	scripts/test.sh

bench:
	scripts/bench.sh

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

ui: setup
	npm --prefix ui run build

lint: setup ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	npm --prefix ui run typecheck

# A Debian package of the release build (AppImage cannot bundle offline).
deb: setup ui
	ui/node_modules/.bin/tauri build --bundles deb

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules artifacts
