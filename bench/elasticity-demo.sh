#!/usr/bin/env bash
# A cluster growing and healing while `pando bench` runs against it:
#   1. starts 3 nodes and a placement driver (pando local), loads data, and measures workload B
#      with the cluster at rest (the baseline);
#   2. runs the same workload again while two more nodes join and the PD rebalances onto them,
#      and prints replicas and leaders per node before and after, and the replicas moved against
#      the minimum;
#   3. kills one node with SIGKILL and times how long until every range is fully replicated
#      again, and how much data that was.
# Everything runs on 127.0.0.1 under a temporary directory; every process it starts is stopped
# (by PID) when it ends, even on Ctrl-C.
#
# Usage: bench/elasticity-demo.sh [--records N] [--value-size BYTES] [--duration 30s] [--base-port P]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records=200000
value_size=200
duration=30s
base=7300
while [[ $# -gt 0 ]]; do
  case "$1" in
    --records) records="$2"; shift 2 ;;
    --value-size) value_size="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --base-port) base="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "elasticity-demo: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

"$root/pando" --version >/dev/null # builds the jar if needed
jar="$root/cli/target/pando.jar"
dir="$(mktemp -d -t pando-elasticity-XXXXXX)"
pd="127.0.0.1:$((base + 200))"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

admin() { java -jar "$jar" admin "$@" --pd "$pd"; }
step() { printf '\n== %s\n' "$*"; }
# Waits (at most $1 seconds) until the command in the remaining arguments succeeds.
wait_for() {
  local limit=$1; shift
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - start > limit )); then echo "elasticity-demo: gave up waiting for: $*" >&2; exit 1; fi
    sleep 1
  done
}
settled() { admin status --json | grep -q '"operators": 0' && admin status --json | grep -q '"under_replicated": 0'; }
ranges_on() { admin ranges --json | grep -c "\"node\": \"$1\"" || true; }
no_ranges_on() { [[ "$(ranges_on "$1")" == 0 ]]; }
all_up() { [[ "$(admin status --json | grep -o '"nodes_up": [0-9]*' | grep -o '[0-9]*$')" == "$1" ]]; }

step "starting 3 nodes and a placement driver in $dir"
java -jar "$jar" local --dir "$dir/cluster" --base-port "$base" --nodes 3 --initial-ranges 8 > "$dir/local.log" 2>&1 &
pids+=($!)
wait_for 120 all_up 3
wait_for 60 settled

step "loading $records records of $value_size bytes, then the baseline: workload B for $duration at rest"
java -jar "$jar" bench --pd "$pd" --records "$records" --value-size "$value_size" --workload B \
  --duration "$duration" --threads 8 --seed 1 > "$dir/baseline.txt"
cat "$dir/baseline.txt"
admin nodes | tee "$dir/before.txt"

step "workload B again while n4 and n5 join and the PD rebalances"
java -jar "$jar" bench --pd "$pd" --no-load --records "$records" --value-size "$value_size" --workload B \
  --duration "$duration" --threads 8 --seed 2 > "$dir/during.txt" 2>"$dir/during.err" &
bench_pid=$!
pids+=($bench_pid)
for i in 4 5; do
  java -jar "$jar" node --id "n$i" --members "n$i=127.0.0.1:$((base + 100 + i)):$((base + i))" \
    --data-dir "$dir/n$i" --pd "$pd" > "$dir/n$i.log" 2>&1 &
  pids+=($!)
done
started=$SECONDS
wait_for 300 all_up 5
wait_for 300 settled
echo "rebalanced in $((SECONDS - started)) s"
wait "$bench_pid" || true
cat "$dir/during.txt"
admin nodes | tee "$dir/after.txt"
moved=$(( $(ranges_on n4) + $(ranges_on n5) ))
echo "replicas moved: $moved; the minimum for 8 ranges x 3 replicas over 5 nodes: $(( 8 * 3 * 2 / 5 ))"

step "kill -9 n5 and wait until its replicas are back at full replication elsewhere"
n5_bytes=$(admin nodes --json | tr -d '\n ' | grep -o '"id":"n5"[^}]*' | grep -o '"bytes":[0-9]*' | grep -o '[0-9]*$')
n5_pid="${pids[-1]}"
kill -9 "$n5_pid"
started=$SECONDS
wait_for 300 no_ranges_on n5
wait_for 300 settled
echo "n5 held $(( n5_bytes / 1048576 )) MiB on disk; fully replicated again $((SECONDS - started)) s after the kill (10 s of it is the DOWN threshold)"
admin nodes
