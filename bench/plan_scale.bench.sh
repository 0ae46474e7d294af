#!/usr/bin/env bash
# Planning a large pipeline: `tollgate plan` on 10,000 and 40,000 jobs (with extends, needs and
# two stages), against gitlab-ci-local's `--list` (which reads and lists the same file) measured
# in the same run.
#   target: 40,000 jobs planned in under 1 s, and growth close to linear (40k / 10k near 4).
# Before this benchmark the planner was quadratic: 40,000 jobs took 15 s.
# gitlab-ci-local 4.75.1 and Node 22 come from the npm registry into
# ${XDG_CACHE_HOME:-~/.cache}/tollgate-bench, as in pipeline.bench.sh; without them the tollgate
# figures are printed alone. RUNS=3 (medians); PEER_LIMIT_S=120 per gitlab-ci-local run.
set -uo pipefail
tollgate=${TOLLGATE:?set TOLLGATE to the tollgate binary}
runs=${RUNS:-3}
peer_limit=${PEER_LIMIT_S:-120}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/gitlab_ci_local.sh"
find_gitlab_ci_local
[ -n "$peer" ] || echo "gitlab-ci-local is not installable here: printing tollgate's figures alone"

# A project of n jobs: a hidden template every job extends, build jobs, and test jobs that each
# need their build job.
make_project() {  # dir, jobs
  mkdir -p "$1"
  python3 - "$2" > "$1/.gitlab-ci.yml" <<'PY'
import sys
n = int(sys.argv[1])
print("stages: [build, test]\n.base:\n  script: [\"true\"]\n  variables: {LEVEL: base}")
for i in range(n // 2):
    print(f"build_{i}:\n  extends: .base\n  stage: build")
    print(f"test_{i}:\n  extends: .base\n  stage: test\n  needs: [build_{i}]")
PY
  (cd "$1" && git init -q -b main && git add -A && git -c user.email=b@b -c user.name=b commit -qm bench)
}

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

time_cmd() {  # dir, command...: median wall seconds, or "fail"
  local dir=$1 times=""
  shift
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(now)
    (cd "$dir" && timeout -k 5 "$peer_limit" "$@" >/dev/null 2>&1) || { echo fail; return; }
    t1=$(now)
    times+="$(echo "$t1 - $t0" | bc -l)"$'\n'
  done
  printf '%s' "$times" | median
}

declare -A ours theirs
for n in 10000 40000; do
  make_project "$work/p$n" "$n"
  ours[$n]=$(time_cmd "$work/p$n" "$tollgate" plan)
  printf 'tollgate plan, %d jobs: %.3f s\n' "$n" "${ours[$n]}"
  if [ -n "$peer" ]; then
    theirs[$n]=$(time_cmd "$work/p$n" "$peer" --list)
    if [ "${theirs[$n]}" = fail ]; then
      echo "gitlab-ci-local --list, $n jobs: did not finish in ${peer_limit} s"
    else
      printf 'gitlab-ci-local --list, %d jobs: %.3f s (tollgate %.1fx faster)\n' "$n" \
        "${theirs[$n]}" "$(echo "${theirs[$n]} / ${ours[$n]}" | bc -l)"
    fi
  fi
done
growth=$(echo "${ours[40000]} / ${ours[10000]}" | bc -l)
printf 'growth 10k -> 40k jobs: %.2fx (linear is 4)\n' "$growth"
ok=$(echo "${ours[40000]} < 1.0" | bc -l)
if [ "$ok" = 1 ]; then echo "target met: 40,000 jobs under 1 s"; else echo "target missed: 40,000 jobs took ${ours[40000]} s"; exit 1; fi
