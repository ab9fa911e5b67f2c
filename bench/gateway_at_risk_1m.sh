#!/usr/bin/env bash
# The gateway at a million customers: generates about 1,000,000 subscriptions (BENCH_GW_ACCOUNTS
# accounts, the usage table cut to BENCH_GW_USAGE_ROWS rows so the data set fits in memory),
# starts the real ingest, scoring and enrichment on loopback, then each gateway binary given in
# turn (default: BUILD/services/gateway/churn-gateway; pass a second one, e.g. main's, to compare
# in the same run) against them, with the risk history on (its defaults), and prints:
#   - cold start: gateway start -> views published (ready), and the refresh's own seconds: the
#     full refresh (every customer streamed, scored and put into new views), by stage (from the
#     gateway's churn_gateway_refresh_stage_seconds), and the gateway's CPU time until then;
#   - a requested refresh of unchanged data (POST /api/v1/refresh: stream and compare; every
#     assessment is reused, nothing is scored), wall time;
#   - gateway RSS after the first views (steady) and its peak (VmHWM);
#   - per at-risk query: the CPU the gateway spends on one request (sequential requests; in
#     10 ms ticks, so coarse, and any background work of the gateway counts too), and wrk at
#     BENCH_GW_CONNECTIONS connections: p50, p99, requests/s, timeouts, and the gateway's CPU
#     over the wrk run per request served (wrk_cpu_us: many requests, so finer);
#   - the risk history's cost: its first write (waited for before the queries unless
#     BENCH_GW_WAIT_HISTORY=0) and the backfill's dates so far.
# Usage: bench/gateway_at_risk_1m.sh BUILD_DIR [GATEWAY_BINARY...]
# Needs wrk and curl (scripts/install-deps.sh bench). Scratch in BENCH_GW_WORK (default
# /tmp/churn-gateway-1m); the data set is kept in BENCH_GW_DATA (default var/bench-gateway-1m).
# BENCH_GW_GATEWAY_FLAGS: more flags for every gateway (e.g. --history_backfill_days=0, so the
# risk history's backfill does not count in the CPU per request).
# BENCH_GW_DUMP: a folder to save what each gateway served after its first views into
# (DUMP/gatewayN/: at-risk pages, customer details, the drivers, the sha256 of the at-risk and
# playbooks CSV exports of every row), to diff two gateway builds' bytes.
# BENCH_GW_RSS: a folder for each gateway's resident memory every 50 ms (RSS/gatewayN.rss, from
# bench/rss_timeline.sh) and the times the script's phases began (RSS/gatewayN.phases).
set -uo pipefail
build="${1:?usage: $0 BUILD_DIR [GATEWAY_BINARY...]}"
shift
gateways=("$@")
[ ${#gateways[@]} -eq 0 ] && gateways=("$build/services/gateway/churn-gateway")
accounts="${BENCH_GW_ACCOUNTS:-456000}"
usage_rows="${BENCH_GW_USAGE_ROWS:-3000000}"
connections="${BENCH_GW_CONNECTIONS:-64}"
seconds="${BENCH_GW_SECONDS:-10}"
single="${BENCH_GW_SINGLE:-20}"
data="${BENCH_GW_DATA:-var/bench-gateway-1m}"
work="${BENCH_GW_WORK:-/tmp/churn-gateway-1m}"
bench_dir="$(cd "$(dirname "$0")" && pwd)"
web_root="$(cd "$bench_dir/.." && pwd)/web"
command -v wrk > /dev/null || { echo "wrk missing: scripts/install-deps.sh bench"; exit 2; }

if [ ! -f "$data/.complete" ]; then
  echo "== generating $accounts accounts into $data (usage cut to $usage_rows rows)"
  "$build/tools/churnctl/churnctl" generate --out "$data" --accounts "$accounts" --seed 11 \
    --history-days 61 || exit 1
  head -n "$((usage_rows + 1))" "$data/feature_usage.csv" > "$data/feature_usage.csv.cut"
  mv "$data/feature_usage.csv.cut" "$data/feature_usage.csv"
  touch "$data/.complete"
fi
echo "== data: $(($(wc -l < "$data/subscriptions.csv") - 1)) subscriptions," \
  "$(($(wc -l < "$data/feature_usage.csv") - 1)) usage rows"

rm -rf "$work"; mkdir -p "$work/no-tickets"
# Absolute paths, then run from the scratch folder: every service on its defaults, whatever
# config/ of this checkout says (and a gateway binary older than it may not know its keys).
build=$(cd "$build" && pwd); data=$(cd "$data" && pwd)
for k in "${!gateways[@]}"; do gateways[$k]=$(realpath "${gateways[$k]}"); done
cd "$work" || exit 1
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; wait 2> /dev/null; }
trap cleanup EXIT
port() { grep "^$2=" "$work/$1.ports" 2> /dev/null | cut -d= -f2 | tr -d ' '; }
start() {  # name binary args...: starts it, waits for its gRPC port
  local name=$1 bin=$2; shift 2
  "$bin" --grpc_address=127.0.0.1:0 --metrics_address=127.0.0.1:0 --port_file="$work/$name.ports" \
    "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do [ -n "$(port "$name" grpc_port)" ] && return 0; sleep 0.1; done
  echo "$name did not start: $(tail -3 "$work/$name.log")"; exit 1
}
now() { date +%s.%N; }
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2> /dev/null || echo 0; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

t0=$(now)
start ingest "$build/services/ingest/churn-ingest" --data_dir="$data" --tickets_dir="$work/no-tickets"
for _ in $(seq 1 1200); do grep -q snapshot_published "$work/ingest.log" && break; sleep 0.1; done
echo "== ingest snapshot after $(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}') s"
start scoring "$build/services/scoring/churn-scoring" --rules_file=
start enrichment "$build/services/enrichment/churn-enrichment" --use_model=false --cache_path=

queries=(
  "limit=50"
  "risk_level=High&limit=50"
  "risk_level=High,Medium&min_arr=20000&sort=-arr&limit=50"
  "plan_tier=Enterprise&sort=risk_score&order=asc&limit=50"
  "risk_level=High&sort=-usage_drop_pct&limit=50&offset=500"
  "sort=account_name&limit=50"
  "sort=-score_change_30d&limit=50"
  "min_score_change_30d=5&sort=-score_change_30d&limit=50"
  # VARY: a random one of 2,000 offsets per request (bench/at_risk_many_pages.lua), past the
  # gateway's page cache; the sequential requests (cpu_ms/req, single_ms) ask for offset 0.
  "risk_level=High,Medium&sort=-arr&limit=50&offset=VARY"
)

i=0
for gateway in "${gateways[@]}"; do
  i=$((i + 1)); name="gateway$i"
  echo
  echo "== $gateway (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  started=$(now)
  start "$name" "$gateway" --ingest_address=127.0.0.1:"$(port ingest grpc_port)" \
    --scoring_address=127.0.0.1:"$(port scoring grpc_port)" \
    --enrichment_address=127.0.0.1:"$(port enrichment grpc_port)" --http_address=127.0.0.1:0 \
    --outcomes_db="$work/$name-outcomes.sqlite" --history_db="$work/$name-history.sqlite" \
    --web_root="$web_root" ${BENCH_GW_GATEWAY_FLAGS:-}
  gw=${pids[-1]}
  phase() { :; }
  if [ -n "${BENCH_GW_RSS:-}" ]; then
    mkdir -p "$BENCH_GW_RSS"
    "$bench_dir/rss_timeline.sh" "$gw" > "$BENCH_GW_RSS/$name.rss" &
    phases="$BENCH_GW_RSS/$name.phases"
    echo "$started start" > "$phases"
    phase() { echo "$(now) $1" >> "$phases"; }
  fi
  for _ in $(seq 1 600); do [ -n "$(port "$name" http_port)" ] && break; sleep 0.1; done
  base="http://127.0.0.1:$(port "$name" http_port)"
  peak=0
  for _ in $(seq 1 1800); do
    curl -sf "$base/readyz" > /dev/null && break
    peak=$(kib "$gw" VmHWM); sleep 0.1
  done
  ready=$(now)
  phase ready
  sleep 0.5  # the log line lands just after the health change
  echo "cold start -> views published: $(awk -v a="$started" -v b="$ready" 'BEGIN {printf "%.2f", b - a}') s" \
    "(refresh itself: $(grep -o 'views_published.*seconds=[0-9.]*' "$work/$name.log" | head -1 | grep -o 'seconds=[0-9.]*'))"
  # The first refresh is the full one: its stages from the metrics (one observation each so far).
  stages=$(curl -sf "http://127.0.0.1:$(port "$name" metrics_port)/metrics" |
    awk -F'[{}" ]' '/^churn_gateway_refresh_stage_seconds_sum/ {printf "%s %.2f s, ", $3, $NF}')
  echo "full refresh stages: ${stages%, }"
  echo "gateway CPU from start to views: $(awk -v t="$(cpu_ticks "$gw")" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.2f", t / hz}') s"
  echo "RSS after first views: $(($(kib "$gw" VmRSS) / 1024)) MiB"
  # The risk history's first write (every row of the date, on its nice-19 thread: long at a
  # million) finishes before the queries, so they do not share the cores with it
  # (BENCH_GW_WAIT_HISTORY=0: no wait; --history_backfill_days=0 keeps the backfill off too).
  if [ "${BENCH_GW_WAIT_HISTORY:-1}" != 0 ]; then
    for _ in $(seq 1 3000); do grep -q risk_history_written "$work/$name.log" && break; sleep 0.1; done
    echo "risk history's first write: $(grep -o 'risk_history_written.*seconds=[0-9.]*' \
      "$work/$name.log" | head -1 | grep -o 'seconds=[0-9.]*')"
    phase history_written
  fi
  if [ -n "${BENCH_GW_DUMP:-}" ]; then
    dump="$BENCH_GW_DUMP/$name"; rm -rf "$dump"; mkdir -p "$dump"
    for q in "limit=1000" "limit=1000&offset=400000" "limit=1000&offset=1000000" \
      "risk_level=Medium&limit=1000&offset=2000" "sort=risk_score&order=asc&limit=1000"; do
      curl -sf "$base/api/v1/at-risk?$q" > "$dump/at-risk-${q//[&=]/_}.json"
    done
    for id in $(grep -o '"customer_id":"[^"]*"' "$dump/at-risk-limit_1000.json" | cut -d'"' -f4 |
      awk 'NR % 20 == 1'); do
      curl -sf "$base/api/v1/customers/$id" > "$dump/customer-$id.json"
    done
    curl -sf "$base/api/v1/drivers" > "$dump/drivers.json"
    for csv in at-risk playbooks; do
      curl -sf "$base/api/v1/export/$csv.csv" | sha256sum > "$dump/export-$csv.csv.sha256"
    done
  fi
  # A requested refresh of the same data: the signals streamed again and compared with the views'
  # (every assessment reused, nothing scored), with the first views still held.
  phase refresh_requested
  refresh=$(curl -s -o "$work/refresh.json" -w '%{time_total}' -X POST -H 'Content-Type: application/json' \
    -d '{}' "$base/api/v1/refresh")
  echo "requested refresh, data unchanged (POST /api/v1/refresh, all reused): ${refresh} s" \
    "($(grep -o 'views_published.*seconds=[0-9.]*' "$work/$name.log" | tail -1 | grep -o 'seconds=[0-9.]*'))"

  phase queries
  printf '%-62s %9s %8s %8s %8s %9s %8s %10s\n' query cpu_ms/req single_ms p50_ms p99_ms req/s timeouts \
    wrk_cpu_us
  for q in "${queries[@]}"; do
    url="$base/api/v1/at-risk?${q/VARY/0}"
    wrk_script=()
    if [[ $q == *VARY* ]]; then
      wrk_script=(-s "$bench_dir/at_risk_many_pages.lua")
    fi
    curl -sf --max-time 120 -o "$work/page.json" "$url" || { echo "$q: request failed"; continue; }
    ticks0=$(cpu_ticks "$gw")
    single_ms=$(for _ in $(seq 1 "$single"); do curl -s --max-time 60 -o /dev/null -w '%{time_total}\n' "$url"; done |
      sort -n | awk '{a[NR] = $1} END {printf "%.1f", a[int((NR + 1) / 2)] * 1000}')
    cpu_ms=$(awk -v a="$ticks0" -v b="$(cpu_ticks "$gw")" -v n="$single" -v hz="$(getconf CLK_TCK)" \
      'BEGIN {printf "%.2f", (b - a) * 1000 / hz / n}')
    ticks0=$(cpu_ticks "$gw")
    out=$(wrk -t2 -c"$connections" -d"${seconds}s" --timeout 2s --latency "${wrk_script[@]}" \
      "$base/api/v1/at-risk?$q" 2>&1)
    requests=$(awk '$2 == "requests" && $3 == "in" {print $1}' <<< "$out")
    wrk_cpu_us=$(awk -v a="$ticks0" -v b="$(cpu_ticks "$gw")" -v n="${requests:-0}" \
      -v hz="$(getconf CLK_TCK)" 'BEGIN {if (n > 0) printf "%.0f", (b - a) * 1e6 / hz / n; else print "-"}')
    p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
    p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
    rps=$(awk '$1 == "Requests/sec:" {printf "%.0f", $2}' <<< "$out")
    timeouts=$(grep -o 'timeout [0-9]*' <<< "$out" | awk '{print $2}')
    non2xx=$(awk '$1 == "Non-2xx" {print $NF}' <<< "$out")
    [ -n "$non2xx" ] && echo "  ($non2xx non-2xx responses)"
    # wrk reports 0 latency when no request finished within its timeout.
    if [ "${rps:-0}" = 0 ]; then p50="-"; p99="-"; fi
    peak=$(kib "$gw" VmHWM)
    printf '%-62s %9s %8s %8s %8s %9s %8s %10s\n' "$q" "$cpu_ms" "$single_ms" "$p50" "$p99" "$rps" \
      "${timeouts:-0}" "$wrk_cpu_us"
  done
  phase queries_done
  echo "RSS now: $(($(kib "$gw" VmRSS) / 1024)) MiB, peak (VmHWM): $(($(kib "$gw" VmHWM) / 1024)) MiB"
  # The risk history's work after the publishes, on its background thread (not holding the views).
  echo "risk history writes: $(grep -o 'risk_history_written.*seconds=[0-9.]*' "$work/$name.log" |
    grep -o 'seconds=[0-9.]*' | tr '\n' ' ')"
  echo "risk history backfill so far: $(grep -c risk_history_backfilled "$work/$name.log") dates," \
    "$(grep -o 'risk_history_backfilled.*seconds=[0-9.]*' "$work/$name.log" | awk -F'seconds=' '{s += $2; n++} END {if (n) printf "%.1f s per date", s / n}')"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  kill "$gw"; wait "$gw" 2> /dev/null; unset 'pids[-1]'
done
