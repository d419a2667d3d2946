#!/usr/bin/env bash
# instructions.sh: user-space instructions per round trip (echo, 50 connections x 64 B)
# and per request (HTTP, wrk -t1 -c50), counted by callgrind, for evloop and the
# harness's tokio and C servers.
#
# Times on this host drift by tens of percent between runs; callgrind's instruction
# counts do not (the same binary and load give the same count to within 1%). They
# show what evloop's own code costs, not what the kernel does: loopback echo spends
# most of its CPU in the kernel, which valgrind does not see. Under valgrind the
# server is slower, so each epoll_wait returns more events than in a timed run.
#
# The hyper rows are hyper on evloop (the hyper_server example) and on tokio
# (build_cost/tokio-hyper-app), the same handler: net.sh's hyper-http pair.
#
# Needs the servers that bench/net.sh builds (run it once first) and valgrind.
# Usage: bench/instructions.sh [echo] [http] [hyper]    (default: all three groups)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
bin="$here/target/net/bin"
work="$here/target/instructions"
round_trips=20000

groups=" ${*:-echo http hyper} "
tokio_hyper="$here/target/tokio-hyper-app/release/tokio-hyper-app"
[ -x "$bin/loadgen" ] || { echo "run bench/net.sh first: it builds $bin" >&2; exit 1; }
[[ $groups != *" hyper "* || -x $tokio_hyper ]] || { echo "run bench/net.sh first: it builds $tokio_hyper" >&2; exit 1; }
(cd "$root" && cargo build --profile release-lto --quiet --example http_hello)
(cd "$root" && cargo build --profile release-lto --quiet --features hyper --example hyper_server)
(cd "$here" && cargo build --release --quiet --bin plain_echo)
mkdir -p "$work"

# Starts `$@ PORT` under callgrind on CPU 0; sets `server` (its pid) and `port`.
start_under_callgrind() {
  local name=$1
  shift
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  rm -f "$work/$name".*
  taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$work/$name.%p" "$@" "$port" \
    >"$work/$name.log" 2>&1 &
  server=$!
  for _ in $(seq 200); do
    ss -ltn | grep -q "127.0.0.1:$port " && return 0
    sleep 0.1 # valgrind takes a few seconds to start; bounded at 20 s
  done
  echo "$name did not start listening; see $work/$name.log" >&2
  exit 1
}

# Dumps the counters of `server`, stops it and prints the instructions counted.
instructions_since_zero() {
  local name=$1
  callgrind_control -d "$server" >/dev/null 2>&1
  kill "$server"
  wait "$server" 2>/dev/null || true
  local dump
  dump=$(ls -t "$work/$name".*.* | head -1)
  callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}'
}

echo_row() {
  local name=$1
  shift
  start_under_callgrind "$name" "$@"
  taskset -c 1 "$bin/loadgen" 127.0.0.1 "$port" 50 64 2 1 2000 >/dev/null # warm-up
  callgrind_control -z "$server" >/dev/null 2>&1
  taskset -c 1 "$bin/loadgen" 127.0.0.1 "$port" 50 64 120 1 "$round_trips" >/dev/null
  local total
  total=$(instructions_since_zero "$name")
  printf '| %-12s | echo 50 x 64 B | %d | %d |\n' "$name" "$((total / round_trips))" "$round_trips"
}

http_row() {
  local name=$1
  shift
  start_under_callgrind "$name" "$@"
  taskset -c 1 wrk -t1 -c50 -d1s "http://127.0.0.1:$port/" >/dev/null # warm-up
  callgrind_control -z "$server" >/dev/null 2>&1
  local requests total
  requests=$(taskset -c 1 wrk -t1 -c50 -d3s "http://127.0.0.1:$port/" |
    awk '/requests in/ {print $1}')
  total=$(instructions_since_zero "$name")
  printf '| %-12s | http wrk -c50 | %d | %d |\n' "$name" "$((total / requests))" "$requests"
}

echo "| server | load | instructions per round trip / request | measured |"
echo "|---|---|---|---|"
if [[ $groups == *" echo "* ]]; then
  echo_row evloop "$here/target/release/plain_echo"
  echo_row tokio "$bin/tokio-echo"
  echo_row c-epoll "$bin/c-echo"
fi
if [[ $groups == *" http "* ]]; then
  http_row evloop-http "$root/target/release-lto/examples/http_hello"
  http_row tokio-http "$bin/tokio-http"
  http_row c-http "$bin/c-http"
fi
if [[ $groups == *" hyper "* ]]; then
  http_row evloop-hyper "$root/target/release-lto/examples/hyper_server"
  http_row tokio-hyper "$tokio_hyper"
fi
