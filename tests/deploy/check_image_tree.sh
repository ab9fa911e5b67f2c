#!/usr/bin/env bash
# The container image configures CMake on only what deploy/Dockerfile copies (no tests/ folders,
# no fuzz/): a target that needs those must leave itself out there. Configures such a tree here,
# copied by the Dockerfile's own COPY lines, so a break shows in `make test`, not only in
# `make verify-deploy`. Usage: check_image_tree.sh SOURCE_DIR
set -euo pipefail
src="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
# Every "COPY <path> <dest>" of the build stage that names a path in the project.
grep -E '^COPY [^-]' "$src/deploy/Dockerfile" | while read -r _ from to; do
  [ -e "$src/$from" ] || continue
  case "$to" in
    /src/*) dest="$work/src/${to#/src/}" ;;
    *) dest="$work/src/$to" ;;
  esac
  mkdir -p "$(dirname "$dest")"
  [[ "$to" == */ ]] && mkdir -p "$dest"
  if [ -d "$src/$from" ]; then
    mkdir -p "$dest" && cp -r "$src/$from/." "$dest"
  else
    cp "$src/$from" "$dest"
  fi
done
if ! cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$work/log" 2>&1; then
  echo "check_image_tree: CMake cannot configure the tree the image builds from:" >&2
  grep -A4 "CMake Error" "$work/log" >&2 || tail -20 "$work/log" >&2
  exit 1
fi
echo "check_image_tree: the image's source tree configures"
