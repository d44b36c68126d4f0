#!/usr/bin/env bash
# etcd at its own peak, driven by its own benchmark tool (etcd's tools/benchmark), on this machine:
#   1. installs what is missing from Debian (etcd-server, etcd-client, golang-go,
#      golang-etcd-server-dev; apt-get, needs root);
#   2. builds the tool once, into ${XDG_CACHE_HOME:-~/.cache}/pando-bench/etcd-benchmark, in GOPATH
#      mode against the Go sources Debian installs in /usr/share/gocode (the tool's own sources are
#      not in any Debian binary package: they come from the Debian source archive of the same etcd
#      version, checked against a pinned SHA-256);
#   3. starts a 3-member etcd cluster on 127.0.0.1 with its data in the run directory;
#   4. runs, --runs times: put (8-byte keys, uniformly random over 10,000, 100-byte values) and
#      linearizable range reads of one existing key (100-byte value), each at 1, 8 and 64 clients,
#      with --total sized by a discarded probe run so that each measured run lasts --seconds;
#   5. prints a table of medians over the runs (requests/s, p50, p99, etcd CPU ms per
#      acknowledged op summed over the 3 members from /proc, the members' and the tool's cores) and
#      writes it with every run's figures to DIR/results (etcd-benchmark.txt, .json, runs.tsv);
#   6. stops everything it started, by PID, also on Ctrl-C or an error, and deletes etcd's data.
# Standalone: it needs neither Pando nor Java.
#
# Usage: bench/etcd-benchmark.sh [--runs N] [--clients 1,8,64] [--ops put,range] [--seconds S]
#                                [--target-leader] [--base-port P] [--dir DIR] [--keep-data]
#   --runs N         measured runs of every op and client count (default 3); the table shows medians
#   --clients LIST   client counts (default 1,8,64); gRPC connections are min(clients, 8)
#   --ops LIST       put, range or both (default put,range)
#   --seconds S      aimed length of each measured run (default 12)
#   --target-leader  connect to the leader only (etcd's --target-leader) instead of all members
#   --base-port P    first port to try (default 9700): clients P+1..3, peers P+11..13; moves up until free
#   --dir DIR        run directory (default: a new one under ${TMPDIR:-/tmp}); results stay in DIR/results
#   --keep-data      keep etcd's data directories afterwards
set -euo pipefail
export LC_ALL=C # decimal points in $EPOCHREALTIME, awk and printf
runs=3
clients_list=1,8,64
ops_list=put,range
seconds=12
target_leader=false
base=9700
run_dir=""
keep_data=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --clients) clients_list="$2"; shift 2 ;;
    --ops) ops_list="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --target-leader) target_leader=true; shift ;;
    --base-port) base="$2"; shift 2 ;;
    --dir) run_dir="$2"; shift 2 ;;
    --keep-data) keep_data=true; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { print }' "$0"; exit 0 ;;
    *) printf 'etcd-benchmark: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done

step() { printf 'etcd-benchmark: %s\n' "$*" >&2; }
fail() { printf 'etcd-benchmark: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "$runs" =~ ^[1-9][0-9]?$ ]] || fail "--runs must be 1..99, got $runs"
[[ "$seconds" =~ ^[1-9][0-9]{0,3}$ ]] || fail "--seconds must be 1..9999, got $seconds"
[[ "$clients_list" =~ ^[1-9][0-9]{0,3}(,[1-9][0-9]{0,3})*$ ]] || fail "--clients must be a list like 1,8,64, got $clients_list"
[[ "$ops_list" =~ ^(put|range)(,(put|range))?$ ]] || fail "--ops must be put, range or put,range, got $ops_list"
IFS=, read -r -a client_counts <<< "$clients_list"
IFS=, read -r -a ops <<< "$ops_list"

# What the runs send; the table and the JSON name them.
readonly KEY_BYTES=8 VALUE_BYTES=100 KEY_SPACE=10000
readonly RANGE_KEY=pando-bench-range-key
readonly CONNS_MAX=8
# The tool's first guess of its rate, per client count, for the probe that sizes --total
# (etcd does about 1,000 puts/s with 1 client on a 2-core VM and 8,000 with 64).
readonly PROBE_SECONDS=2 GUESS_OPS_PER_SECOND_PER_CLIENT=1000 GUESS_OPS_PER_SECOND_MAX=8000
readonly TOTAL_MIN=200 TOTAL_MAX=5000000
readonly HEALTH_TIMEOUT_SECONDS=60 BUILD_TIMEOUT_SECONDS=900

# --- 1. Debian packages ---------------------------------------------------------------------------
gocode=/usr/share/gocode
missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[[ -d "$gocode/src/go.etcd.io/etcd/clientv3" ]] || missing+=(golang-etcd-server-dev)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if (( ${#missing[@]} > 0 )); then
  if [[ $(id -u) -ne 0 ]]; then
    fail "missing Debian packages: ${missing[*]}; run as root to install them, or: sudo apt-get install ${missing[*]}"
  fi
  step "installing ${missing[*]} from Debian (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
etcd_version="$(etcd --version 2>/dev/null | awk '/^etcd Version:/ { print $3 }')"
[[ -n "$etcd_version" ]] || fail "cannot tell etcd's version from 'etcd --version'"
step "etcd $etcd_version, $(go version)"

# --- 2. etcd's benchmark tool --------------------------------------------------------------------
cache="${XDG_CACHE_HOME:-$HOME/.cache}/pando-bench"
tool="$cache/etcd-benchmark"
# SHA-256 of the Debian source archive's upstream tarball, from the .dsc of the same version.
declare -A ORIG_SHA256=(
  [3.4.23]=055c608c4898d25f23aefbc845ff074bf5e8a07e61ed41dbd5cc4d4f59c93093
)

# Puts the tool's sources where Go finds them and prints the GOPATH to build with.
benchmark_sources() {
  if [[ -d "$gocode/src/go.etcd.io/etcd/tools/benchmark" ]]; then
    printf '%s\n' "$gocode"
    return
  fi
  local sha="${ORIG_SHA256[$etcd_version]:-}"
  [[ -n "$sha" ]] || fail "no pinned SHA-256 for the sources of etcd $etcd_version (only: ${!ORIG_SHA256[*]}); add the" \
    "one for etcd_$etcd_version.orig.tar.gz from its .dsc in https://deb.debian.org/debian/pool/main/e/etcd/ to ORIG_SHA256"
  local tarball="$cache/src/etcd_$etcd_version.orig.tar.gz"
  local gopath="$cache/gopath"
  mkdir -p "$cache/src"
  if [[ ! -f "$tarball" ]] || ! sha256sum --quiet -c <<< "$sha  $tarball" 2>/dev/null; then
    step "tools/benchmark is in no Debian binary package; fetching etcd $etcd_version's sources from the Debian archive"
    curl -fsS --max-time 300 -o "$tarball.part" "https://deb.debian.org/debian/pool/main/e/etcd/etcd_$etcd_version.orig.tar.gz" \
      || fail "could not download etcd_$etcd_version.orig.tar.gz from deb.debian.org"
    sha256sum --quiet -c <<< "$sha  $tarball.part" || fail "etcd_$etcd_version.orig.tar.gz does not match its pinned SHA-256"
    mv "$tarball.part" "$tarball"
  fi
  rm -rf "$gopath/src/go.etcd.io/etcd/tools/benchmark"
  mkdir -p "$gopath/src/go.etcd.io/etcd"
  tar -xzf "$tarball" -C "$gopath/src/go.etcd.io/etcd" --strip-components=1 "etcd-$etcd_version/tools/benchmark"
  # Only tools/benchmark lives here; Go finds the rest of go.etcd.io/etcd, and everything it imports, in Debian's GOPATH.
  printf '%s\n' "$gopath:$gocode"
}

if [[ ! -x "$tool" ]]; then
  gopath="$(benchmark_sources)" || exit 1
  step "building etcd's benchmark tool (GOPATH=$gopath, GO111MODULE=off) into $tool"
  GO111MODULE=off GOFLAGS='' GOPATH="$gopath" GOCACHE="$cache/go-build" \
    timeout "$BUILD_TIMEOUT_SECONDS" go build -o "$tool.part" go.etcd.io/etcd/tools/benchmark \
    || fail "building etcd's benchmark tool failed (see above)"
  mv "$tool.part" "$tool"
fi
step "tool: $tool"

# --- ports and the run directory ------------------------------------------------------------------
base="$(free_base_port "$base" 20 1 2 3 11 12 13)" || exit 1
run_dir="$(run_directory "$run_dir" pando-etcd-benchmark)" || exit 1
results="$run_dir/results"
mkdir -p "$run_dir/etcd" "$results/raw"
step "run directory $run_dir, ports from $base"

# --- cleanup: by PID, always ----------------------------------------------------------------------
on_exit() {
  local code=$?
  trap - EXIT INT TERM
  if (( ${#pids[@]} > 0 )); then
    step "stopping etcd (pids ${pids[*]})"
    stop_all
  fi
  if ! $keep_data; then rm -rf "$run_dir/etcd"/e?; fi
  exit "$code"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 3. the cluster --------------------------------------------------------------------------------
endpoints="127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2)),127.0.0.1:$((base + 3))"
step "starting a 3-member etcd cluster on $endpoints"
start_etcd_cluster "$run_dir/etcd" "$base" $((base + 10))
wait_for "$HEALTH_TIMEOUT_SECONDS" "etcd to be healthy (logs in $run_dir/etcd)" etcd_healthy "$base"
step "etcd ready (pids ${etcd_pids[*]})"

etcdctl --endpoints "$endpoints" --command-timeout=10s put "$RANGE_KEY" "$(printf 'v%.0s' $(seq "$VALUE_BYTES"))" >/dev/null \
  || fail "could not write the key the range runs read"

# --- 4. the runs -------------------------------------------------------------------------------------
ticks_per_second="$(getconf CLK_TCK)"

# Starts the tool in the background (its arguments in "$@"; pid in $tool_wrapper) with a deadline of
# $2 seconds. Once it is done, writes bash's 'times' to file $1: its second line is the user and
# system time of this subshell's children, i.e. the tool's CPU time (/proc/<pid>/stat is gone once
# the tool has exited). Forwards TERM to the tool, so stopping $tool_wrapper by PID stops the tool.
run_tool() {
  local times_file=$1 deadline_seconds=$2 out=$3 err=$4; shift 4
  (
    set +e
    child=""
    trap '[[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null; wait' TERM
    timeout --kill-after=10 "$deadline_seconds" "$tool" "$@" > "$out" 2> "$err" &
    child=$!
    wait "$child"
    rc=$?
    times > "$times_file" # not in a pipe: a forked pipe stage would see no children
    exit "$rc"
  ) &
  tool_wrapper=$!
}

# The command line of the tool for op $1 with $2 clients and $3 requests.
tool_args() {
  local op=$1 clients=$2 total=$3
  local conns=$(( clients < CONNS_MAX ? clients : CONNS_MAX ))
  local args=(--endpoints "$endpoints" --clients "$clients" --conns "$conns" --precise)
  if $target_leader; then args+=(--target-leader); fi
  case "$op" in
    put) args+=(put --key-size "$KEY_BYTES" --val-size "$VALUE_BYTES" --key-space-size "$KEY_SPACE"
                --sequential-keys=false --total "$total") ;;
    range) args+=(range "$RANGE_KEY" --consistency l --total "$total") ;;
  esac
  printf '%s\n' "${args[@]}"
}

# One run of the tool, in this shell (so a failure stops the script, and Ctrl-C stops the tool).
# Sets m_wall_s m_rps m_p50_ms m_p99_ms m_errors m_etcd_cpu_s m_tool_cpu_s.
measure() {
  local op=$1 clients=$2 total=$3 name=$4
  local out="$results/raw/$name.txt" err="$results/raw/$name.stderr" cpu="$results/raw/$name.times"
  local args
  mapfile -t args < <(tool_args "$op" "$clients" "$total")
  printf '%s\n' "$tool ${args[*]}" > "$results/raw/$name.cmd"
  # The tool has no time limit of its own; this one is generous against the aimed length.
  local deadline_seconds=$(( 6 * seconds + 60 ))
  local before_ticks after_ticks start end rc
  before_ticks="$(cpu_ticks "${etcd_pids[@]}")" || fail "an etcd member has exited; see $run_dir/etcd/e*.log"
  start=$EPOCHREALTIME
  run_tool "$cpu" "$deadline_seconds" "$out" "$err" "${args[@]}"
  pids+=("$tool_wrapper")
  set +e
  wait "$tool_wrapper"
  rc=$?
  set -e
  end=$EPOCHREALTIME
  after_ticks="$(cpu_ticks "${etcd_pids[@]}")" || fail "an etcd member has exited; see $run_dir/etcd/e*.log"
  pids=("${pids[@]:0:${#pids[@]}-1}")
  if (( rc == 124 )); then fail "$name: the tool did not finish within ${deadline_seconds} s; see $err"; fi
  (( rc == 0 )) || fail "$name: the tool failed (exit $rc): $(tail -3 "$err")"
  local figures
  figures="$(awk -v start="$start" -v end="$end" -v etcd_ticks=$((after_ticks - before_ticks)) -v hz="$ticks_per_second" \
      -v times_file="$cpu" -v name="$name" '
    $1 == "Requests/sec:" { rps = $2 }
    $1 == "50%" && $2 == "in" { p50 = $3 * 1000 }
    $1 == "99%" && $2 == "in" { p99 = $3 * 1000 }
    /^Error distribution:/ { in_errors = 1; next }
    in_errors && match($0, /^ *\[[0-9]+\]/) { line = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", line); errors += line }
    END {
      if (rps == "") { print "etcd-benchmark: " name ": no Requests/sec in the tool output" > "/dev/stderr"; exit 1 }
      # times: the shell, then its children, each "XmY.YYYs" user and system.
      getline < times_file; getline < times_file
      split($1, user, /[ms]/); split($2, sys, /[ms]/)
      printf "%.3f %.1f %.3f %.3f %d %.2f %.3f\n", end - start, rps, p50, p99, errors, etcd_ticks / hz,
        user[1] * 60 + user[2] + sys[1] * 60 + sys[2]
    }' "$out")" || exit 1
  read -r m_wall_s m_rps m_p50_ms m_p99_ms m_errors m_etcd_cpu_s m_tool_cpu_s <<< "$figures"
}

# The requests for a run of about --seconds, at the rate of a discarded probe run (which also warms
# the cluster up); sets sized_total.
size_total() {
  local op=$1 clients=$2
  local guess=$(( clients * GUESS_OPS_PER_SECOND_PER_CLIENT ))
  (( guess <= GUESS_OPS_PER_SECOND_MAX )) || guess=$GUESS_OPS_PER_SECOND_MAX
  local probe_total=$(( guess * PROBE_SECONDS ))
  measure "$op" "$clients" "$probe_total" "probe-$op-${clients}c"
  sized_total="$(awk -v done="$probe_total" -v errors="$m_errors" -v wall="$m_wall_s" -v s="$seconds" \
    -v lo="$TOTAL_MIN" -v hi="$TOTAL_MAX" \
    'BEGIN { t = int((done - errors) / wall * s); if (t < lo) t = lo; if (t > hi) t = hi; print t }')"
}

declare -A totals
for op in "${ops[@]}"; do
  for c in "${client_counts[@]}"; do
    size_total "$op" "$c"
    totals[$op-$c]=$sized_total
    step "probe: $op, $c clients, $m_rps requests/s: --total $sized_total for about ${seconds} s"
  done
done

tsv="$results/runs.tsv"
printf 'run\top\tclients\tconns\ttotal\tacknowledged\twall_s\trequests_per_s\tp50_ms\tp99_ms\terrors\tetcd_cpu_s\ttool_cpu_s\n' > "$tsv"
for run in $(seq "$runs"); do
  for op in "${ops[@]}"; do
    for c in "${client_counts[@]}"; do
      total=${totals[$op-$c]}
      measure "$op" "$c" "$total" "$op-${c}c-run$run"
      acked=$(( total - m_errors ))
      printf '%d\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n' "$run" "$op" "$c" $(( c < CONNS_MAX ? c : CONNS_MAX )) \
        "$total" "$acked" "$m_wall_s" "$m_rps" "$m_p50_ms" "$m_p99_ms" "$m_errors" "$m_etcd_cpu_s" "$m_tool_cpu_s" >> "$tsv"
      step "run $run/$runs: $op, $c clients: $(awk -v r="$m_rps" -v p50="$m_p50_ms" -v p99="$m_p99_ms" -v e="$m_etcd_cpu_s" \
        -v k="$acked" -v w="$m_wall_s" -v t="$m_tool_cpu_s" -v err="$m_errors" 'BEGIN {
        printf "%.0f requests/s, p50 %.2f ms, p99 %.2f ms, etcd %.3f ms CPU per op (%.2f cores), tool %.2f cores, %d errors",
          r, p50, p99, (k > 0 ? e * 1000 / k : 0), e / w, t / w, err }')"
    done
  done
done

# --- 5. medians, table and JSON -------------------------------------------------------------------------
{
  printf 'etcd %s driven by its own benchmark tool (tools/benchmark), 3 members on 127.0.0.1, %s; medians of %d runs\n' \
    "$etcd_version" "$($target_leader && echo 'to the leader only' || echo 'connections spread over all members')" "$runs"
  printf 'put: %d-byte keys uniformly random over %d, %d-byte values; range: linearizable reads of one %d-byte value\n' \
    "$KEY_BYTES" "$KEY_SPACE" "$VALUE_BYTES" "$VALUE_BYTES"
} > "$results/etcd-benchmark.txt"
awk -F '\t' -v version="$etcd_version" -v runs="$runs" -v seconds="$seconds" -v leader="$target_leader" \
    -v key_bytes="$KEY_BYTES" -v value_bytes="$VALUE_BYTES" -v key_space="$KEY_SPACE" -v range_key="$RANGE_KEY" \
    -v table="$results/etcd-benchmark.txt" -v json="$results/etcd-benchmark.json" '
  function median(list,   n, v, i, j, x) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) { x = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  NR == 1 { next }
  {
    key = $2 SUBSEP $3
    if (!(key in conns)) { order[++keys] = key; conns[key] = $4 }
    rps[key] = rps[key] " " $8; p50[key] = p50[key] " " $9; p99[key] = p99[key] " " $10
    ms_per_op[key] = ms_per_op[key] " " ($6 > 0 ? $12 * 1000 / $6 : 0)
    etcd_cores[key] = etcd_cores[key] " " $12 / $7; tool_cores[key] = tool_cores[key] " " $13 / $7
    errors[key] += $11
    row = sprintf("{\"run\":%d,\"op\":\"%s\",\"clients\":%d,\"conns\":%d,\"total\":%d,\"acknowledged\":%d,\"wall_s\":%s," \
      "\"requests_per_second\":%s,\"p50_ms\":%s,\"p99_ms\":%s,\"errors\":%d,\"etcd_cpu_s\":%s,\"tool_cpu_s\":%s}",
      $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
    all_runs = all_runs (all_runs == "" ? "" : ",") row
  }
  END {
    printf "%-6s %7s %5s %11s %8s %8s %15s %10s %10s %6s\n", "op", "clients", "conns", "requests/s", "p50 ms", "p99 ms",
      "etcd CPU ms/op", "etcd cores", "tool cores", "errors" >> table
    for (i = 1; i <= keys; i++) {
      k = order[i]; split(k, parts, SUBSEP)
      m_rps = median(rps[k]); m_p50 = median(p50[k]); m_p99 = median(p99[k]); m_ms = median(ms_per_op[k])
      m_etcd = median(etcd_cores[k]); m_tool = median(tool_cores[k])
      printf "%-6s %7d %5d %11.0f %8.2f %8.2f %15.3f %10.2f %10.2f %6d\n", parts[1], parts[2], conns[k], m_rps, m_p50,
        m_p99, m_ms, m_etcd, m_tool, errors[k] >> table
      medians = medians (i == 1 ? "" : ",") sprintf("{\"op\":\"%s\",\"clients\":%d,\"conns\":%d,\"requests_per_second\":%.1f," \
        "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"etcd_cpu_ms_per_op\":%.4f,\"etcd_cores\":%.3f,\"tool_cores\":%.3f,\"errors\":%d}",
        parts[1], parts[2], conns[k], m_rps, m_p50, m_p99, m_ms, m_etcd, m_tool, errors[k])
    }
    printf "{\"etcd_version\":\"%s\",\"tool\":\"etcd tools/benchmark %s\",\"members\":3,\"target_leader\":%s," \
      "\"runs\":%d,\"aimed_seconds_per_run\":%d,\"put\":{\"key_bytes\":%d,\"value_bytes\":%d,\"key_space\":%d," \
      "\"sequential_keys\":false},\"range\":{\"key\":\"%s\",\"value_bytes\":%d,\"consistency\":\"linearizable\"}," \
      "\"medians\":[%s],\"runs_detail\":[%s]}\n", version, version, leader, runs, seconds, key_bytes, value_bytes,
      key_space, range_key, value_bytes, medians, all_runs > json
  }' "$tsv"

cat "$results/etcd-benchmark.txt"
step "table: $results/etcd-benchmark.txt"
step "JSON:  $results/etcd-benchmark.json (every run: $tsv; the tool's own output: $results/raw)"
step "logs:  $run_dir/etcd/e*.log"
