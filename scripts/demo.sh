#!/usr/bin/env bash
# make demo: runs the shop's verification pipeline (examples/acme-fitness) with the freshly built
# binary, every service built as on a first run.
#
# With a working container engine (podman, set up by scripts/install-deps.sh) the delivery is
# real: images built and pushed to a registry, scanned from it, staging and production played
# from the Kubernetes manifests, the gate jobs in tollgate's own image (made here first). Without
# one, the local path: image archives, the services as processes, every job on the shell.
#   scripts/demo.sh [BUILD] [plan]   DEMO_DELIVERY=engine|local forces a path; extra tollgate
#                                    arguments go in DEMO_ARGS (e.g. "--var INJECT=cpu");
#                                    plan: say which path and show the plan, run nothing
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
verb=${2:-run}
root=$(cd "$(dirname "$0")/.." && pwd)

engine_works() {
  command -v podman >/dev/null || { why="podman is not installed"; return 1; }
  local out
  if ! out=$(podman info 2>&1 >/dev/null); then
    why="podman does not work here: $(tail -1 <<< "$out")"
    return 1
  fi
}

delivery=${DEMO_DELIVERY:-}
why="DEMO_DELIVERY=$delivery"
if [ -z "$delivery" ]; then
  if engine_works; then delivery=engine why="podman works here"; else delivery=local; fi
fi

cd "$root/examples/acme-fitness"
if [ "$delivery" = engine ]; then
  echo "demo: the container path ($why): images in a registry, environments on podman"
  [ "$verb" = plan ] || "$root/scripts/build-image.sh" "$build"
  args=(--var BUILD_ALL=true)
else
  echo "demo: the local path ($why): image archives, the services as processes, jobs on the shell"
  args=(--var BUILD_ALL=true --var DELIVERY=local --executor shell)
fi
# -j 4: the CPU check watches front_end while both shares of the load run.
[ "$verb" = plan ] || args+=(-j 4)
echo "running examples/acme-fitness/.gitlab-ci.yml (tollgate $verb ${args[*]} ${DEMO_ARGS:-})"
# shellcheck disable=SC2086 # DEMO_ARGS is words on purpose
exec "$build/tollgate" "$verb" "${args[@]}" ${DEMO_ARGS:-}
