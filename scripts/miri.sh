#!/usr/bin/env bash
# Runs the tests that exercise unsafe code (the task allocation, the waker vtable,
# the queues, the eventfd and epoll wrappers, and with the `hyper` feature the filling
# of hyper's read buffer) under Miri, which checks every pointer use against Rust's
# aliasing and memory rules. Tests that need what Miri cannot model
# (child processes, /proc, getrusage, real sockets) are skipped inside the tests with
# cfg(miri).
#
# Installs the nightly Miri components if they are missing. If that fails (no network,
# no nightly toolchain), it says so in one loud line and exits 0: CI must not go red
# because a tool could not be fetched, and must not hide that Miri did not run.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! cargo +nightly miri --version >/dev/null 2>&1; then
  if ! rustup component add --toolchain nightly miri rust-src >/tmp/evloop-miri-install.log 2>&1; then
    echo "!!!!! MIRI SKIPPED: could not install nightly miri + rust-src ($(tail -n 1 /tmp/evloop-miri-install.log)) !!!!!"
    exit 0
  fi
fi

set -e
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/miri"
echo "== cargo +nightly miri test (lib unit tests and the executor's integration tests)"
cargo +nightly miri setup --quiet
cargo +nightly miri test -p evloop --features hyper --lib --test tasks --test shutdown --test panics --test wakes
