#!/usr/bin/env bash
# make demo: runs the shop's verification pipeline (examples/acme-fitness) with the freshly built
# binary, every service built as on a first run.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
cd "$(dirname "$0")/../examples/acme-fitness"
echo "running examples/acme-fitness/.gitlab-ci.yml (tollgate run --var BUILD_ALL=true)"
exec "$build/tollgate" run --var BUILD_ALL=true
