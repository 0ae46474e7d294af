#!/usr/bin/env bash
# Runs every test with CTest. Tests that drive real servers start them themselves on free
# loopback ports. A test whose program (nginx, Prometheus, ...) is missing fails: it never skips.
set -euo pipefail
build=${1:-build}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 600
