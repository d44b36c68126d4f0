#!/usr/bin/env bash
# Pando at its own peak, driven by pando bench, on this machine, in the shape of etcd-benchmark.sh:
#   1. builds cli/target/pando.jar if it is missing or stale (mvn package, tests skipped);
#   2. starts a local cluster (pando local: 3 nodes and a placement driver on 127.0.0.1) with
#      --ranges ranges and its data in the run directory, and loads 10,000 records of 100 bytes;
#   3. warms it up for --warm-up (default 180 s) of writes from 64 clients: a fresh JVM compiles
#      for minutes on 2 cores, and until then measures its compiler as much as the store;
#   4. runs, --runs times: writes (workload W, uniform keys) and linearizable reads (workload C,
#      uniform keys), each at 1, 8 and 64 client threads, for --seconds each, through the routing
#      client (straight to each range's leader);
#   5. prints a table of medians over the runs (ops/s, p50, p99, the nodes' CPU ms per acknowledged
#      op from /proc, and the runner's cores), and writes it with every run to DIR/results
#      (pando-benchmark.txt, runs.tsv);
#   6. stops everything it started, by PID, also on Ctrl-C or an error, and deletes the data.
#
# Usage: bench/pando-benchmark.sh [--runs N] [--clients 1,8,64] [--ops put,get] [--seconds S]
#                                 [--warm-up S] [--ranges N] [--base-port P] [--dir DIR]
#   --runs N         measured runs of every op and client count (default 3); the table shows medians
#   --clients LIST   client threads (default 1,8,64)
#   --ops LIST       put, get or both (default put,get)
#   --seconds S      length of each measured run (default 20)
#   --warm-up S      seconds of writes before the first measured run (default 180)
#   --ranges N       ranges of the cluster (pando local --initial-ranges; default 8, its default)
#   --base-port P    first port to try (default 9500): nodes P+1..3 and P+101..103, the PD P+200, P+201,
#                    metrics P+300..303
#   --dir DIR        run directory (default: a new one under ${TMPDIR:-/tmp}); results stay in DIR/results
set -euo pipefail
export LC_ALL=C
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3
clients_list=1,8,64
ops_list=put,get
seconds=20
warm_up=180
ranges=8
base=9500
run_dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --clients) clients_list="$2"; shift 2 ;;
    --ops) ops_list="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warm-up) warm_up="$2"; shift 2 ;;
    --ranges) ranges="$2"; shift 2 ;;
    --base-port) base="$2"; shift 2 ;;
    --dir) run_dir="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { print }' "$0"; exit 0 ;;
    *) printf 'pando-benchmark: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done

step() { printf 'pando-benchmark: %s\n' "$*" >&2; }
fail() { printf 'pando-benchmark: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "$runs" =~ ^[1-9][0-9]?$ ]] || fail "--runs must be 1..99, got $runs"
[[ "$seconds" =~ ^[1-9][0-9]{0,3}$ ]] || fail "--seconds must be 1..9999, got $seconds"
[[ "$warm_up" =~ ^[0-9]{1,4}$ ]] || fail "--warm-up must be 0..9999 seconds, got $warm_up"
[[ "$ranges" =~ ^[1-9][0-9]{0,3}$ ]] || fail "--ranges must be 1..9999, got $ranges"
IFS=, read -r -a client_counts <<< "$clients_list"
IFS=, read -r -a ops <<< "$ops_list"
for c in "${client_counts[@]}"; do [[ "$c" =~ ^[1-9][0-9]{0,3}$ ]] || fail "a client count must be 1..9999, got $c"; done
for op in "${ops[@]}"; do [[ "$op" == put || "$op" == get ]] || fail "--ops takes put and get, got $op"; done

setup_pando_run pando-benchmark

on_exit() {
  local code=$?
  trap - EXIT INT TERM
  if (( ${#pids[@]} > 0 )); then
    step "stopping the cluster (pids ${pids[*]})"
    stop_all
  fi
  rm -rf "$run_dir/pando"
  exit "$code"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "starting a 3-node cluster with $ranges ranges (pando local --base-port $base)"
start_pando_local "$run_dir/pando-local.log" 180 --initial-ranges "$ranges"
pd="127.0.0.1:$((base + 200))"

bench() { # workload threads seconds [more pando bench flags...]
  local workload=$1 threads=$2 secs=$3
  shift 3
  java -jar "$jar" bench --pd "$pd" --workload "$workload" --distribution uniform --records 10000 \
    --value-size 100 --threads "$threads" --duration "${secs}s" --cpu-pids "$node_pids" "$@" 2>>"$run_dir/bench.log"
}

step "loading 10,000 records, then ${warm_up} s of writes from 64 clients to warm the JVMs up"
bench W 64 "$(( warm_up > 0 ? warm_up : 1 ))" > /dev/null

# A figure of a flat JSON object: json_number <json> <key> (the first occurrence).
json_number() { grep -o "\"$2\":[-0-9.]*" <<< "$1" | head -1 | cut -d: -f2; }

tsv="$results/runs.tsv"
printf 'run\top\tclients\tops_per_s\tp50_ms\tp99_ms\terrors\tnode_cpu_ms_per_op\trunner_cores\n' > "$tsv"
for ((run = 1; run <= runs; run++)); do
  for op in "${ops[@]}"; do
    for c in "${client_counts[@]}"; do
      step "run $run/$runs: $op, $c clients, ${seconds} s"
      workload=W; name=update
      if [[ "$op" == get ]]; then workload=C; name=read; fi
      # Each run is a new client JVM: its own first seconds are not measured.
      json="$(bench "$workload" "$c" "$seconds" --no-load --json --warm-up 10s)"
      section="$(grep -o "\"$name\":{[^}]*}" <<< "$json")"
      printf '%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$op" "$c" \
        "$(json_number "$section" ops_per_second)" "$(json_number "$section" p50_ms)" \
        "$(json_number "$section" p99_ms)" "$(json_number "$section" errors)" \
        "$(json_number "$json" nodes)" "$(json_number "$json" runner_cores)" >> "$tsv"
    done
  done
done

# Medians over the runs, per op and client count.
table="$results/pando-benchmark.txt"
awk -F'\t' -v ranges="$ranges" '
  NR == 1 { next }
  { key = $2 "\t" $3; n[key]++; for (f = 4; f <= 9; f++) v[key, f, n[key]] = $f; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
  function median(key, f,   i, j, t, m, a) {
    m = n[key]; for (i = 1; i <= m; i++) a[i] = v[key, f, i]
    for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  END {
    printf "Pando, 3 nodes, %d ranges, medians of %d runs\n", ranges, n[order[1]]
    printf "%-4s %8s %10s %8s %8s %7s %16s %13s\n", "op", "clients", "ops/s", "p50 ms", "p99 ms", "errors", "node CPU ms/op", "runner cores"
    for (i = 1; i <= k; i++) {
      split(order[i], p, "\t")
      printf "%-4s %8d %10.0f %8.2f %8.2f %7d %16.3f %13.2f\n", p[1], p[2], median(order[i], 4), median(order[i], 5),
        median(order[i], 6), median(order[i], 7), median(order[i], 8), median(order[i], 9)
    }
  }' "$tsv" | tee "$table"
step "table: $table; every run: $tsv; logs: $run_dir/pando-local.log, $run_dir/bench.log"
