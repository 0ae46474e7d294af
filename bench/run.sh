#!/usr/bin/env bash
# make bench: every whole-binary benchmark script bench/*.bench.sh, then the Google Benchmark
# programs. Each prints tollgate's figures and the ratio against its peer measured in this run.
set -uo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
status=0
for script in "$here"/*.bench.sh; do
  [ -e "$script" ] || continue
  echo "== $(basename "$script")"
  TOLLGATE="$build/tollgate" "$script" || status=1
done
for program in "$build"/bench/*_bench; do
  [ -x "$program" ] || continue
  echo "== $(basename "$program")"
  "$program" || status=1
done
exit $status
