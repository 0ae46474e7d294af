#!/usr/bin/env bash
# Deploys the shop to an environment, or stops it.
#   ci/environment.sh deploy NAME [--serve]   writes deploy.env (ENV_URL, FRONT_END_PID)
#   ci/environment.sh stop NAME
# With a cluster (KUBECONFIG set and kubectl installed) the manifests are applied to the
# namespace acme-NAME, as the reference pipeline did. Without one, the environment is local:
# front_end runs as a process on a free loopback port, so the load test and the CPU check have a
# real service to measure (--serve); otherwise the release is only put in place.
set -euo pipefail
action=$1 name=$2 serve=${3:-}
home=${TOLLGATE_SOURCE_DIR:-$PWD}/.tollgate/environments/$name

if [ -n "${KUBECONFIG:-}" ] && command -v kubectl >/dev/null; then
  case $action in
    deploy) kubectl apply -n "acme-$name" -f k8s/ ;;
    stop) kubectl delete -n "acme-$name" -f k8s/ --ignore-not-found ;;
  esac
  exit 0
fi

stop_local() {
  if [ -f "$home/front_end.pid" ]; then
    pid=$(cat "$home/front_end.pid")
    if kill "$pid" 2>/dev/null; then
      # Gone means exited: not running, not even a zombie waiting for its parent.
      for _ in $(seq 50); do
        state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
        [ -z "$state" ] || [ "$state" = Z ] && break
        sleep 0.1
      done
      echo "stopped front_end (pid $pid) in $name"
    fi
    rm -f "$home/front_end.pid"
  fi
}

case $action in
  deploy)
    stop_local
    mkdir -p "$home"
    cp -r services/front_end/app/. "$home/"
    cp -r k8s "$home/"
    if [ "$serve" != --serve ]; then
      printf 'ENV_URL=file://%s\n' "$home" > deploy.env
      echo "released acme-fitness ${TAG:-} to $home"
      exit 0
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # A new session, so the service outlives this job's process group.
    setsid python3 "$home/server.py" "$port" > "$home/front_end.log" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$home/front_end.pid"
    for _ in $(seq 50); do
      if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1)" 2>/dev/null; then
        printf 'ENV_URL=http://127.0.0.1:%s\nFRONT_END_PID=%s\n' "$port" "$pid" > deploy.env
        echo "deployed front_end to $name: http://127.0.0.1:$port (pid $pid)"
        exit 0
      fi
      sleep 0.1
    done
    echo "front_end did not answer on port $port; its log:" >&2
    cat "$home/front_end.log" >&2
    exit 1
    ;;
  stop) stop_local ;;
  *) echo "usage: ci/environment.sh deploy|stop NAME" >&2; exit 2 ;;
esac
