#!/usr/bin/env bash
# Runs every test with CTest. Tests that drive real servers start them themselves on free
# loopback ports; TOLLGATE_REQUIRE_PEERS=1 makes a missing peer program a failure, not a skip.
set -euo pipefail
build=${1:-build}
export TOLLGATE_REQUIRE_PEERS=${TOLLGATE_REQUIRE_PEERS:-1}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 600
