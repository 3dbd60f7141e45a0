# Junction: the two commands.
#   make run    set up what is missing, build the UI, start the app (embedded store)
#   make test   set up what tests need, start Redis + Xvfb, run every test layer
SHELL := /bin/bash
.DEFAULT_GOAL := run
# rustup installs into ~/.cargo/bin; a shell opened before that has no PATH entry yet.
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test bench fuzz setup setup-test ui lint bindings deb clean

run: setup ui
	env -u REDIS_URL cargo run -p junction

test:
	scripts/test.sh

bench:
	scripts/bench.sh

# 1,000,000 generated inputs through every parser of untrusted input; prints the
# panics (must be 0). `make test` runs a small part of it.
fuzz: setup
	cargo bench -p junction-core --bench fuzz

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

# Writes ui/src/backend/bindings.ts again from the Rust commands and types
# (src-tauri/src/contract.rs); `make test` fails while the committed file is stale.
bindings: setup
	JUNCTION_WRITE_BINDINGS=1 cargo test -p junction --lib contract::tests::bindings_are_current

# A Debian package of the release build with the app and junction-cli (AppImage
# cannot bundle offline). tauri.conf.json's hooks build the product UI first and
# stage the CLI last; both binaries come from one cargo run (scripts/deb-prepare.sh).
deb: setup
	ui/node_modules/.bin/tauri build --bundles deb -- --locked -p junction -p junction-cli

clean:
	cargo clean
	rm -rf ui/dist ui/dist-test ui/node_modules artifacts gen/deb
