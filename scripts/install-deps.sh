#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (idempotent).
# Usage: scripts/install-deps.sh [build|test|run]
set -euo pipefail
mode="${1:-build}"
pkgs=(cmake ninja-build ccache g++ pkg-config make
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
      libabsl-dev libyaml-cpp-dev prometheus-cpp-dev libsqlite3-dev libcpp-httplib-dev
      nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev)
if [ "$mode" = test ]; then
  pkgs+=(clang libclang-rt-14-dev prometheus curl)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
