#!/usr/bin/env bash
# Ingest's long views on a data folder: load time and StreamSignals bytes with and without them in
# one run (alternating), then peak memory of each mode in a process of its own.
# Usage: scripts/bench-long-views.sh BUILD_DIR DATA_DIR [REPEATS]
set -euo pipefail
build="${1:-build}"
data="${2:-../shared/data/ravenstack}"
repeats="${3:-7}"
bench="$build/bench/long_views_bench"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" "$data" "$repeats" both
"$bench" "$data" 1 off | tail -n 1
"$bench" "$data" 1 on | tail -n 1
