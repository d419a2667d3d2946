#!/usr/bin/env bash
# The test command: formatting, lints, every test (unit, integration, doc), every
# example built, and the API docs built without warnings. README.md and .ci/run both
# call this script, so what a newcomer runs is what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --all --check"
cargo fmt --all --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo build --workspace --examples"
cargo build --workspace --examples

step "cargo test --workspace"
cargo test --workspace

step "cargo doc --workspace --no-deps (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
