#!/usr/bin/env bash
# echo.sh: TCP echo ping-pong on loopback, evloop's `echo` example against tokio's
# current-thread runtime, smol and the C epoll server, in one run, with the shared
# harness in ../shared/bench/net (load generator, peer servers, runner, report).
#
# The harness directory is read-only and knows servers only through its servers.tsv,
# so this script copies it to bench/target/net, adds evloop's line, builds everything
# there and runs it. The server is pinned to CPU 0 and the load to CPU 1.
#
# Usage: bench/echo.sh            (3 rounds of every phase: load, idle memory, syscalls)
# Knobs are the harness's: ROUNDS, SECS, PHASES, ECHO_LOADS, IDLE_N (see its README).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
harness="$root/../shared/bench/net"
work="$here/target/net"

command -v perf >/dev/null && command -v strace >/dev/null ||
  echo "note: the syscall phase wants perf and strace (apt-get install -y linux-perf strace)" >&2

(cd "$root" && cargo build --release --quiet --example echo)
mkdir -p "$work"
cp -r "$harness"/. "$work"/
chmod -R u+w "$work"
printf 'evloop         echo  %s {PORT}\n' "$root/target/release/examples/echo" >>"$work/servers.tsv"
# The evloop echo prints one line when it starts listening; the runner only needs the port.
"$work/build.sh" tokio-echo smol-echo
ONLY="${ONLY:-evloop,smol,c-epoll}" "$work/run.sh"
