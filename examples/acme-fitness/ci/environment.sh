#!/usr/bin/env bash
# Deploys the shop to an environment, takes it down, promotes or rolls back its release.
#   ci/environment.sh deploy NAME [--serve]   plays the release; writes deploy.env
#   ci/environment.sh stop NAME               takes the environment down (its records stay)
#   ci/environment.sh promote NAME            the release now in NAME passed its gates
#   ci/environment.sh rollback NAME           NAME goes back to the last release that passed
#
# Where it goes:
#   - a cluster (KUBECONFIG set, kubectl installed): kubectl apply -n acme-NAME, as the
#     reference pipeline did;
#   - DELIVERY=engine (the default): the k8s/ manifests played by podman (`podman kube play`),
#     one pod per Deployment on a network of the environment's own where each answers to its
#     Service's name; images from $REGISTRY by digest; pods named $STACK-NAME-<deployment>;
#   - DELIVERY=local: the six services as processes on free loopback ports (--serve), else only
#     the release put in place: for machines without a container engine.
#
# deploy.env (a dotenv report): ENV_URL, RELEASE ($TAG), RELEASE_IMAGES (service=repo@digest,
# comma-separated), FRONT_END_CONTAINER (engine) or FRONT_END_PID (local).
# State per environment in .tollgate/environments/NAME: current/ (what runs), passed/ (the last
# release that passed its gates, what rollback plays).
set -euo pipefail
. ci/lib.sh
action=${1:-} name=${2:-} serve=${3:-}
[ -n "$name" ] || { echo "usage: ci/environment.sh deploy|stop|promote|rollback NAME [--serve]" >&2; exit 2; }
home=${TOLLGATE_SOURCE_DIR:-$PWD}/.tollgate/environments/$name
engine=${ENGINE:-podman}
stack=${STACK:-acme}
services=(cart catalog front_end order payment user)

# ---------------------------------------------------------------- a cluster
if [ -n "${KUBECONFIG:-}" ] && command -v kubectl >/dev/null; then
  case $action in
    deploy) kubectl apply -n "acme-$name" -f k8s/ ;;
    stop) kubectl delete -n "acme-$name" -f k8s/ --ignore-not-found ;;
    rollback) kubectl rollout undo -n "acme-$name" deployment --all ;;
    promote) ;;
  esac
  exit 0
fi

# ---------------------------------------------------------------- podman kube play
manifest_of() { # service -> its manifest (front_end's is front-end.yaml, as its Deployment)
  echo "k8s/${1//_/-}.yaml"
}

# The image of each service for this deployment, one "service=repo@digest" per line: the
# promoted release when one is handed on (RELEASE_IMAGES), else what this run built
# (<SERVICE>_IMAGE from the build jobs), else what the environment runs now.
release_images() {
  local s var ref
  for s in "${services[@]}"; do
    ref=""
    if [ -n "${RELEASE_IMAGES:-}" ]; then
      ref=$(tr ',' '\n' <<< "$RELEASE_IMAGES" | sed -n "s/^$s=//p")
    fi
    var=$(tr a-z A-Z <<< "$s")_IMAGE
    [ -n "$ref" ] || ref=${!var:-}
    [ -n "$ref" ] || ref=$(sed -n "s/^$s=//p" "$home/current/images" 2>/dev/null || true)
    if [ -z "$ref" ]; then
      echo "deploy: no image of $s for $name: none was built in this run and $name has never" \
        "run one (build every service once: --var BUILD_ALL=true)" >&2
      exit 1
    fi
    echo "$s=$ref"
  done
}

# Writes the environment's manifests for the release in DIR/images into DIR: names prefixed,
# the image by digest from the registry, and the fault INJECT asks for in the service it targets.
render() {
  local dir=$1 s ref inject_into
  inject_into=$(inject_target)
  for s in "${services[@]}"; do
    ref=$(sed -n "s/^$s=//p" "$dir/images")
    # podman 4.3 differs from Kubernetes in two ways that matter here: it publishes every
    # containerPort on the host (staging and production would both want :8080), and it makes
    # a pod per replica (the CPU gate reads one container). So the ports list goes, the probes
    # name the port by number, and a Deployment runs one pod; the pods answer on their own
    # addresses. The fault goes into the container's env list, or a list of its own.
    awk -v prefix="$stack-$name-" -v image="$REGISTRY/$ref" \
      -v inject="$([ "$s" = "$inject_into" ] && echo "$INJECT")" \
      -v has_env="$(grep -c '^          env:$' "$(manifest_of "$s")")" '
      /^  name: / { sub(/^  name: /, "  name: " prefix) }
      /^  replicas: / { sub(/replicas: .*/, "replicas: 1") }
      /^ +image: registry\.acme\.test\// { sub(/image: .*/, "image: " image) }
      /^          ports:$/ { skip = 1; next }
      skip && /^            - / { next }
      { skip = 0; sub(/port: http}/, "port: 8080}") }
      { print }
      inject != "" && has_env == 0 && /^          imagePullPolicy:/ {
        print "          env: [{name: INJECT, value: \"" inject "\"}]"; inject = "" }
      inject != "" && has_env > 0 && /^          env:$/ {
        print "            - {name: INJECT, value: \"" inject "\"}"; inject = "" }
    ' "$(manifest_of "$s")" > "$dir/$s.yaml"
  done
}

pod_of() { echo "$stack-$name-${1//_/-}-pod-0"; }

pod_ip() {
  local infra
  infra=$("$engine" pod inspect --format '{{.InfraContainerID}}' "$(pod_of "$1")")
  "$engine" inspect --format "{{(index .NetworkSettings.Networks \"$stack-$name\").IPAddress}}" "$infra"
}

# The engine, without its complaints that there is no systemd or syslog here: podman turns the
# probes into healthchecks run by systemd timers, and the pods run regardless.
quiet() {
  local err rc=0
  err=$(mktemp)
  "$engine" "$@" 2> "$err" > /dev/null || rc=$?
  grep -v -e 'systemd' -e 'connect to syslog' "$err" >&2 || true
  rm -f "$err"
  return $rc
}

play() { # DIR: every service of the release in it, each answering to its Service's name
  local dir=$1 s tls
  tls=$(registry_tls_verify)
  "$engine" network exists "$stack-$name" 2>/dev/null || "$engine" network create "$stack-$name" >/dev/null
  for s in "${services[@]}"; do
    quiet kube play --replace --tls-verify=$tls --network "$stack-$name:alias=${s//_/-}" "$dir/$s.yaml"
  done
}

wait_healthy() {
  local s ip
  for s in "${services[@]}"; do
    ip=$(pod_ip "$s")
    if ! wait_http "http://$ip:8080/health" 30; then
      echo "deploy: $s in $name did not answer http://$ip:8080/health within 30 s; its log:" >&2
      "$engine" logs --tail 20 "$(pod_of "$s")-${s//_/-}" >&2 || true
      exit 1
    fi
  done
}

write_dotenv() { # DIR RELEASE
  local url
  url="http://$(pod_ip front_end):8080"
  {
    echo "ENV_URL=$url"
    echo "RELEASE=$2"
    echo "RELEASE_IMAGES=$(paste -sd, "$1/images")"
    echo "FRONT_END_CONTAINER=$(pod_of front_end)-front-end"
  } > deploy.env
  echo "$name: release $2 answers at $url"
  sed 's/^/  /' "$1/images"
}

engine_deploy() { # [DIR of a release to play again]
  local from=${1:-} release=${TAG:-unknown}
  [ -n "${REGISTRY:-}" ] || { echo "deploy: REGISTRY is unset (registry:start writes it)" >&2; exit 2; }
  rm -rf "$home/next"
  mkdir -p "$home/next"
  if [ -n "$from" ]; then
    release=$(cat "$from/release")
    cp "$from/images" "$home/next/images"
  else
    release_images > "$home/next/images"
  fi
  render "$home/next"
  echo "$release" > "$home/next/release"
  engine_stop > /dev/null  # what runs there now, all at once rather than pod by pod
  play "$home/next"
  wait_healthy
  rm -rf "$home/current"
  mv "$home/next" "$home/current"
  write_dotenv "$home/current" "$release"
}

engine_stop() {
  local pods
  mapfile -t pods < <("$engine" pod ls --quiet --filter "name=^$stack-$name-")
  # Stopped first, then removed: `pod rm --force --time 0` alone waits about 3 s a pod here.
  if [ ${#pods[@]} -gt 0 ]; then
    quiet pod stop --time 0 "${pods[@]}"
    quiet pod rm --force "${pods[@]}"
  fi
  "$engine" network rm --force "$stack-$name" >/dev/null 2>&1 || true
  echo "$name: took down ${#pods[@]} pod(s)"
}

engine_rollback() {
  if [ -z "${RELEASE:-}" ]; then
    echo "$name: this run deployed nothing there; nothing to roll back"
    return
  fi
  if [ ! -f "$home/passed/release" ]; then
    echo "$name: no release has passed there yet; taking it down"
    engine_stop
    echo "RELEASE=none" > deploy.env  # what the history shows it runs now
    return
  fi
  echo "$name: rolling back from $RELEASE to $(cat "$home/passed/release"), the last that passed"
  # Played again as it passed: without the fault this run injected.
  INJECT="" engine_deploy "$home/passed"
}

# ---------------------------------------------------------------- local processes
script_of() { # service -> its program in services/SERVICE/app
  case $1 in front_end) echo server.py ;; *) echo "$1.py" ;; esac
}

stop_local() {
  [ -f "$home/pids" ] || return 0
  local s pid
  while read -r s pid; do
    if stop_pid "$pid"; then echo "stopped $s (pid $pid) in $name"; fi
  done < "$home/pids"
  rm -f "$home/pids"
}

# Starts SERVICE from its copy in $home on a free loopback port with the environment given;
# sets $url.
start_local() { # SERVICE [NAME=VALUE...]
  local s=$1 port pid
  shift
  port=$(free_port)
  # A new session, so the service outlives this job's process group.
  env "$@" setsid python3 "$home/$s/$(script_of "$s")" "$port" > "$home/$s.log" 2>&1 < /dev/null &
  pid=$!
  echo "$s $pid" >> "$home/pids"
  url=http://127.0.0.1:$port
  if wait_http "$url/health" 5 "$pid"; then
    echo "  $s: $url (pid $pid)"
    return
  fi
  echo "$s did not answer on $url; its log:" >&2
  cat "$home/$s.log" >&2
  exit 1
}

local_deploy() {
  stop_local
  rm -rf "$home" && mkdir -p "$home"
  for s in "${services[@]}"; do cp -r "services/$s/app" "$home/$s"; done
  cp -r k8s "$home/"
  if [ "$serve" != --serve ]; then
    printf 'ENV_URL=file://%s\nRELEASE=%s\n' "$home" "${TAG:-}" > deploy.env
    echo "released acme-fitness ${TAG:-} to $home"
    return
  fi
  echo "deploying acme-fitness ${TAG:-} to $name as local processes:"
  local target catalog cart payment user order
  target=$(inject_target)
  start_local catalog INJECT="$([ "$target" = catalog ] && echo "$INJECT")"; catalog=$url
  start_local cart; cart=$url
  start_local payment; payment=$url
  start_local user; user=$url
  start_local order PAYMENT_URL="$payment"; order=$url
  start_local front_end INJECT="$([ "$target" = front_end ] && echo "$INJECT")" CATALOG_URL="$catalog" CART_URL="$cart" \
    ORDER_URL="$order" USER_URL="$user"
  printf 'ENV_URL=%s\nFRONT_END_PID=%s\nRELEASE=%s\n' "$url" "$(awk '$1 == "front_end" {print $2}' "$home/pids")" \
    "${TAG:-}" > deploy.env
}

if [ "${DELIVERY:-engine}" = local ]; then
  case $action in
    deploy) local_deploy ;;
    stop) stop_local ;;
    promote | rollback) echo "$name: DELIVERY=local keeps no releases to $action" ;;
    *) echo "usage: ci/environment.sh deploy|stop|promote|rollback NAME" >&2; exit 2 ;;
  esac
  exit 0
fi

mkdir -p "$home"
case $action in
  deploy) engine_deploy ;;
  stop) engine_stop ;;
  promote)
    [ -d "$home/current" ] || { echo "promote: nothing runs in $name" >&2; exit 1; }
    rm -rf "$home/passed"
    cp -r "$home/current" "$home/passed"
    echo "$name: release $(cat "$home/passed/release") passed its gates"
    ;;
  rollback) engine_rollback ;;
  *) echo "usage: ci/environment.sh deploy|stop|promote|rollback NAME" >&2; exit 2 ;;
esac
