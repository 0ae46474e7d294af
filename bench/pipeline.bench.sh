#!/usr/bin/env bash
# Pipeline runner benchmark: tollgate against gitlab-ci-local, measured in the same run.
#   1. 50 jobs: 5 stages x 10 `true` jobs   (target: >= 10x faster than gitlab-ci-local)
#   2. tollgate's own CPU per job             (target: < 5 ms)
#   3. a 200-stage chain of one job each      (target: < 2 s; gitlab-ci-local gets a time limit)
# gitlab-ci-local 4.75.1 needs Node 22: both come from the npm registry into
# ${XDG_CACHE_HOME:-~/.cache}/tollgate-bench. Without them the tollgate figures are still printed.
set -uo pipefail
tollgate=${TOLLGATE:?set TOLLGATE to the tollgate binary}
runs=${RUNS:-5}
peer_limit=${PEER_LIMIT_S:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/gitlab_ci_local.sh"
find_gitlab_ci_local rsync
[ -n "$peer" ] || echo "gitlab-ci-local is not installable here: printing tollgate's figures alone"

make_project() {  # dir, generator
  mkdir -p "$1"
  python3 -c "$2" > "$1/.gitlab-ci.yml"
  (cd "$1" && git init -q -b main && git add -A && git -c user.email=b@b -c user.name=b commit -qm bench)
}

make_project "$work/fifty" '
print("stages: [s1, s2, s3, s4, s5]")
for s in range(1, 6):
    for j in range(10):
        print(f"job_{s}_{j}:\n  stage: s{s}\n  script: [\"true\"]")'
make_project "$work/chain" '
print("stages: [" + ", ".join(f"s{i}" for i in range(200)) + "]")
for i in range(200):
    print(f"job_{i}:\n  stage: s{i}\n  script: [\"true\"]")'

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Runs tollgate `runs` times in dir; prints "wall_median cpu_median".
time_tollgate() {
  local dir=$1 walls="" cpus=""
  for _ in $(seq "$runs"); do
    rm -rf "$dir/.tollgate"
    local t0 t1 out
    t0=$(now)
    out=$(cd "$dir" && "$tollgate" run --format json 2>/dev/null) || { echo "tollgate run failed in $dir" >&2; return 1; }
    t1=$(now)
    walls+="$(echo "$t1 - $t0" | bc -l)"$'\n'
    cpus+="$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tollgate_cpu_s"])')"$'\n'
  done
  echo "$(printf '%s' "$walls" | median) $(printf '%s' "$cpus" | median)"
}

# Runs the peer `n` times in dir with a time limit; prints the median or "timeout".
time_peer() {
  local dir=$1 n=$2 walls=""
  for _ in $(seq "$n"); do
    rm -rf "$dir/.gitlab-ci-local"
    local t0 t1
    t0=$(now)
    # The peer ignores SIGTERM: -k follows with SIGKILL (the shell's "Killed" note is dropped).
    { (cd "$dir" && exec timeout -k 5 "$peer_limit" "$peer" >/dev/null 2>&1); } 2>/dev/null || { echo timeout; return; }
    t1=$(now)
    walls+="$(echo "$t1 - $t0" | bc -l)"$'\n'
  done
  printf '%s' "$walls" | median
}

status=0
read -r fifty_wall fifty_cpu < <(time_tollgate "$work/fifty")
cpu_per_job_ms=$(echo "$fifty_cpu * 1000 / 50" | bc -l)
printf '50 jobs (5 stages x 10):  tollgate %.3f s (median of %d)\n' "$fifty_wall" "$runs"
printf 'tollgate CPU per job:     %.2f ms (target < 5 ms)\n' "$cpu_per_job_ms"
if (( $(echo "$cpu_per_job_ms >= 5" | bc -l) )); then echo "  MISSED: CPU per job"; status=1; fi
if [ -n "$peer" ]; then
  peer_fifty=$(time_peer "$work/fifty" 3)
  if [ "$peer_fifty" = timeout ]; then
    echo "  gitlab-ci-local did not finish in ${peer_limit} s"
  else
    ratio=$(echo "$peer_fifty / $fifty_wall" | bc -l)
    printf '  gitlab-ci-local %.3f s (median of 3): tollgate is %.1fx faster (target >= 10x)\n' "$peer_fifty" "$ratio"
    if (( $(echo "$ratio < 10" | bc -l) )); then echo "  MISSED: 10x"; status=1; fi
  fi
fi

read -r chain_wall chain_cpu < <(time_tollgate "$work/chain")
printf '200-stage chain:          tollgate %.3f s (target < 2 s), CPU %.3f s\n' "$chain_wall" "$chain_cpu"
if (( $(echo "$chain_wall >= 2" | bc -l) )); then echo "  MISSED: 2 s"; status=1; fi
if [ -n "$peer" ]; then
  peer_chain=$(time_peer "$work/chain" 1)
  if [ "$peer_chain" = timeout ]; then
    printf '  gitlab-ci-local did not finish in %d s: tollgate is more than %.0fx faster\n' "$peer_limit" "$(echo "$peer_limit / $chain_wall" | bc -l)"
  else
    printf '  gitlab-ci-local %.3f s: ratio %.1fx\n' "$peer_chain" "$(echo "$peer_chain / $chain_wall" | bc -l)"
  fi
fi
# 4. The per-job workspace copy: a 2,000-file project (16 MB), one job, copy vs --in-place, and
#    rsync -a of the same tree (how gitlab-ci-local isolates shell jobs) for comparison.
mkdir -p "$work/big"
python3 - "$work/big" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(40):
    os.makedirs(f"{root}/src/d{d}", exist_ok=True)
    for f in range(50):
        with open(f"{root}/src/d{d}/f{f}.txt", "wb") as out:
            out.write(os.urandom(8192))
with open(f"{root}/.gitlab-ci.yml", "w") as out:
    out.write('job:\n  script: ["true"]\n')
PY
(cd "$work/big" && git init -q -b main && git add -A && git -c user.email=b@b -c user.name=b commit -qm bench)
copy_walls=""; inplace_walls=""; rsync_walls=""
for _ in $(seq "$runs"); do
  t0=$(now); (cd "$work/big" && "$tollgate" run >/dev/null 2>&1); t1=$(now)
  copy_walls+="$(echo "$t1 - $t0" | bc -l)"$'\n'
  t0=$(now); (cd "$work/big" && "$tollgate" run --in-place >/dev/null 2>&1); t1=$(now)
  inplace_walls+="$(echo "$t1 - $t0" | bc -l)"$'\n'
  rm -rf "$work/rsync-copy"
  t0=$(now); rsync -a --exclude .git --exclude .tollgate "$work/big/" "$work/rsync-copy/"; t1=$(now)
  rsync_walls+="$(echo "$t1 - $t0" | bc -l)"$'\n'
done
copy=$(printf '%s' "$copy_walls" | median); inplace=$(printf '%s' "$inplace_walls" | median)
rsync_t=$(printf '%s' "$rsync_walls" | median)
copy_cost=$(echo "$copy - $inplace" | bc -l)
printf 'workspace copy, 2000 files / 16 MB: %.1f ms per job (run %.3f s vs --in-place %.3f s); rsync -a %.1f ms: %.1fx\n' \
  "$(echo "$copy_cost * 1000" | bc -l)" "$copy" "$inplace" "$(echo "$rsync_t * 1000" | bc -l)" \
  "$(echo "$rsync_t / ($copy_cost + 0.0001)" | bc -l)"
exit $status
