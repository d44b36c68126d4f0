#!/usr/bin/env bash
# Pando and etcd side by side on this machine:
#   1. installs etcd from Debian if it is missing (apt-get; needs root);
#   2. builds cli/target/pando.jar and bench/target/pando-bench.jar if they are missing or stale;
#   3. starts a 3-member etcd cluster and a 3-node Pando cluster (pando local) on 127.0.0.1, both
#      with their data under one run directory, so both write to the same disk;
#   4. runs the comparison (pando.benchcompare.CompareMain): the same workloads, runner and client
#      threads against both, one table of medians with the ratio Pando/etcd, JSON, and a plot of
#      latency against throughput for workload B;
#   5. with --etcd-tool: stops both clusters, then drives etcd at its own peak with its own benchmark
#      tool (bench/etcd-benchmark.sh, in DIR/etcd-tool) and prints that table after the comparison's;
#   6. stops everything it started, by PID, also on Ctrl-C or an error, and deletes the stores' data.
#
# Usage: bench/compare-etcd.sh [--base-port P] [--dir DIR] [--keep-data] [--no-build]
#                              [--etcd-tool] [--etcd-tool-runs N] [COMPARE OPTIONS...]
#   --base-port P  first port to try (default 9000): Pando uses P+1..3, P+101..103, P+200, P+201 and
#                  P+300..303 (metrics); etcd P+401..403 (clients) and P+411..413 (peers). Moves up
#                  until all are free.
#   --dir DIR      run directory (default: a new one under ${TMPDIR:-/tmp}); results stay in DIR/results
#   --keep-data    keep the stores' data directories afterwards
#   --no-build     fail instead of building when a jar is missing
#   --etcd-tool    after the comparison, also run bench/etcd-benchmark.sh (put and linearizable range
#                  at 1, 8 and 64 clients; about 5 minutes with 3 runs)
#   --etcd-tool-runs N  its runs (default 3)
# Every other option goes to the comparison, e.g. --duration 60s --runs 5 --threads 16 --records 100000
# (see: java -jar bench/target/pando-bench.jar --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base=9000
run_dir=""
keep_data=false
build=true
etcd_tool=false
etcd_tool_runs=3
compare_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-port) base="$2"; shift 2 ;;
    --dir) run_dir="$2"; shift 2 ;;
    --keep-data) keep_data=true; shift ;;
    --no-build) build=false; shift ;;
    --etcd-tool) etcd_tool=true; shift ;;
    --etcd-tool-runs) etcd_tool_runs="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { print }' "$0"; exit 0 ;;
    *) compare_args+=("$1"); shift ;;
  esac
done

step() { printf 'compare-etcd: %s\n' "$*" >&2; }
fail() { printf 'compare-etcd: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

# --- 1. etcd -----------------------------------------------------------------------------------
if ! command -v etcd >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    fail "etcd is not installed; run as root to install it (apt-get install etcd-server), or install it yourself"
  fi
  step "installing etcd-server from Debian (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
  # The package may try to start a system service; this script runs its own members only.
fi
step "etcd: $(etcd --version 2>/dev/null | head -1)"

# --- 2. the jars ---------------------------------------------------------------------------------
pando_jar="$root/cli/target/pando.jar"
bench_jar="$root/bench/target/pando-bench.jar"
if stale "$pando_jar" || stale "$bench_jar"; then
  $build || fail "a jar is missing or older than the sources ($pando_jar, $bench_jar); build with: mvn -B -DskipTests package"
  step "building the jars (mvn package, tests skipped)"
  # package, not install: one reactor build makes both jars and leaves ~/.m2 alone.
  (cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests package) >&2
fi

# --- ports and the run directory ---------------------------------------------------------------------
base="$(free_base_port "$base" 10 1 2 3 101 102 103 200 201 300 301 302 303 401 402 403 411 412 413)" || exit 1
run_dir="$(run_directory "$run_dir" pando-compare)" || exit 1
mkdir -p "$run_dir/etcd" "$run_dir/results"
step "run directory $run_dir, ports from $base"

# --- cleanup: by PID, always ----------------------------------------------------------------------
on_exit() {
  local code=$?
  trap - EXIT INT TERM
  if (( ${#pids[@]} > 0 )); then
    step "stopping etcd and Pando (pids ${pids[*]})"
    stop_all
  fi
  if ! $keep_data; then rm -rf "$run_dir/pando" "$run_dir/etcd"/e?; fi
  exit "$code"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 3. the clusters -------------------------------------------------------------------------------
# etcd above pando local's ports (its metrics are base+300..303).
step "starting a 3-member etcd cluster on 127.0.0.1:$((base + 401))-$((base + 403))"
start_etcd_cluster "$run_dir/etcd" $((base + 400)) $((base + 410))

step "starting a 3-node Pando cluster (pando local --base-port $base)"
java -jar "$pando_jar" local --dir "$run_dir/pando" --base-port "$base" > "$run_dir/pando-local.log" 2>&1 &
pando_pid=$!
pids+=($pando_pid)

pando_ready() {
  kill -0 "$pando_pid" 2>/dev/null || fail "pando local exited; see $run_dir/pando-local.log"
  grep -q '^cluster ready' "$run_dir/pando-local.log"
}
wait_for 60 "etcd to be healthy (logs in $run_dir/etcd)" etcd_healthy $((base + 400))
step "etcd ready"
wait_for 120 "Pando to be ready (see $run_dir/pando-local.log)" pando_ready
step "Pando ready"

# --- 4. the comparison ---------------------------------------------------------------------------
step "running the comparison"
java -Xmx1g -jar "$bench_jar" \
  --pd "127.0.0.1:$((base + 200))" \
  --etcd "127.0.0.1:$((base + 401)),127.0.0.1:$((base + 402)),127.0.0.1:$((base + 403))" \
  --floor-dir "$run_dir" --out "$run_dir/results" "${compare_args[@]}"

step "table: $run_dir/results/compare.txt"
step "JSON:  $run_dir/results/compare.json"
if [[ -f "$run_dir/results/latency-throughput-B.png" ]]; then
  step "plot:  $run_dir/results/latency-throughput-B.png"
fi
step "logs:  $run_dir/pando-local.log, $run_dir/etcd/e*.log"

# --- 5. etcd with its own benchmark tool ----------------------------------------------------------------
if $etcd_tool; then
  step "stopping both clusters, so etcd's own benchmark has the machine to itself"
  stop_all
  tool_args=(--runs "$etcd_tool_runs" --dir "$run_dir/etcd-tool" --base-port "$base")
  if $keep_data; then tool_args+=(--keep-data); fi
  # In the background and awaited, so a signal to this script stops it (by PID) at once.
  "$root/bench/etcd-benchmark.sh" "${tool_args[@]}" > "$run_dir/etcd-tool.txt" &
  pids+=($!)
  wait "${pids[-1]}" || fail "bench/etcd-benchmark.sh failed (exit $?)"
  pids=()
  printf '\netcd with its own benchmark tool (bench/etcd-benchmark.sh)\n'
  cat "$run_dir/etcd-tool/results/etcd-benchmark.txt"
fi
