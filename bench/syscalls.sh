#!/usr/bin/env bash
# syscalls.sh: system calls per wake of a parked loop by a message from another
# thread (the remote_mpsc_latency workload: 10,000 messages, each sent after the
# runtime has gone idle), for evloop, tokio and smol, counted by perf's syscall
# tracepoints over the whole process.
#
# Counted: what a wake can cost, on either side. The sending thread's eventfd or
# futex write, the loop's epoll_wait (and friends), reads, futexes, polls. Not
# counted: the sending thread's pacing, which is no part of a wake: the 50 us
# nanosleep before each message and the sched_yield calls with which it waits for
# the message to be taken.
#
# Usage: bench/syscalls.sh [RUNTIME...]   (default: evloop tokio smol)
set -euo pipefail
cd "$(dirname "$0")"

command -v perf >/dev/null || { echo "syscalls.sh needs perf (apt-get install -y linux-perf)" >&2; exit 1; }
cargo build --release --quiet --bin executor

# Kept in step with MESSAGES in src/workloads/sync/remote_mpsc_latency.rs.
messages=10000
events=(write read epoll_wait epoll_pwait epoll_pwait2 futex poll ppoll eventfd2)
event_list=$(printf 'syscalls:sys_enter_%s,' "${events[@]}")
event_list=${event_list%,}

printf '%-8s %10s  %s\n' runtime "per wake" "per wake, by system call"
for runtime in "${@:-evloop tokio smol}"; do
  for rt in $runtime; do
    counts=$(taskset -c "${BENCH_CPU:-1}" perf stat -x, -e "$event_list" \
      target/release/executor child remote_mpsc_latency "$rt" 1 2>&1 >/dev/null |
      awk -F, '$3 ~ /syscalls:sys_enter_/ { sub("syscalls:sys_enter_", "", $3); print $3, $1 }')
    total=0
    detail=""
    while read -r name count; do
      [ "$count" = "<not" ] && continue
      total=$((total + count))
      # Calls made once per run (start-up, shutdown) round to nothing per wake.
      detail+=$(awk -v n="$name" -v c="$count" -v m="$messages" 'BEGIN { if (c / m >= 0.005) printf "%s %.2f  ", n, c / m }')
    done <<<"$counts"
    printf '%-8s %10.2f  %s\n' "$rt" "$(awk -v t="$total" -v m="$messages" 'BEGIN { print t / m }')" "$detail"
  done
done
