#!/usr/bin/env bash
# net.sh: the network benchmarks, with the shared harness in ../shared/bench/net
# (load generator, peer servers, runner, report), in one run:
# - TCP echo ping-pong on loopback: evloop against tokio's current-thread runtime,
#   smol and the C epoll server. The `evloop` row is bench/src/bin/plain_echo.rs, the
#   peers' handler exactly (echo the bytes unchanged); `evloop-upper` is the `echo`
#   example, which also upper-cases them;
# - HTTP hello world under wrk: evloop's `http_hello` against the same three;
# - hyper-http: hyper on evloop (the `hyper_server` example) against hyper on tokio
#   (build_cost/tokio-hyper-app: the same handler, hyper-util's tokio glue), under
#   the same wrk load; bench/hyper_http.py prints their ratios per round.
#
# The harness directory is read-only and knows servers only through its servers.tsv,
# so this script copies it to bench/target/net, adds evloop's lines, builds everything
# there and runs it. The server is pinned to CPU 0 and the load to CPU 1.
#
# Usage: bench/net.sh             (3 rounds of every phase: load, idle memory, syscalls)
#        ONLY=evloop-http,smol-http,c-http bench/net.sh    (one kind of row only)
# Knobs are the harness's: ROUNDS, SECS, PHASES, ECHO_LOADS, IDLE_N (see its README).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
harness="$root/../shared/bench/net"
work="$here/target/net"

command -v perf >/dev/null && command -v strace >/dev/null && command -v wrk >/dev/null ||
  echo "note: the harness wants perf, strace and wrk (apt-get install -y linux-perf strace wrk)" >&2

# The peers are built with lto = "fat" and codegen-units = 1; so are evloop's servers
# (the root's `release-lto` profile, and bench/'s own release profile).
(cd "$root" && cargo build --profile release-lto --quiet --example echo --example http_hello)
(cd "$root" && cargo build --profile release-lto --quiet --features hyper --example hyper_server)
(cd "$here" && cargo build --release --quiet --bin plain_echo)
CARGO_TARGET_DIR="$here/target/tokio-hyper-app" cargo build --release --quiet \
  --manifest-path "$here/build_cost/tokio-hyper-app/Cargo.toml"
mkdir -p "$work"
cp -r "$harness"/. "$work"/
chmod -R u+w "$work"
{
  printf 'evloop         echo  %s {PORT}\n' "$here/target/release/plain_echo"
  printf 'evloop-upper   echo  %s {PORT}\n' "$root/target/release-lto/examples/echo"
  printf 'evloop-http    http  %s {PORT}\n' "$root/target/release-lto/examples/http_hello"
  printf 'evloop-hyper-http  http  %s {PORT}\n' "$root/target/release-lto/examples/hyper_server"
  printf 'tokio-hyper-http   http  %s {PORT}\n' "$here/target/tokio-hyper-app/release/tokio-hyper-app"
} >>"$work/servers.tsv"
"$work/build.sh" tokio-echo smol-echo tokio-http smol-http
export OUT="${OUT:-results/$(date +%Y%m%d-%H%M%S)}"
ONLY="${ONLY:-evloop,evloop-upper,smol,c-epoll,evloop-http,smol-http,c-http,evloop-hyper-http,tokio-hyper-http}" \
  "$work/run.sh"
# The harness's HTTP ratios are against its hand-written tokio server; hyper's pair
# is compared here, round by round.
if grep -q 'server=evloop-hyper-http' "$work/$OUT/raw.txt" 2>/dev/null; then
  python3 "$here/hyper_http.py" "$work/$OUT" | tee -a "$work/$OUT/summary.md"
fi
