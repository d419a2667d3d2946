#!/usr/bin/env bash
# The test command: formatting, lints, every test (unit, integration, doc), every
# example built, and the API docs built without warnings. README.md and .ci/run both
# call this script, so what a newcomer runs is what CI runs.
#
# The default build is linted on its own; everything else runs once with every
# feature on (today only `hyper`), which adds `evloop::hyper`, its examples and tests
# and changes nothing else, so one test run covers both.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --all --check"
cargo fmt --all --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo clippy --workspace --all-targets --all-features -- -D warnings"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "cargo build --workspace --examples --all-features"
cargo build --workspace --examples --all-features

step "cargo test --workspace --all-features"
cargo test --workspace --all-features

step "cargo doc --workspace --no-deps --all-features (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --quiet
