#!/usr/bin/env bash
# build_cost.sh: what a user pays to build a small server on each runtime. For each
# app under build_cost/ (evloop-app, tokio-app, smol-app), measures the wall time of a
# clean `cargo build --release` (lto = "fat", codegen-units = 1, like the peers) in a
# fresh CARGO_TARGET_DIR under /tmp, and counts the distinct crates it builds.
#
# Clean means nothing compiled is reused; the crates.io registry cache is warm (sources
# are fetched before the clock starts), so download time is not counted.
# Builds use every CPU cargo sees (set BUILD_JOBS to change that); the machine is
# shared, so the load average is printed beside each build.
#
# Two more apps compare hyper servers (issue 15): evloop-hyper-app is the hyper_server
# example, tokio-hyper-app the same server on tokio and hyper-util's tokio glue.
#
# Usage: bench/build_cost.sh [APP...]      (default: the three echo apps)
#        bench/build_cost.sh evloop-hyper-app tokio-hyper-app
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(evloop-app tokio-app smol-app)
jobs_flag=()
[ -z "${BUILD_JOBS:-}" ] || jobs_flag=(--jobs "$BUILD_JOBS")

declare -A seconds crates compiled
for app in "${apps[@]}"; do
    manifest="$here/build_cost/$app/Cargo.toml"
    [ -f "$manifest" ] || { echo "no such app: $app" >&2; exit 1; }
    # Resolve and download outside the timing.
    cargo fetch --quiet --manifest-path "$manifest"
    target=$(mktemp -d /tmp/evloop-build-cost.XXXXXX)
    log="$target/build.log"
    echo "building $app in $target (load average: $(cut -d' ' -f1-3 /proc/loadavg)) ..." >&2
    start=$(date +%s%N)
    CARGO_TARGET_DIR="$target" cargo build --release --locked --offline --color never \
        "${jobs_flag[@]}" --manifest-path "$manifest" 2>"$log" || { cat "$log" >&2; exit 1; }
    end=$(date +%s%N)
    seconds[$app]=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')
    compiled[$app]=$(grep -c '^ *Compiling ' "$log" || true)
    # Distinct crates in the normal dependency graph, the app itself included.
    crates[$app]=$(cargo tree --quiet --offline -e normal --prefix none --manifest-path "$manifest" \
        | sed 's/ (\*)$//' | sort -u | wc -l)
    rm -rf "$target"
done

value() { local -n map=$1; echo "${map[$2]:--}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2fx", a / b }'; }

echo
printf '%-16s  %9s  %6s  %8s  %-30s  %s\n' app "clean (s)" crates compiled "evloop target" "earlier"
printf '%s\n' "$(printf -- '-%.0s' {1..92})"
for app in "${apps[@]}"; do
    case $app in
        evloop-app) target="<= tokio/2 s, <= tokio crates"; earlier="-" ;;
        tokio-app) target="-"; earlier="9.2 s, 7 crates" ;;
        smol-app) target="-"; earlier="9.9 s, 18 crates" ;;
        evloop-hyper-app) target="<= tokio-hyper-app"; earlier="-" ;;
        *) target="-"; earlier="-" ;;
    esac
    printf '%-16s  %9s  %6s  %8s  %-30s  %s\n' "$app" "$(value seconds "$app")" \
        "$(value crates "$app")" "$(value compiled "$app")" "$target" "$earlier"
done
ev=$(value seconds evloop-app)
echo
echo "evloop/tokio build time: $(ratio "$ev" "$(value seconds tokio-app)");" \
    "evloop/smol: $(ratio "$ev" "$(value seconds smol-app)")"
ev_crates=$(value crates evloop-app)
tokio_s=$(value seconds tokio-app)
tokio_crates=$(value crates tokio-app)
if [ "$ev" != - ] && [ "$tokio_s" != - ]; then
    echo "evloop target met: build time $(awk -v e="$ev" -v t="$tokio_s" 'BEGIN { print (e <= t / 2) ? "yes" : "NO" }')," \
        "crates $([ "$ev_crates" -le "$tokio_crates" ] && echo yes || echo NO)"
fi
hyper_ev=$(value seconds evloop-hyper-app)
hyper_tokio=$(value seconds tokio-hyper-app)
if [ "$hyper_ev" != - ] && [ "$hyper_tokio" != - ]; then
    echo "hyper servers, evloop/tokio: build time $(ratio "$hyper_ev" "$hyper_tokio")," \
        "crates $(value crates evloop-hyper-app) vs $(value crates tokio-hyper-app)"
fi
echo "crates = distinct lines of 'cargo tree -e normal --prefix none' (app included);"
echo "compiled = 'Compiling' lines of the clean build (build-script and proc-macro crates too)."
