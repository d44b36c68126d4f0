# shellcheck shell=bash
# Sourced by the bench scripts, not run: waiting with a deadline, free ports, the run directory,
# stopping by PID what a script started, a 3-member etcd cluster on 127.0.0.1, and processes' CPU
# time, and whether a jar is stale. The sourcing script defines step and fail (a line on stderr; that line, then exit 1).

# Every process the script started and has not stopped yet; stop_all stops them.
pids=()
# A caller whose processes stop slowly (large data) may set it before sourcing this file.
readonly STOP_TIMEOUT_SECONDS=${STOP_TIMEOUT_SECONDS:-30}

# Stops every process in pids: SIGTERM, then SIGKILL for any still running after STOP_TIMEOUT_SECONDS.
stop_all() {
  local pid deadline
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      step "pid $pid did not stop within ${STOP_TIMEOUT_SECONDS} s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  pids=()
}

# Waits until the command in the remaining arguments succeeds, at most $1 seconds; $2 names what is awaited.
wait_for() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null; do
    if (( SECONDS >= deadline )); then fail "gave up after ${limit}s waiting for $what"; fi
    sleep 0.2
  done
}

# True if something listens on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints the first base port from $1 upward, in steps of $2, for which base + each further argument
# (an offset) is a free port; at most 50 tries.
free_base_port() {
  local base=$1 stride=$2 tries=0 offset busy highest=0
  shift 2
  for offset in "$@"; do
    if (( offset > highest )); then highest=$offset; fi
  done
  while true; do
    busy=false
    for offset in "$@"; do
      if port_busy $((base + offset)); then busy=true; break; fi
    done
    $busy || break
    tries=$((tries + 1))
    (( tries < 50 )) || fail "no free ports found from --base-port upward (50 tries)"
    base=$((base + stride))
  done
  (( base + highest < 65536 )) || fail "--base-port $base is too high"
  printf '%s\n' "$base"
}

# Prints the absolute path of directory $1, created if needed, or of a new one under $TMPDIR named $2-XXXXXX.
run_directory() {
  local dir=$1 name=$2
  if [[ -z "$dir" ]]; then
    mktemp -d -t "$name-XXXXXX"
  else
    mkdir -p "$dir"
    (cd "$dir" && pwd)
  fi
}

# PIDs of the members start_etcd_cluster started.
etcd_pids=()

# Starts a 3-member etcd cluster with its data (e1..e3) and logs (e1.log..) in directory $1: member
# i serves clients on 127.0.0.1:($2 + i) and its peers on 127.0.0.1:($3 + i). Adds the members to
# pids and etcd_pids.
start_etcd_cluster() {
  local dir=$1 client_port0=$2 peer_port0=$3 i client peer initial_cluster=""
  for i in 1 2 3; do
    initial_cluster+="${initial_cluster:+,}e$i=http://127.0.0.1:$((peer_port0 + i))"
  done
  mkdir -p "$dir"
  for i in 1 2 3; do
    client="http://127.0.0.1:$((client_port0 + i))"
    peer="http://127.0.0.1:$((peer_port0 + i))"
    etcd --name "e$i" --data-dir "$dir/e$i" \
      --listen-client-urls "$client" --advertise-client-urls "$client" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
      --initial-cluster "$initial_cluster" --initial-cluster-token pando-bench --initial-cluster-state new \
      > "$dir/e$i.log" 2>&1 &
    pids+=("$!")
    etcd_pids+=("$!")
  done
}

# True when the three members serving clients on 127.0.0.1:($1 + 1..3) all say they are healthy.
etcd_healthy() {
  local i
  for i in 1 2 3; do
    curl -sf --max-time 2 "http://127.0.0.1:$(($1 + i))/health" | grep -q '"health":"true"' || return 1
  done
}

# Prints the CPU time (user + system) the processes in the arguments have used so far, together,
# in clock ticks (getconf CLK_TCK a second), from /proc/<pid>/stat; fails if one has exited.
cpu_ticks() {
  local pid ticks total=0
  for pid in "$@"; do
    # Fields 14 and 15, counted after the command name, which ends at the last ')'.
    ticks="$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null)" \
      || fail "process $pid has exited"
    total=$((total + ticks))
  done
  printf '%s\n' "$total"
}

stale() { # true if jar $1 is missing or older than a source or pom under $root
  [[ ! -f "$1" ]] \
    || [[ -n "$(find "$root" -path "$root/*/src/*" -newer "$1" -print -quit 2>/dev/null)" ]] \
    || [[ -n "$(find "$root" -maxdepth 2 -name pom.xml -newer "$1" -print -quit 2>/dev/null)" ]]
}

# Runs main class $2 of the bench jar with heap $1 and the remaining arguments, building the jars
# first when the bench jar is stale, unless the first remaining argument is --no-build. Needs the
# caller's step and fail.
exec_bench_main() {
  local heap="$1" main="$2"
  shift 2
  local build=true
  if [[ "${1:-}" == "--no-build" ]]; then
    build=false
    shift
  fi
  local jar="$root/bench/target/pando-bench.jar"
  if stale "$jar"; then
    $build || fail "$jar is missing or older than the sources; build with: mvn -B -DskipTests package"
    step "building the jars (mvn package, tests skipped)"
    (cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests package) >&2
  fi
  exec java -Xmx"$heap" -cp "$jar" "$main" "$@"
}

# Prints the PIDs of the nodes in the table pando local wrote to log $1, comma-separated: the
# column headed "pid", wherever it is.
local_node_pids() {
  awk '$1 == "node" { for (i = 1; i <= NF; i++) if ($i == "pid") col = i; next }
       col && $1 ~ /^n[0-9]+$/ && $col ~ /^[0-9]+$/ { printf "%s%s", sep, $col; sep = "," }' "$1"
}

# Builds cli/target/pando.jar if it is missing or stale, then sets jar; base (from $base upward,
# free for pando local's ports); run_dir ($run_dir, or a new directory named $1-XXXXXX); and
# results ($run_dir/results, created).
setup_pando_run() {
  jar="$root/cli/target/pando.jar"
  if stale "$jar"; then
    step "building $jar (mvn package, tests skipped)"
    (cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests package) >&2
  fi
  base="$(free_base_port "$base" 10 1 2 3 101 102 103 200 201 300 301 302 303)"
  run_dir="$(run_directory "$run_dir" "$1")"
  results="$run_dir/results"
  mkdir -p "$results"
  step "run directory $run_dir, ports from $base"
}

# Starts pando local on $base with its data in $run_dir/pando (new or existing) and its output in
# log $1, passing it any further arguments after $2; adds it to pids and waits at most $2 seconds
# for it to be ready. Sets local_pid and node_pids (comma-separated).
start_pando_local() {
  local log=$1 limit=$2
  shift 2
  java -jar "$jar" local --dir "$run_dir/pando" --base-port "$base" "$@" > "$log" 2>&1 &
  local_pid=$!
  pids+=("$local_pid")
  wait_for "$limit" "the cluster to be ready (see $log)" local_ready "$log"
  node_pids="$(local_node_pids "$log")"
  [[ -n "$node_pids" ]] || fail "no node PIDs in $log"
}

# True once pando local (local_pid) wrote "cluster ready" to log $1; fails if it exited.
local_ready() {
  kill -0 "$local_pid" 2>/dev/null || fail "pando local exited; see $1"
  grep -q '^cluster ready' "$1"
}
