#!/usr/bin/env bash
# net.sh: the network benchmarks, with the shared harness in ../shared/bench/net
# (load generator, peer servers, runner, report), in one run:
# - TCP echo ping-pong on loopback: evloop against tokio's current-thread runtime,
#   smol and the C epoll server. The `evloop` row is bench/src/bin/plain_echo.rs, the
#   peers' handler exactly (echo the bytes unchanged); `evloop-upper` is the `echo`
#   example, which also upper-cases them;
# - HTTP hello world under wrk: evloop's `http_hello` against the same three.
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
(cd "$here" && cargo build --release --quiet --bin plain_echo)
mkdir -p "$work"
cp -r "$harness"/. "$work"/
chmod -R u+w "$work"
{
  printf 'evloop         echo  %s {PORT}\n' "$here/target/release/plain_echo"
  printf 'evloop-upper   echo  %s {PORT}\n' "$root/target/release-lto/examples/echo"
  printf 'evloop-http    http  %s {PORT}\n' "$root/target/release-lto/examples/http_hello"
} >>"$work/servers.tsv"
"$work/build.sh" tokio-echo smol-echo tokio-http smol-http
ONLY="${ONLY:-evloop,evloop-upper,smol,c-epoll,evloop-http,smol-http,c-http}" "$work/run.sh"
