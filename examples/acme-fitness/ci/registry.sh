#!/usr/bin/env bash
# The pipeline's image registry: Debian's docker-registry on a free loopback port, started for
# the run and stopped at its end. Its storage stays in .tollgate/registry, so a later run pushes
# only the layers that changed and can deploy an earlier release by digest.
#   ci/registry.sh start     writes registry.env (REGISTRY=127.0.0.1:PORT, REGISTRY_PID)
#   ci/registry.sh stop      stops the registry this run started (REGISTRY_PID)
# A configured $REGISTRY (a project variable, or --var REGISTRY=host:port) is used as it is:
# nothing is started or stopped. DELIVERY=local (no container engine) needs no registry.
set -euo pipefail
. ci/lib.sh
home=${TOLLGATE_SOURCE_DIR:-$PWD}/.tollgate/registry

start() {
  : > registry.env
  if [ "${DELIVERY:-engine}" = local ]; then
    echo "registry: none needed (DELIVERY=local: the images are archives)"
    return
  fi
  if [ -n "${REGISTRY:-}" ]; then
    echo "registry: using the configured $REGISTRY"
    return
  fi
  command -v docker-registry >/dev/null ||
    { echo "registry: docker-registry is not installed (apt-get install docker-registry)" >&2; exit 2; }
  mkdir -p "$home/data"
  # The port of the last run when it is free, so that image names stay the same across runs.
  port=$(free_port "$(cat "$home/port" 2>/dev/null || echo 0)")
  echo "$port" > "$home/port"
  cat > "$home/config.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $home/data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$port
YAML
  # A new session, so the registry outlives this job's process group until registry:stop.
  setsid docker-registry serve "$home/config.yml" > "$home/registry.log" 2>&1 < /dev/null &
  pid=$!
  if wait_http "http://127.0.0.1:$port/v2/" 10 "$pid"; then
    printf 'REGISTRY=127.0.0.1:%s\nREGISTRY_PID=%s\n' "$port" "$pid" > registry.env
    echo "registry: started on 127.0.0.1:$port (pid $pid, storage $home/data)"
    return
  fi
  echo "registry: docker-registry did not answer on 127.0.0.1:$port; its log:" >&2
  cat "$home/registry.log" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

stop() {
  if [ -z "${REGISTRY_PID:-}" ]; then
    echo "registry: nothing to stop (none was started by this run)"
    return
  fi
  # Only a docker-registry: a stale pid may by now belong to another program.
  if [ "$(cat "/proc/$REGISTRY_PID/comm" 2>/dev/null)" = docker-registry ]; then
    stop_pid "$REGISTRY_PID"
    echo "registry: stopped ${REGISTRY:-} (pid $REGISTRY_PID)"
  else
    echo "registry: pid $REGISTRY_PID is no docker-registry any more; nothing to stop"
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: ci/registry.sh start|stop" >&2; exit 2 ;;
esac
