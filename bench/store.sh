#!/usr/bin/env bash
# One replica's store at the size a range splits at (pando.storebench.StoreBenchMain): loads
# --keys keys (default 550,000, about 64 MiB) in batches through the store class every replica
# runs, then times a split at the median (the time the range's writes are held), the removal of the
# keys it moved away, a snapshot and its restore. No cluster: the figures are of the apply thread's
# own work on this machine's disk. Median of --runs runs (default 3).
#
# Usage: bench/store.sh [--no-build] [OPTIONS...]   (options: --keys, --value-bytes, --batch-keys,
#        --runs, --dir; see --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
step() { echo "== $*" >&2; }
fail() { echo "store-bench: $*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

exec_bench_main 2g pando.storebench.StoreBenchMain "$@"
