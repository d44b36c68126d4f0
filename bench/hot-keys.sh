#!/usr/bin/env bash
# Hot-key handling on versus off, on this machine, in one run. For each key distribution (zipfian
# 0.99, and a single key taking half of all operations):
#   1. starts a fresh 3-node cluster (pando local) whose placement driver salts nothing by itself
#      (--hot-key-ops=0), optionally with each node's CPU limited (--node-cpus);
#   2. loads the records and warms up (--warm-up) with the same workload: under a CPU limit a
#      node JVM needs minutes of load before its code is compiled, and until then every run is
#      faster than the one before;
#   3. measures phases in the order off, on, on, off (--runs 2 gives this order; each "on" pair
#      and "off" pair brackets the other, so drift over time favours neither). Before the first
#      "on" phase it pins the hottest key, user0, as read-hot with --salts copies (pando admin
#      hotkeys add) and waits until it is ACTIVE and the placement driver has spread its ranges'
#      leaders; before the next "off" phase it removes the key and waits until it is gone. Each
#      phase is one pando bench run (5 s of warm-up of the client JVM, then --duration measured),
#      with each node process's CPU time over it and, every 10 s, the operations each node serves
#      (reads and writes of the ranges it leads, from pando admin ranges --json; reads of a
#      salted copy count at the copy's leader);
#   4. stops the cluster by PID and deletes its data.
#   Then prints one table: ops/s, read and update p99, the busiest node's CPU over the mean and the
#   busiest node's operations over the mean (1.0 = perfectly even), median of the phases of each
#   mode. First of all, a short extra cluster shows the placement driver's own detection: it salts
#   keys with 50 certain ops/s for 10 s (--hot-key-ops 50) under the first distribution for 60 s,
#   and the script prints the table it ended with. The measured clusters salt nothing unless pinned.
#
#   --node-cpus C puts each node process in its own cgroup limited to C CPUs (cgroup v1 cpu or v2
#   cpu.max; needs root). It stands in for nodes on machines of their own: without it the nodes
#   share the machine's cores, so a node that serves more operations simply takes more CPU from
#   the others and never becomes a bottleneck of its own.
#
# Usage: bench/hot-keys.sh [--base-port P] [--dir DIR] [--runs N] [--records N] [--threads N]
#          [--duration D] [--warm-up D] [--workload W] [--distributions "D1 D2"] [--salts S]
#          [--node-cpus C] [--keep-data]
# Defaults: 9400, a new directory under $TMPDIR, 2, 10000, 8, 20s, 120s, B, "zipfian hotspot:0.5",
#   2, no CPU limit.
# Needs: java, the jar (built with mvn -B -DskipTests package if missing), python3 for the summary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base=9400 run_dir="" runs=2 records=10000 threads=8 duration=20s warm_up=120s workload=B
keep_data=false distributions="zipfian hotspot:0.5" node_cpus="" salts=2
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
    --distributions) distributions="$2"; shift 2 ;;
    --salts) salts="$2"; shift 2 ;;
    --node-cpus) node_cpus="$2"; shift 2 ;;
    --keep-data) keep_data=true; shift ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
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

admin() { java -jar "$jar" admin "$@" --pd "$pd"; }

# Waits until the hot-key table listing matches (or, with !, stops matching) a pattern.
wait_table() { # description [!] pattern
  local what=$1 negate=false deadline=$((SECONDS + 180))
  shift
  if [[ $1 == "!" ]]; then negate=true; shift; fi
  while true; do
    if admin hotkeys 2>/dev/null | grep -q "$1"; then $negate || return 0; else $negate && return 0; fi
    (( SECONDS < deadline )) || fail "$what: not within 180 s"
    sleep 1
  done
}

# Waits until the ranges of user0 and its copies are led by as many different nodes as they can be
# (up to 3; the placement driver spreads them, see SaltedRanges), at most 60 s.
wait_spread() {
  local deadline=$((SECONDS + 60))
  # The hashes of user0 and its copies, by the same code the cluster uses.
  cat > "$run_dir/Hashes.java" <<JAVA
public class Hashes {
  public static void main(String[] args) {
    com.google.protobuf.ByteString key = com.google.protobuf.ByteString.copyFromUtf8("user0");
    System.out.println(Long.toHexString(pando.api.KeyHash.of(key.toByteArray())));
    for (int salt = 0; salt < $salts; salt++) {
      byte[] copy = pando.api.hot.SaltedKeys.salted(key, salt, $salts).toByteArray();
      System.out.println(Long.toHexString(pando.api.KeyHash.of(copy)));
    }
  }
}
JAVA
  java -cp "$jar" "$run_dir/Hashes.java" > "$run_dir/user0-hashes.txt" || fail "could not hash user0's copies"
  while (( SECONDS < deadline )); do
    admin ranges --json > "$run_dir/ranges.json" 2>/dev/null || true
    if python3 - "$run_dir/ranges.json" "$run_dir/user0-hashes.txt" <<'PY'
import json, sys
ranges = json.load(open(sys.argv[1]))
def range_of(h):
    for r in ranges:
        start = int(r["start"], 16)
        end = None if r["end"] == "end" else int(r["end"], 16)
        if h >= start and (end is None or h < end):
            return r
held = [range_of(int(h, 16)) for h in open(sys.argv[2]).read().split()]
leaders = {r["leader"] for r in held}
ids = {r["id"] for r in held}
sys.exit(0 if len(leaders) >= min(len(ids), 3) else 1)
PY
    then return 0; fi
    sleep 2
  done
  step "the ranges of user0 and its copies still share leaders after 60 s; measuring anyway"
}

# One measured phase on the running cluster: mode name, phase number.
phase() {
  local dist=$1 mode=$2 r=$3 name
  name="$(echo "$dist" | tr ':' '-')-$mode-$r"
  step "$name: measured run ($duration)"
  node_cpu > "$results/$name-cpu-before.txt"
  java -jar "$jar" bench --pd "$pd" --records "$records" --workload "$workload" --threads "$threads" \
    --warm-up 5s --duration "$duration" --distribution "$dist" --no-load --json \
    > "$results/$name.json" 2> "$results/$name-bench.log" &
  local bench_pid=$! sample=0
  # Range rates are averaged over 10 s windows: sample each window once the run has filled one.
  while kill -0 "$bench_pid" 2>/dev/null; do
    sleep 10
    kill -0 "$bench_pid" 2>/dev/null || break
    sample=$((sample + 1))
    admin ranges --json > "$results/$name-ranges-$sample.json" 2>/dev/null || true
  done
  wait "$bench_pid" || fail "$name: pando bench failed; see $results/$name-bench.log"
  node_cpu > "$results/$name-cpu-after.txt"
}

# Starts a fresh cluster whose placement driver salts keys with hot_key_ops ops/s (0: never).
start_cluster() { # name hot_key_ops
  local name=$1 dir="$run_dir/$1"
  step "$name: starting a cluster"
  java -jar "$jar" local --dir "$dir" --base-port "$base" \
    --pd-option=--hot-key-ops="$2" --pd-option=--hot-key-window=10s --pd-option=--hot-key-copy-ops=250 \
    > "$run_dir/$name.log" 2>&1 &
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
}

finish_cluster() { # name
  stop_cluster
  $keep_data || rm -rf "${run_dir:?}/$1"
}

detection() { # distribution
  local name="detection-$(echo "$1" | tr ':' '-')"
  start_cluster "$name" 50
  step "$name: load and 60 s of the workload, the placement driver salting by itself"
  java -jar "$jar" bench --pd "$pd" --records "$records" --workload "$workload" --threads "$threads" \
    --duration 60s --distribution "$1" > "$results/$name-bench.txt" 2>&1 \
    || fail "$name: pando bench failed; see $results/$name-bench.txt"
  admin hotkeys > "$results/$name.txt" 2>&1 || true
  step "$name: the hot-key table it ended with:"
  cat "$results/$name.txt" >&2
  finish_cluster "$name"
}

one_cluster() { # distribution
  local dist=$1 name
  name="$(echo "$dist" | tr ':' '-')"
  start_cluster "$name" 0
  step "$name: load and warm-up ($warm_up)"
  java -jar "$jar" bench --pd "$pd" --records "$records" --workload "$workload" --threads "$threads" \
    --duration "$warm_up" --distribution "$dist" > "$results/$name-warmup.txt" 2>&1 \
    || fail "$name: warm-up failed; see $results/$name-warmup.txt"
  local entry mode r pinned=false
  for entry in "${order[@]}"; do
    mode=${entry%%:*} r=${entry##*:}
    if [[ $mode == on ]] && ! $pinned; then
      admin hotkeys add user0 --salts "$salts" >/dev/null
      wait_table "$name: user0 salted" "ACTIVE"
      wait_spread
      pinned=true
    elif [[ $mode == off ]] && $pinned; then
      admin hotkeys remove user0 >/dev/null
      wait_table "$name: user0 unsalted" "no hot keys"
      pinned=false
    fi
    phase "$dist" "$mode" "$r"
    if [[ $mode == on ]]; then admin hotkeys > "$results/$name-$mode-$r-hotkeys.txt" 2>&1 || true; fi
  done
  finish_cluster "$name"
}

order=()
for ((r = 1; r <= runs; r++)); do
  if (( r % 2 == 1 )); then order+=("off:$r" "on:$r"); else order+=("on:$r" "off:$r"); fi
done
detection "${distributions%% *}"
for dist in $distributions; do
  one_cluster "$dist"
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
