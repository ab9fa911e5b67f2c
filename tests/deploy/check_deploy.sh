#!/usr/bin/env bash
# Validates the deployment files with the tools that run here: promtool (Prometheus config,
# alert rules and their unit tests) and docker-compose (the compose file). No Docker engine
# is needed. Exit 77 = skipped (a tool is missing).
set -euo pipefail
root="$1"
for tool in promtool docker-compose; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (make deps-test installs it)"
    exit 77
  fi
done
promtool check config "$root/deploy/prometheus/prometheus.yml"
promtool check rules "$root/deploy/prometheus/alerts.yml"
promtool test rules "$root/deploy/prometheus/alerts_test.yml"
cd "$root"
docker-compose -f docker-compose.yml config -q
# Every binary the compose file runs must be one the build produces.
for binary in $(grep -o '"churn-[a-z]*"' docker-compose.yml | tr -d '"' | sort -u); do
  [ -d "services/${binary#churn-}" ] || { echo "compose runs $binary, which is not built"; exit 1; }
done
echo "deploy files valid"
