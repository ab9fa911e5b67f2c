#!/usr/bin/env bash
# Benchmarks: the CSV reader against its baselines, the end-to-end pipeline on a
# generated data set of BENCH_ACCOUNTS accounts (default 100,000: tens of millions of usage
# rows, about 2 GB; generated once into var/bench-data-<N>), and the scoring RPC.
set -euo pipefail
build="${1:-build}"
accounts="${BENCH_ACCOUNTS:-100000}"
data="var/bench-data-${accounts}"
if [ ! -f "$data/feature_usage.csv" ]; then
  "$build/tools/churnctl/churnctl" generate --out "$data" --accounts "$accounts" --seed 11
fi
echo "== CSV reader (Google Benchmark)"
"$build/bench/csv_bench" --benchmark_min_time=2
echo "== End-to-end pipeline"
"$build/bench/pipeline_bench" "$data" "${BENCH_REPEATS:-1}"
echo "== Backtest (Google Benchmark; generates its own 100,000-account planted data set)"
"$build/bench/backtest_bench"
echo "== Scoring RPC (ScoreBatch full and compact vs in-process, unary Score closed and open loop)"
"$build/bench/scoring_load/scoring_load_bench" --seconds="${BENCH_SCORING_SECONDS:-5}"
if [ -z "${BENCH_SKIP_GATEWAY_1M:-}" ]; then
  echo "== The gateway at 1,000,000 customers (refresh, RSS, at-risk latency under wrk)"
  bench/gateway_at_risk_1m.sh "$build" ${BENCH_GATEWAY_BASELINE:-}
fi
echo "== Refresh after a tickets change (100,000 customers: 46,000 accounts, generated once)"
refresh_data="var/bench-refresh-46000"
if [ ! -f "$refresh_data/feature_usage.csv" ]; then
  "$build/tools/churnctl/churnctl" generate --out "$refresh_data" --accounts 46000 --seed 11
fi
"$build/bench/refresh/refresh_bench" --data="$refresh_data" --repeats="${BENCH_REFRESH_REPEATS:-10}"
echo "== The risk history after a publish (101,000 customers, 27 weekly dates)"
"$build/bench/risk_history_bench" 101000 27 100 3
