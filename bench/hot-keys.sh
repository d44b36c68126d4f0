#!/usr/bin/env bash
# Hot-key handling on versus off, on this machine, in one run:
#   for each key distribution (zipfian 0.99, and a single key taking half of all operations), and
#   for each mode in the order off, on, on, off (--runs 2), so drift over time favours neither:
#     1. starts a fresh 3-node cluster (pando local) whose placement driver salts hot keys by itself
#        ("on": --hot-key-ops, --hot-key-copy-ops, a 10 s window) or never ("off": --hot-key-ops=0);
#     2. loads the records and runs a warm-up (during which "on" detects and salts the hot keys, and
#        the client JVM warms up: load, warm-up and measured run are one pando bench process);
#     3. measures a run with pando bench --json, each node process's CPU time over that run, and
#        every 10 s the operations each node serves (reads and writes of the ranges it leads, from
#        pando admin ranges --json; reads of a salted copy count at the copy's leader);
#     4. records the hot-key table, stops the cluster by PID and deletes its data.
#   Then prints one table: ops/s, read and update p99, the busiest node's CPU over the mean and the
#   busiest node's operations over the mean (1.0 = perfectly even), median of the runs of each mode.
#
#   --node-cpus C puts each node process in its own cgroup limited to C CPUs (cgroup v1 cpu or v2
#   cpu.max; needs root). It stands in for nodes on machines of their own: without it the nodes
#   share the machine's cores, so a node that serves more operations simply takes more CPU from
#   the others and never becomes a bottleneck of its own.
#
# Usage: bench/hot-keys.sh [--base-port P] [--dir DIR] [--runs N] [--records N] [--threads N]
#          [--duration D] [--warm-up D] [--workload W] [--distributions "D1 D2"] [--hot-key-ops N]
#          [--hot-key-copy-ops N] [--node-cpus C] [--keep-data]
# Defaults: 9400, a new directory under $TMPDIR, 2, 10000, 8, 30s, 45s, B, "zipfian hotspot:0.5",
#   300, 500, no CPU limit.
# Needs: java, the jar (built with mvn -B -DskipTests package if missing), python3 for the summary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base=9400 run_dir="" runs=2 records=10000 threads=8 duration=30s warm_up=45s workload=B
hot_ops=300 copy_ops=500 keep_data=false distributions="zipfian hotspot:0.5" node_cpus="" 
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-port) base="$2"; shift 2 ;;
    --dir) run_dir="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warm-up) warm_up="$2"; shift 2 ;;
    --workload) workload="$2"; shift 2 ;;
    --hot-key-ops) hot_ops="$2"; shift 2 ;;
    --hot-key-copy-ops) copy_ops="$2"; shift 2 ;;
    --distributions) distributions="$2"; shift 2 ;;
    --node-cpus) node_cpus="$2"; shift 2 ;;
    --keep-data) keep_data=true; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) printf 'hot-keys: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done

step() { printf 'hot-keys: %s\n' "$*" >&2; }
fail() { printf 'hot-keys: %s\n' "$*" >&2; exit 1; }
command -v python3 >/dev/null || fail "python3 is needed for the summary"

jar="$root/cli/target/pando.jar"
if [[ ! -f "$jar" ]]; then
  step "building the jar (mvn package, tests skipped)"
  (cd "$root" && mvn -B -q -DskipTests package) >&2
fi
if [[ -z "$run_dir" ]]; then run_dir="$(mktemp -d -t pando-hot-keys-XXXXXX)"; else mkdir -p "$run_dir"; fi
run_dir="$(cd "$run_dir" && pwd)"
results="$run_dir/results"
mkdir -p "$results"
pd="127.0.0.1:$((base + 200))"

# Where per-node CPU limits go: a cgroup v1 cpu hierarchy, or cgroup v2.
cgroup_root="" cgroup_kind=""
if [[ -n "$node_cpus" ]]; then
  if [[ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]]; then cgroup_root=/sys/fs/cgroup/cpu cgroup_kind=v1
  elif [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then cgroup_root=/sys/fs/cgroup cgroup_kind=v2
  else fail "--node-cpus needs a cgroup cpu controller (/sys/fs/cgroup/cpu or cgroup v2)"; fi
  [[ -w "$cgroup_root" ]] || fail "--node-cpus needs write access to $cgroup_root (run as root)"
  # A 10 ms period rather than the usual 100 ms: a JVM's threads can spend a period's quota in a
  # burst and then wait for the next period, and that wait should cost milliseconds, not tens.
  period_us=10000
  quota_us=$(python3 -c "import sys; print(int(float(sys.argv[1]) * $period_us))" "$node_cpus")
  (( quota_us >= 1000 )) || fail "--node-cpus must be at least 0.1"
fi
cgroups=()
limit_cpu() { # pid
  local group="$cgroup_root/pando-hot-keys-$$-$1"
  mkdir "$group"
  if [[ $cgroup_kind == v1 ]]; then
    echo "$period_us" > "$group/cpu.cfs_period_us"; echo "$quota_us" > "$group/cpu.cfs_quota_us"
  else
    echo "$quota_us $period_us" > "$group/cpu.max"
  fi
  echo "$1" > "$group/cgroup.procs"
  cgroups+=("$group")
}

local_pid=""
stop_cluster() {
  [[ -n "$local_pid" ]] || return 0
  kill -TERM "$local_pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$local_pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  if kill -0 "$local_pid" 2>/dev/null; then kill -KILL "$local_pid" 2>/dev/null || true; fi
  local_pid=""
  local group
  for group in "${cgroups[@]}"; do rmdir "$group" 2>/dev/null || true; done
  cgroups=()
}
trap 'stop_cluster' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The node processes of the running cluster, one pid per line.
node_pids() {
  local pid
  for pid in $(pgrep -P "$local_pid"); do
    if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q ' node '; then echo "$pid"; fi
  done
}

# CPU seconds (user + system) of each node process of the running cluster, "pid seconds" per line.
node_cpu() {
  local pid ticks
  ticks=$(getconf CLK_TCK)
  for pid in $(node_pids); do
    awk -v t="$ticks" -v p="$pid" '{ print p, ($14 + $15) / t }' "/proc/$pid/stat"
  done
}

one_run() { # distribution mode run
  local dist=$1 mode=$2 r=$3 name dir
  name="$(echo "$dist" | tr ':' '-')-$mode-$r"
  dir="$run_dir/$name"
  local ops=0
  [[ "$mode" == on ]] && ops=$hot_ops
  step "$name: starting a cluster (hot-key handling $mode)"
  java -jar "$jar" local --dir "$dir" --base-port "$base" \
    --pd-option=--hot-key-ops=$ops --pd-option=--hot-key-window=10s \
    --pd-option=--hot-key-copy-ops=$copy_ops > "$run_dir/$name.log" 2>&1 &
  local_pid=$!
  local deadline=$((SECONDS + 120))
  until grep -q '^cluster ready' "$run_dir/$name.log"; do
    kill -0 "$local_pid" 2>/dev/null || fail "pando local exited; see $run_dir/$name.log"
    (( SECONDS < deadline )) || fail "the cluster was not ready within 120 s; see $run_dir/$name.log"
    sleep 0.5
  done
  if [[ -n "$node_cpus" ]]; then
    local pid
    for pid in $(node_pids); do limit_cpu "$pid"; done
    step "$name: each node limited to $node_cpus CPUs"
  fi
  step "$name: load, warm-up ($warm_up) and measured run ($duration), in one client process"
  java -jar "$jar" bench --pd "$pd" --records "$records" --workload "$workload" --threads "$threads" \
    --warm-up "$warm_up" --duration "$duration" --distribution "$dist" --json \
    > "$results/$name.json" 2> "$results/$name-bench.log" &
  local bench_pid=$! sample=0
  until grep -qs '^pando bench: measured run' "$results/$name-bench.log"; do
    kill -0 "$bench_pid" 2>/dev/null || fail "$name: pando bench failed; see $results/$name-bench.log"
    sleep 0.2
  done
  node_cpu > "$results/$name-cpu-before.txt"
  # Range rates are averaged over 10 s windows: sample each window once the run has filled one.
  while kill -0 "$bench_pid" 2>/dev/null; do
    sleep 10
    kill -0 "$bench_pid" 2>/dev/null || break
    sample=$((sample + 1))
    java -jar "$jar" admin ranges --pd "$pd" --json > "$results/$name-ranges-$sample.json" 2>/dev/null || true
  done
  wait "$bench_pid" || fail "$name: pando bench failed; see $results/$name-bench.log"
  node_cpu > "$results/$name-cpu-after.txt"
  java -jar "$jar" admin hotkeys --pd "$pd" > "$results/$name-hotkeys.txt" 2>&1 || true
  stop_cluster
  $keep_data || rm -rf "$dir"
}

order=()
for ((r = 1; r <= runs; r++)); do
  if (( r % 2 == 1 )); then order+=("off:$r" "on:$r"); else order+=("on:$r" "off:$r"); fi
done
for dist in $distributions; do
  for entry in "${order[@]}"; do
    one_run "$dist" "${entry%%:*}" "${entry##*:}"
  done
done

python3 - "$results" > "$results/summary.txt" <<'PY'
import glob, json, os, statistics, sys
results = sys.argv[1]
def cpu(path):
    return {line.split()[0]: float(line.split()[1]) for line in open(path) if line.strip()}
rows = {}
for path in sorted(glob.glob(os.path.join(results, "*.json"))):
    name = os.path.basename(path)[:-5]
    if "-ranges-" in name:
        continue
    dist, mode, run = name.rsplit("-", 2)
    r = json.load(open(path))
    before, after = cpu(os.path.join(results, name + "-cpu-before.txt")), cpu(os.path.join(results, name + "-cpu-after.txt"))
    used = [after[p] - before[p] for p in after if p in before]
    balance = max(used) / statistics.mean(used) if used and statistics.mean(used) > 0 else float("nan")
    # Operations served per node in each sample: reads and writes of the ranges it leads.
    served = []
    for sample in sorted(glob.glob(os.path.join(results, name + "-ranges-*.json"))):
        try:
            ranges = json.load(open(sample))
        except ValueError:
            continue
        per_node = {}
        for rng in ranges:
            for rep in rng["replicas"]:
                per_node.setdefault(rep["node"], 0.0)
                per_node[rep["node"]] += rep.get("reads_per_second", 0) + rep.get("writes_per_second", 0)
        if per_node and statistics.mean(per_node.values()) > 0:
            served.append(max(per_node.values()) / statistics.mean(per_node.values()))
    ops_balance = statistics.median(served) if served else float("nan")
    ops = r["ops"]
    rows.setdefault((dist, mode), []).append((r["total_ops_per_second"],
        ops.get("read", {}).get("p99_ms", float("nan")), ops.get("update", {}).get("p99_ms", float("nan")),
        balance, ops_balance, sum(used) / r["seconds"]))
print("%-12s %-4s %5s %9s %10s %12s %16s %16s %14s" % ("keys", "mode", "runs", "ops/s", "read p99", "update p99",
      "node CPU max/mean", "node ops max/mean", "CPU cores used"))
for (dist, mode), vals in sorted(rows.items()):
    med = [statistics.median(v[i] for v in vals) for i in range(6)]
    print("%-12s %-4s %5d %9.0f %10.2f %12.2f %16.2f %16.2f %14.2f" % (dist, mode, len(vals), *med))
PY
cat "$results/summary.txt"
step "results in $results (JSON per run, CPU per node, the hot-key table at the end of each run)"
