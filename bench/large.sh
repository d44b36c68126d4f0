#!/usr/bin/env bash
# A large data set on this machine: grows one 3-node cluster in steps through the bulk loader and
# measures workload B at each size.
#   1. builds cli/target/pando.jar if it is missing or stale (mvn package, tests skipped);
#   2. starts a local cluster (pando local) with its data in the run directory;
#   3. for each step of --steps (cumulative record counts, default 1,000,000, 10,000,000 and
#      50,000,000): bulk-loads the records up to it (pando bench --bulk-load --load-from), then runs
#      workload B (uniform keys over every record loaded) for --duration after --warm-up; records
#      load time and records/s, disk bytes per record (the whole data directory: stores, Raft logs,
#      snapshots), the largest node's resident memory, the number of ranges, and B's throughput,
#      p50 and p99 of reads and updates;
#   4. stops the cluster and starts it again on the same data, and records how long it took to be
#      ready (every range led, nothing moving);
#   5. prints the table and writes it to DIR/results/large.txt, every step to large.tsv;
#   6. stops everything it started, by PID, also on Ctrl-C or an error, and deletes the data unless
#      --keep-data.
#
# Usage: bench/large.sh [--steps N,N,...] [--duration S] [--warm-up S] [--threads N]
#                       [--base-port P] [--dir DIR] [--keep-data]
#   --steps LIST   cumulative record counts to stop and measure at (default 1000000,10000000,50000000)
#   --duration S   seconds of workload B at each step (default 60)
#   --warm-up S    seconds of workload B before each measured run, not counted (default 15)
#   --threads N    client threads of workload B (default 8)
#   --base-port P  first port to try (default 9600): nodes P+1..3 and P+101..103, the PD P+200,
#                  P+201, metrics P+300..303
#   --dir DIR      run directory (default: a new one under ${TMPDIR:-/tmp}); results stay in DIR/results
#   --keep-data    keep the cluster's data in DIR/pando
# Disk: about 1 KB per record (three replicas, Raft logs and snapshots); 50,000,000 records need ~50 GB.
set -euo pipefail
export LC_ALL=C
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps_list=1000000,10000000,50000000
duration=60
warm_up=15
threads=8
base=9600
run_dir=""
keep_data=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps_list="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warm-up) warm_up="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --base-port) base="$2"; shift 2 ;;
    --dir) run_dir="$2"; shift 2 ;;
    --keep-data) keep_data=true; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { print }' "$0"; exit 0 ;;
    *) printf 'large: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done

step() { printf 'large: %s\n' "$*" >&2; }
fail() { printf 'large: %s\n' "$*" >&2; exit 1; }
# A node with millions of records commits and closes its stores for a while when stopped: let pando
# local stop its nodes rather than kill it and leave them running.
STOP_TIMEOUT_SECONDS=300
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "$duration" =~ ^[1-9][0-9]{0,4}$ ]] || fail "--duration must be 1..99999 seconds, got $duration"
[[ "$warm_up" =~ ^[0-9]{1,4}$ ]] || fail "--warm-up must be 0..9999 seconds, got $warm_up"
[[ "$threads" =~ ^[1-9][0-9]{0,3}$ ]] || fail "--threads must be 1..9999, got $threads"
IFS=, read -r -a steps <<< "$steps_list"
previous=0
for s in "${steps[@]}"; do
  [[ "$s" =~ ^[1-9][0-9]{0,11}$ ]] && (( s > previous )) || fail "--steps must be increasing record counts, got $steps_list"
  previous=$s
done

setup_pando_run pando-large

on_exit() {
  local code=$?
  trap - EXIT INT TERM
  if (( ${#pids[@]} > 0 )); then
    step "stopping the cluster (pids ${pids[*]})"
    stop_all
  fi
  $keep_data || rm -rf "$run_dir/pando"
  exit "$code"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

local_log="$run_dir/pando-local.log"
# Starts the cluster on the run directory's data (new or existing); sets ready_s to the seconds it
# took to be ready.
start_cluster() {
  local started=$SECONDS
  start_pando_local "$local_log" 1800
  ready_s=$((SECONDS - started))
}

pd="127.0.0.1:$((base + 200))"
pd_metrics="http://127.0.0.1:$((base + 300))/metrics"
step "starting a 3-node cluster (pando local --base-port $base)"
start_cluster

# The largest resident set of the node processes, in MiB.
max_node_rss_mib() {
  local pid kib max=0
  for pid in ${node_pids//,/ }; do
    kib="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")"
    (( kib > max )) && max=$kib
  done
  printf '%s\n' $((max / 1024))
}

ranges() { curl -sf --max-time 5 "$pd_metrics" | awk '$1 == "pando_pd_ranges" { printf "%d\n", $2 }'; }

tsv="$results/large.tsv"
printf 'records\tload_s\tload_records_per_s\tdisk_bytes_per_record\tmax_node_rss_mib\tranges\tb_ops_per_s\tread_p50_ms\tread_p99_ms\tupdate_p50_ms\tupdate_p99_ms\n' > "$tsv"
loaded=0
for target in "${steps[@]}"; do
  step "loading records $loaded..$((target - 1)), then workload B for ${duration}s over all $target"
  java -jar "$jar" bench --pd "$pd" --bulk-load --load-from "$loaded" --records "$target" --value-size 100 \
    --workload B --distribution uniform --threads "$threads" --duration "${duration}s" --warm-up "${warm_up}s" \
    --cpu-pids "$node_pids" --json > "$results/b-$target.json" 2> >(tee "$results/bench-$target.log" >&2)
  load_line="$(tr '\r' '\n' < "$results/bench-$target.log" | grep '^pando bench: bulk-loaded')" \
    || fail "no load summary in $results/bench-$target.log"
  load_s="$(sed -E 's/.* in ([0-9.]+) s .*/\1/' <<< "$load_line")"
  load_rate="$(sed -E 's/.*\(([0-9,]+) records\/s\).*/\1/; s/,//g' <<< "$load_line")"
  disk=$(du -sb "$run_dir/pando" | awk '{ print $1 }')
  row="$(python3 - "$results/b-$target.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
ops = b["ops"]
print("\t".join([f'{b["total_ops_per_second"]:.0f}', f'{ops["read"]["p50_ms"]:.2f}', f'{ops["read"]["p99_ms"]:.2f}',
                 f'{ops["update"]["p50_ms"]:.2f}', f'{ops["update"]["p99_ms"]:.2f}']))
PY
)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$load_s" "$load_rate" $((disk / target)) "$(max_node_rss_mib)" \
    "$(ranges)" "$row" >> "$tsv"
  loaded=$target
done

step "restarting the cluster on its $loaded records"
stop_all
start_cluster
restart_s=$ready_s

{
  printf 'Workload B (95%% reads, uniform keys, 100-byte values, %s threads, %ss) on 3 nodes, grown by bulk load\n' "$threads" "$duration"
  column -t -s $'\t' "$tsv"
  printf 'restart with %s records: ready in %s s\n' "$loaded" "$restart_s"
} | tee "$results/large.txt"
step "table: $results/large.txt; logs: $local_log, $results/bench-*.log"
