#!/usr/bin/env bash
# The placement driver at scale, simulated: builds the PD's state, heartbeat book, scheduler and
# hot-spot detection for --nodes nodes and --ranges ranges (default 1,000 and 1,000,000), feeds them
# synthetic heartbeats, and prints the PD leader's CPU per heartbeat, the time of a scheduling round
# and of a hot-spot round, and heap used (pando.pdscale.PdScaleMain). No cluster is started: the
# figures are of the PD's own computation, with the classes it runs.
#
# Usage: bench/pd-scale.sh [--no-build] [OPTIONS...]   (options: --nodes, --ranges, --replication,
#        --runs, --hot-share, --seed; see --help). Heap: PD_SCALE_HEAP (default 12g).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
step() { echo "== $*" >&2; }
fail() { echo "pd-scale: $*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

build=true
if [[ "${1:-}" == "--no-build" ]]; then
  build=false
  shift
fi
bench_jar="$root/bench/target/pando-bench.jar"
if stale "$bench_jar"; then
  $build || fail "$bench_jar is missing or older than the sources; build with: mvn -B -DskipTests package"
  step "building the jars (mvn package, tests skipped)"
  (cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests package) >&2
fi
exec java -Xmx"${PD_SCALE_HEAP:-12g}" -cp "$bench_jar" pando.pdscale.PdScaleMain "$@"
