#!/usr/bin/env bash
# user_cpu.sh: user-space CPU per echo round trip (50 connections x 64 B) of evloop's,
# tokio's and C's echo servers, read from utime in /proc/PID/stat, the way the
# harness's README measures it. The servers take turns, round after round, so a
# host that speeds up or slows down meanwhile weighs on all of them alike.
#
# utime is sampled by the scheduler tick (250 Hz here) and reported in 10 ms units,
# and user time is only about 5% of a loopback round trip: a 5 s run counts some 60
# ticks of it, and its result moves by 15% from run to run. So each round here lasts
# 30 s by default (some 400 ticks), and the table gives the median of the rounds.
#
# Needs the servers that bench/net.sh builds (run it once first).
# Usage: bench/user_cpu.sh [ROUNDS (5)] [SECONDS PER ROUND (30)]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/target/net/bin"
rounds=${1:-5}
secs=${2:-30}
clock_ticks=$(getconf CLK_TCK)

[ -x "$bin/loadgen" ] || { echo "run bench/net.sh first: it builds $bin" >&2; exit 1; }
(cd "$here" && cargo build --release --quiet --bin plain_echo)

names=(evloop tokio c-epoll)
commands=("$here/target/release/plain_echo" "$bin/tokio-echo" "$bin/c-echo")
declare -A samples

# Prints "utime stime" of `pid`, in clock ticks.
cpu_times() { awk '{print $14, $15}' "/proc/$1/stat"; }

# One round of server `i`: warm up, then load it for `secs` and print the user and
# system µs per round trip and the round trips per second.
measure() {
  local i=$1 port server u0 s0 u1 s1 out round_trips per_second
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  taskset -c 0 "${commands[$i]}" "$port" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 100); do
    ss -ltn | grep -q "127.0.0.1:$port " && break
    sleep 0.05 # the server starts in milliseconds; bounded at 5 s
  done
  taskset -c 1 "$bin/loadgen" 127.0.0.1 "$port" 50 64 1 >/dev/null
  read -r u0 s0 < <(cpu_times "$server")
  out=$(taskset -c 1 "$bin/loadgen" 127.0.0.1 "$port" 50 64 "$secs")
  read -r u1 s1 < <(cpu_times "$server")
  kill "$server"
  wait "$server" 2>/dev/null || true
  round_trips=$(grep -o 'roundtrips=[0-9]*' <<<"$out" | cut -d= -f2)
  per_second=$(grep -o 'rtt_per_s=[0-9]*' <<<"$out" | cut -d= -f2)
  if [ -z "$round_trips" ] || [ "$round_trips" -eq 0 ]; then
    echo "${names[$i]}: the load generator completed no round trip" >&2
    exit 1
  fi
  python3 -c "print(f'{($u1 - $u0) / $clock_ticks * 1e6 / $round_trips:.3f}', \
    f'{($s1 - $s0) / $clock_ticks * 1e6 / $round_trips:.2f}', $per_second)"
}

echo "| round | server | user µs / round trip | system µs / round trip | round trips/s |"
echo "|---|---|---|---|---|"
for round in $(seq "$rounds"); do
  for i in "${!names[@]}"; do
    row=$(measure "$i") || exit 1
    read -r user system per_second <<<"$row"
    samples[${names[$i]}]+="$user "
    printf '| %d | %s | %s | %s | %s |\n' "$round" "${names[$i]}" "$user" "$system" "$per_second"
  done
done

echo
echo "| server | median user µs / round trip ($rounds rounds of ${secs} s) |"
echo "|---|---|"
for name in "${names[@]}"; do
  # shellcheck disable=SC2086 # the samples are space-separated numbers
  median=$(printf '%s\n' ${samples[$name]} | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
  printf '| %s | %s |\n' "$name" "$median"
done
