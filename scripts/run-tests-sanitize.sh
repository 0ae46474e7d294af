#!/usr/bin/env bash
# Runs the whole test suite on the sanitizer build (make build-sanitize: clang, ASan + UBSan),
# every tollgate process the e2e tests and pipelines start included. Each sanitized process
# writes any report to a file under BUILD/sanitizer-reports (log_path) instead of a stderr that a
# test may swallow; after the suite the reports are printed and any report fails the run, even
# when every test passed. A report also ends its process with exit 86 (src/cli/
# sanitizer_options.cc), which is how one from inside a container job, where these variables do
# not reach, fails its test.
#   scripts/run-tests-sanitize.sh [BUILD]   CTEST_ARGS: more ctest arguments (e.g. -R scan)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build-sanitize}" && pwd)
reports=$build/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
# Leaks are reported too (LeakSanitizer, part of ASan). Signals the tests send (SIGTERM, SIGKILL)
# end processes without a report, as they should.
export ASAN_OPTIONS="log_path=$reports/report:detect_leaks=1:exitcode=86:strip_path_prefix=$root/"
export UBSAN_OPTIONS="log_path=$reports/report:print_stacktrace=1:halt_on_error=1:exitcode=86"
status=0
# shellcheck disable=SC2086 # CTEST_ARGS is words on purpose
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 600 ${CTEST_ARGS:-} || status=$?
found=$(find "$reports" -type f | sort)
if [ -n "$found" ]; then
  echo "run-tests-sanitize: $(wc -l <<<"$found") sanitizer report(s):" >&2
  while read -r f; do
    echo "=== $f" >&2
    cat "$f" >&2
  done <<<"$found"
  exit 1
fi
[ $status -eq 0 ] && echo "run-tests-sanitize: every test passed, no sanitizer report"
exit $status
