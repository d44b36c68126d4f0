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

exec_bench_main "${PD_SCALE_HEAP:-12g}" pando.pdscale.PdScaleMain "$@"
