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

# The server of the round in progress; stopped however the script ends, so an
# interrupted run leaves nothing pinned to CPU 0.
server=""
stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# Fails the run with a message (inside `measure`, whose caller exits on failure).
fail() {
  echo "user_cpu.sh: $*" >&2
  return 1
}

# Prints "utime stime" of `pid`, in clock ticks.
cpu_times() { awk '{print $14, $15}' "/proc/$1/stat"; }

# One round of server `i` (run in the script's own shell, not a subshell, so the
# traps see `server`): warm up, then load it for `secs`; sets `row` to the user and
# system µs per round trip and the round trips per second.
measure() {
  local i=$1 name=${names[$1]} port listening=no u0 s0 u1 s1 out round_trips per_second
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  taskset -c 0 "${commands[$i]}" "$port" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 100); do
    if [ -n "$(ss -Hltn "sport = :$port")" ]; then
      listening=yes
      break
    fi
    sleep 0.05 # the server starts in milliseconds; bounded at 5 s
  done
  [ "$listening" = yes ] || fail "$name did not listen on port $port within 5 s" || return 1
  taskset -c 1 "$bin/loadgen" 127.0.0.1 "$port" 50 64 1 >/dev/null ||
    fail "$name: the warm-up load failed" || return 1
  read -r u0 s0 < <(cpu_times "$server") || fail "$name exited" || return 1
  out=$(taskset -c 1 "$bin/loadgen" 127.0.0.1 "$port" 50 64 "$secs") ||
    fail "$name: the load generator failed: $out" || return 1
  read -r u1 s1 < <(cpu_times "$server") || fail "$name exited under load" || return 1
  stop_server
  grep -q ' errors=0 ' <<<"$out" || fail "$name: the load generator saw errors: $out" || return 1
  round_trips=$(grep -o 'roundtrips=[0-9]*' <<<"$out" | cut -d= -f2)
  per_second=$(grep -o 'rtt_per_s=[0-9]*' <<<"$out" | cut -d= -f2)
  [ "${round_trips:-0}" -gt 0 ] || fail "$name: no round trip completed: $out" || return 1
  row=$(python3 -c "print(f'{($u1 - $u0) / $clock_ticks * 1e6 / $round_trips:.3f}', \
    f'{($s1 - $s0) / $clock_ticks * 1e6 / $round_trips:.2f}', $per_second)")
}

echo "| round | server | user µs / round trip | system µs / round trip | round trips/s |"
echo "|---|---|---|---|---|"
for round in $(seq "$rounds"); do
  for i in "${!names[@]}"; do
    measure "$i" || exit 1
    read -r user system per_second <<<"$row"
    samples[${names[$i]}]+="$user "
    printf '| %d | %s | %s | %s | %s |\n' "$round" "${names[$i]}" "$user" "$system" "$per_second"
  done
done

echo
echo "| server | median user µs / round trip ($rounds rounds of ${secs} s) |"
echo "|---|---|"
for name in "${names[@]}"; do
  # The middle sample; with an even count, the mean of the two middle ones.
  # shellcheck disable=SC2086 # the samples are space-separated numbers
  median=$(printf '%s\n' ${samples[$name]} | sort -n |
    awk '{v[NR] = $1} END {m = int((NR + 1) / 2); printf "%.3f\n", (v[m] + v[NR + 1 - m]) / 2}')
  printf '| %s | %s |\n' "$name" "$median"
done
