#!/bin/sh
# Runs one test command of a sanitizer build (CHURN_SANITIZE) and fails it when any process it
# started wrote a sanitizer report. Every process of the test (the test binary and the service
# binaries it spawns) writes its reports to a fresh folder through log_path, so a report from a
# child service fails the test even when the test never looks at that child's exit code.
# Used as the CROSSCOMPILING_EMULATOR of every test target: run_sanitized.sh <test> [args...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
logs=$(mktemp -d "${TMPDIR:-/tmp}/churn-sanitizer-XXXXXX") || exit 1
report="$logs/report"

# Options given by the caller come first; ours win where both set a key.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$report:halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$report:halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:log_path=$report"
export TSAN_OPTIONS="${TSAN_OPTIONS:-}:log_path=$report:halt_on_error=0:second_deadlock_stack=1:suppressions=$here/tsan.supp"

"$@"
status=$?

found=0
for file in "$logs"/report.*; do
  [ -e "$file" ] || continue
  found=1
  echo "==== sanitizer report: $file" >&2
  cat "$file" >&2
done
rm -rf "$logs"
if [ "$found" = 1 ]; then
  echo "FAIL: a process of this test wrote a sanitizer report (above); test exit code $status" >&2
  exit 1
fi
exit "$status"
