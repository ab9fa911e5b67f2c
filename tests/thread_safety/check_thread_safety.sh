#!/usr/bin/env bash
# Clang's thread-safety analysis over sources of a build, each compiled with the flags that build
# recorded in compile_commands.json, -fsyntax-only (no code) and -Werror=thread-safety. The
# build's own -W flags are left out: they are for its compiler (GCC); this check is about locks.
#
#   check_thread_safety.sh all <clang++> <compile_commands.json> <source dir> <build dir> <skip>
#       every file under <source dir> but not under <build dir> (generated code) nor <skip>
#       must compile cleanly;
#   check_thread_safety.sh refuses <clang++> <compile_commands.json> <file>
#       <file> must be refused with a -Wthread-safety error (the check bites).
set -euo pipefail

mode=$1
clang=$2
db=$3
if ! command -v "$clang" >/dev/null; then
  echo "clang++ not found ($clang): scripts/install-deps.sh test installs it" >&2
  exit 1
fi

# Compiles entry number $1 of the database; prints clang's diagnostics.
check_entry() {
  local dir command
  dir=$(jq -r ".[$1].directory" "$db")
  command=$(jq -r ".[$1].command" "$db")
  eval "set -- $command"
  shift  # the build's compiler
  local args=()
  while [ $# -gt 0 ]; do
    case $1 in
      -o) shift ;;  # no object file
      -W*) ;;
      *) args+=("$1") ;;
    esac
    shift
  done
  cd "$dir" && "$clang" "${args[@]}" -fsyntax-only -Wthread-safety -Werror=thread-safety
}
export -f check_entry
export clang db

case $mode in
  all)
    src=$4 build=$5 skip=$6
    entries=$(jq -r --arg src "$src/" --arg build "$build/" --arg skip "$skip" \
      'to_entries[] | select((.value.file | startswith($src)) and
                             (.value.file | startswith($build) | not) and
                             .value.file != $skip) | .key' "$db")
    count=$(wc -w <<<"$entries")
    if [ "$count" -eq 0 ]; then
      echo "no project sources in $db" >&2
      exit 1
    fi
    start=$SECONDS
    # xargs exits non-zero when any file failed; clang has printed why.
    if ! xargs -P "$(nproc)" -I{} bash -c 'check_entry {}' <<<"$entries"; then
      echo "thread-safety analysis: violations above (see libs/concurrency/mutex.h)" >&2
      exit 1
    fi
    echo "thread-safety analysis: $count files clean in $((SECONDS - start)) s"
    ;;
  refuses)
    file=$4
    index=$(jq -r --arg file "$file" 'to_entries[] | select(.value.file == $file) | .key' "$db")
    if [ -z "$index" ]; then
      echo "$file is not in $db" >&2
      exit 1
    fi
    if output=$(check_entry "$index" 2>&1); then
      echo "$file compiled although it breaks a lock annotation: the check does not bite" >&2
      exit 1
    fi
    echo "$output"
    if ! grep -q "error: .*requires holding mutex.*\[-Werror,-Wthread-safety" <<<"$output"; then
      echo "$file was refused, but not for its thread-safety violation" >&2
      exit 1
    fi
    echo "refused for its thread-safety violation, as it must be"
    ;;
  *)
    echo "usage: $0 all|refuses ..." >&2
    exit 2
    ;;
esac
