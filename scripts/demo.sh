#!/usr/bin/env bash
# make demo: runs the example pipeline with the freshly built binary.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
cd "$(dirname "$0")/../examples/quickstart"
exec "$build/tollgate" run
