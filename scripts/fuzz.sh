#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzz build (make build-sanitize: fuzz/*_fuzz.cc) for
# FUZZ_SECONDS each, FUZZ_JOBS at a time, each from its seed corpus fuzz/corpus/TARGET/. What a
# run learns goes to OUT/TARGET/corpus (never into the repository); a crash, leak, timeout or
# out-of-memory leaves its input in OUT/TARGET/ and fails the run, with the report printed. To
# keep a reproducer: fix the defect, add a test beside the code, copy the input to
# fuzz/corpus/TARGET/regress-<what> (see fuzz/README.md).
#   scripts/fuzz.sh [BUILD] [TARGET...]   FUZZ_SECONDS (300), FUZZ_JOBS (nproc), FUZZ_OUT
#                                         (BUILD/fuzz-out), FUZZ_ARGS (more libFuzzer flags)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build-sanitize}" && pwd)
shift || true
seconds=${FUZZ_SECONDS:-300}
jobs=${FUZZ_JOBS:-$(nproc)}
out=${FUZZ_OUT:-$build/fuzz-out}
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cd "$build/fuzz" && ls -- *_fuzz 2>/dev/null)
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets in $build/fuzz (make build-sanitize)" >&2; exit 2; }
mkdir -p "$out"

# One target: exit 0 when it ran its time without a finding.
run_one() {
  local t=$1 dir="$out/$1"
  rm -rf "$dir/crash-"* "$dir/leak-"* "$dir/timeout-"* "$dir/oom-"* "$dir/slow-unit-"*
  mkdir -p "$dir/corpus"
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb/-malloc_limit_mb: memory out of
  # proportion to an input (seeds are at most 32 KiB). ASan's defaults plus leak detection.
  if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
     "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$dir/" ${FUZZ_ARGS:-} \
       "$dir/corpus" "$root/fuzz/corpus/$t" >"$dir/log" 2>&1; then
    echo "fuzz: $t: $(grep -ho 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$') runs in ${seconds}s, no finding"
  else
    echo "fuzz: $t: FOUND A DEFECT (input and log in $dir/)"
    awk '/ERROR:|runtime error:|WARNING: /{p=1} p' "$dir/log" | head -100
    ls "$dir" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | sed "s|^|  $dir/|"
    return 1
  fi
}
export -f run_one
export build root out seconds

echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time"
status=0
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}' || status=1
[ $status -eq 0 ] && echo "fuzz: every target ran without a finding" || echo "fuzz: defects found" >&2
exit $status
