#!/usr/bin/env python3
"""The hyper-http rows of a bench/net.sh run: hyper on evloop against hyper on tokio.

Reads RUN_DIR/raw.txt (written by the shared harness's run.sh) and prints, per round
and as medians, requests/s and server CPU per request for `evloop-hyper-http` and
`tokio-hyper-http`, and their ratios measured in the same round. SECS (default 5) is
the length of each wrk run, as for the harness.
Usage: hyper_http.py RUN_DIR
"""
import os
import statistics
import sys

EVLOOP, TOKIO = "evloop-hyper-http", "tokio-hyper-http"
SECS = float(os.environ.get("SECS", "5"))

rounds = {}
for line in open(os.path.join(sys.argv[1], "raw.txt")):
    fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    if fields.get("workload") != "http-c50" or fields.get("server") not in (EVLOOP, TOKIO):
        continue
    rps, cpu = float(fields["rps"]), float(fields["server_cpu_s"])
    per_request_us = cpu * 1e6 / (rps * SECS) if rps > 0 else None
    rounds.setdefault(int(fields["round"]), {})[fields["server"]] = (rps, per_request_us)

rows = []
print("\n### hyper-http: hyper on evloop vs hyper on tokio, wrk -t1 -c50 (same round)\n")
print("| round | evloop req/s | tokio req/s | req/s ratio | evloop CPU µs/req | tokio CPU µs/req | CPU ratio |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for number in sorted(rounds):
    pair = rounds[number]
    if EVLOOP not in pair or TOKIO not in pair or None in (pair[EVLOOP][1], pair[TOKIO][1]):
        continue
    (ev_rps, ev_cpu), (tk_rps, tk_cpu) = pair[EVLOOP], pair[TOKIO]
    rows.append((ev_rps, tk_rps, ev_rps / tk_rps, ev_cpu, tk_cpu, ev_cpu / tk_cpu))
    print(f"| {number} | {ev_rps:,.0f} | {tk_rps:,.0f} | {ev_rps / tk_rps:.2f}x | "
          f"{ev_cpu:.2f} | {tk_cpu:.2f} | {ev_cpu / tk_cpu:.2f}x |")
if rows:
    m = [statistics.median(column) for column in zip(*rows)]
    print(f"| median | {m[0]:,.0f} | {m[1]:,.0f} | {m[2]:.2f}x | {m[3]:.2f} | {m[4]:.2f} | {m[5]:.2f}x |")
    met = m[2] >= 1.0 and m[5] <= 1.0
    print(f"\ntarget (req/s ratio >= 1.00x, CPU ratio <= 1.00x): {'met' if met else 'NOT met'}")
else:
    print("| - | no round measured both servers | | | | | |")
