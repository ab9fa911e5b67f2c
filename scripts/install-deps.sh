#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (idempotent).
# Usage: scripts/install-deps.sh [build|test|bench|run]
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-build}"
pkgs=(cmake ninja-build ccache g++ pkg-config make
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
      libabsl-dev libyaml-cpp-dev prometheus-cpp-dev libsqlite3-dev libcpp-httplib-dev
      nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev
      libzip-dev libxgboost-dev)  # libzip: uploaded data set zips; xgboost: the trained model
if [ "$mode" = test ]; then
  # clang: the libFuzzer targets; prometheus/promtool, docker-compose: monitoring and deploy
  # checks; chromium: the browser test.
  pkgs+=(clang libclang-rt-14-dev prometheus curl docker-compose chromium)
  pkgs+=(jq)  # jq: the deploy check reads the Grafana dashboards
  command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
  # kubectl (its kustomize) and python3-yaml: the k8s manifest check; an installed kubectl is kept.
  pkgs+=(python3-yaml); command -v kubectl >/dev/null || pkgs+=(kubernetes-client)
  pkgs+=(openssl)  # openssl: the deploy check runs deploy/tls/make-certs.sh
fi
# The peers of bench/peers (make bench-peers, and the `peers` test): Debian's pandas and node.
if [ "$mode" = test ] || [ "$mode" = bench ]; then
  pkgs+=(python3-pandas)
  pkgs+=(wrk curl)  # wrk: bench/gateway_at_risk_1m.sh drives the gateway's HTTP API
  command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
fi
# perf: profiling a service under its bench (bench/scoring_load/README.md).
[ "$mode" = bench ] && pkgs+=(linux-perf)
[ "$mode" = deploy ] && pkgs=(docker-compose curl)  # make verify-deploy (its engine: ../shared/tools/docker-sandbox.sh)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# DuckDB for bench/peers from npm, pinned by its package-lock.json.
if { [ "$mode" = test ] || [ "$mode" = bench ]; } && [ ! -d bench/peers/duckdb/node_modules/@duckdb/node-api ]; then
  (cd bench/peers/duckdb && npm ci --no-audit --no-fund --loglevel=error)
fi
# The browser test drives Debian's chromium with playwright-core (no browser download).
if [ "$mode" = test ] && [ ! -d tests/e2e/node_modules/playwright-core ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
