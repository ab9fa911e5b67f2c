#!/usr/bin/env bash
# Brings the service set up as local processes on the demo data and waits until every service
# reports SERVING; Ctrl-C (or SIGTERM) stops all four cleanly.
# Usage: scripts/run-demo.sh BUILD_DIR DATA_DIR
set -euo pipefail
build="${1:-build}"
data="${2:-var/demo-data}"
state="var/run"
mkdir -p "$state"

tickets_dir="${CHURN_TICKETS_DIR:-}"
if [ -z "$tickets_dir" ] && [ -d "$data/tickets" ]; then tickets_dir="$data/tickets"; fi
if [ -z "$tickets_dir" ] && [ -d ../shared/data/tickets ]; then tickets_dir="../shared/data/tickets"; fi

http_port="${CHURN_HTTP_PORT:-8080}"
pids=()
stop_all() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo
    echo "stopping the service set..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    echo "stopped."
  fi
}
# Ctrl-C reaches the services too (same process group); stopping is the expected end.
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

start() {
  local name="$1"; shift
  rm -f "$state/$name.ports"
  "$build/services/$name/churn-$name" --port_file="$state/$name.ports" "$@" \
    >"$state/$name.log" 2>&1 &
  pids+=("$!")
  echo "started churn-$name (pid $!, log $state/$name.log)"
}

churnctl="$build/tools/churnctl/churnctl"

# A trained model for the second opinion in the customer brief (CHURN_DEMO_MODEL=0: none, or
# CHURN_MODEL_FILE=PATH: that one). Trained here on the data's last months: starting 89 days
# before its end (the demo's 180 days of usage allow training from 90 days in) with a 30-day
# horizon; a few seconds. Data this short cannot also evaluate the model out of sample in the
# Model quality tab (that needs history past the model's labels; see README).
model_file="${CHURN_MODEL_FILE:-}"
if [ -z "$model_file" ] && [ "${CHURN_DEMO_MODEL:-1}" != 0 ]; then
  end=$("$churnctl" summary --data "$data" --format json 2>/dev/null |
        sed -n 's/.*"usage_window_end": "\([0-9-]*\)".*/\1/p' | head -n 1)
  if [ -n "$end" ] && "$churnctl" train --data "$data" --from "$(date -u -d "$end - 89 days" +%F)" \
       --to "$(date -u -d "$end - 30 days" +%F)" --step-days 30 --horizon-days 30 \
       --out "$state/demo-model.json" >"$state/train.log" 2>&1; then
    model_file="$state/demo-model.json"
    echo "trained the demo model ($model_file; report in $state/train.log)"
  else
    echo "no demo model: training failed on $data (see $state/train.log); the rules alone" >&2
  fi
fi

start ingest --data_dir="$data" --tickets_dir="$tickets_dir" --model_file="$model_file" \
  --grpc_address=127.0.0.1:50051 --metrics_address=127.0.0.1:9101
start scoring --rules_file=config/scoring.yaml --model_file="$model_file" \
  --grpc_address=127.0.0.1:50052 --metrics_address=127.0.0.1:9102
start enrichment --ollama_url="${CHURN_OLLAMA_URL:-http://127.0.0.1:11434}" \
  --cache_path="$state/enrichment-cache.sqlite" \
  --grpc_address=127.0.0.1:50053 --metrics_address=127.0.0.1:9103
start gateway --ingest_address=127.0.0.1:50051 --scoring_address=127.0.0.1:50052 \
  --enrichment_address=127.0.0.1:50053 --outcomes_db="$state/outcomes.sqlite" \
  --history_db="$state/risk-history.sqlite" \
  --grpc_address=127.0.0.1:50054 --metrics_address=127.0.0.1:9104 \
  --http_address=127.0.0.1:"$http_port" --web_root=web

# Every service's grpc.health.v1 must say SERVING (the gateway only after its first views).
deadline=$((SECONDS + 120))
for address in 127.0.0.1:50051 127.0.0.1:50052 127.0.0.1:50053 127.0.0.1:50054; do
  until "$churnctl" health --address "$address" >/dev/null 2>&1; do
    for pid in "${pids[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "a service exited during start-up; logs in $state/:" >&2
        tail -n 5 "$state"/*.log >&2
        exit 1
      fi
    done
    if [ $SECONDS -ge $deadline ]; then
      echo "$address did not report SERVING within 120 s; logs in $state/" >&2
      exit 1
    fi
    sleep 0.3
  done
  echo "$address SERVING"
done

cat <<MSG

The churn early-warning system is up on the demo data ($data).
  Dashboard:  http://127.0.0.1:$http_port/
  JSON API:   http://127.0.0.1:$http_port/api/v1/executive   (also /drivers, /at-risk, /customers/{id})
  gRPC:       gateway 127.0.0.1:50054, scoring 127.0.0.1:50052 (try: $churnctl --gateway 127.0.0.1:50054 at-risk --limit 5)
  Metrics:    http://127.0.0.1:9101/metrics ... :9104/metrics
Press Ctrl-C to stop all four services.
MSG
wait -n "${pids[@]}" || true
echo "a service stopped unexpectedly; logs in $state/" >&2
exit 1
