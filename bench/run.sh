#!/usr/bin/env bash
# run.sh: builds the executor benchmark (release profile: lto = "fat", codegen-units = 1)
# and runs every workload for evloop, tokio and smol pinned to one CPU, printing the
# table. The table is also saved under bench/results/ (not committed).
#
# Usage: bench/run.sh [executor arguments]   e.g. bench/run.sh spawn_join --reps 5
# BENCH_CPU picks the CPU (default 1).
set -euo pipefail

cd "$(dirname "$0")"
cargo build --release --quiet --bin executor
mkdir -p results
out="results/executor-$(date +%Y%m%d-%H%M%S).txt"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
taskset -c "${BENCH_CPU:-1}" target/release/executor "$@" 2>&1 | tee "$out"
echo "(saved to bench/$out)" >&2
