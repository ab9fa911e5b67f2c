#!/usr/bin/env bash
# A process's resident memory over time: VmRSS and VmHWM of PID every INTERVAL seconds (default
# 0.05) until it exits, one line each: seconds since the start (wall clock, %s.%N), RSS MiB,
# peak MiB. With the gateway's log (its lines carry their time), it tells which phase of a refresh
# holds the memory, e.g. beside bench/gateway_at_risk_1m.sh:
#   bench/rss_timeline.sh "$(pgrep -n churn-gateway)" > rss.txt
# Usage: bench/rss_timeline.sh PID [INTERVAL]
set -u
pid="${1:?usage: $0 PID [INTERVAL]}"
interval="${2:-0.05}"
while [ -r "/proc/$pid/status" ]; do
  awk -v t="$(date +%s.%N)" '$1 == "VmRSS:" {rss = $2} $1 == "VmHWM:" {hwm = $2}
    END {if (rss) printf "%.2f %d %d\n", t, rss / 1024, hwm / 1024}' "/proc/$pid/status"
  sleep "$interval"
done
