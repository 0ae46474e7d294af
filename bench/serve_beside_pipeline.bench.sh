#!/usr/bin/env bash
# Does a dashboard with many browsers on it slow the pipeline that writes the same history?
# A 60-job pipeline (3 stages of 20 jobs that each sleep 0.2 s, -j 4) runs alone, then while
# tollgate load plays 50 browsers against tollgate serve (an open model of 50 requests a second
# over the pipelines page, the run page, a job's log and /api/runs). Prints the median of each
# and the ratio; target <= 1.10 (readers never take the write lock; WAL lets them read beside it).
set -uo pipefail
tollgate=${TOLLGATE:?set TOLLGATE to the tollgate binary}
runs=${RUNS:-3}
work=$(mktemp -d)
serve_pid=""
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT

mkdir -p "$work/p" && cd "$work/p"
python3 -c '
print("stages: [a, b, c]")
for s in "abc":
    for j in range(20):
        print(f"{s}{j}:\n  stage: {s}\n  script: [\"sleep 0.2\", \"echo done {s}{j}\"]")' > .gitlab-ci.yml
git init -q -b main && git add -A && git -c user.email=b@b -c user.name=b commit -qm bench
"$tollgate" run -j 4 >/dev/null 2>&1  # a first run for the pages to show

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$tollgate" serve . --port "$port" >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
cat > "$work/browsers.yaml" <<YAML
host: http://127.0.0.1:$port
load: {model: open, rate: 50, duration: 600s}
journeys:
  - requests:
      - {name: pipelines, path: /}
      - {name: run, path: /runs/1}
      - {name: log, path: /runs/1/jobs/a0}
      - {name: api, path: /api/runs}
YAML

timed_run() {  # prints the seconds one pipeline run took
  local start end
  start=$(date +%s.%N)
  "$tollgate" run -j 4 >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print(round($end - $start, 3))"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

alone=$(for _ in $(seq "$runs"); do timed_run; done | median)
"$tollgate" load "$work/browsers.yaml" --json "$work/load.json" >/dev/null 2>&1 &
load_pid=$!
sleep 2
loaded=$(for _ in $(seq "$runs"); do timed_run; done | median)
kill -INT "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null
requests=$(python3 -c "import json; print(json.load(open('$work/load.json'))['summary']['count'])" 2>/dev/null || echo "?")
ratio=$(python3 -c "print(round($loaded / $alone, 3))")
echo "pipeline alone: median ${alone}s; beside 50 browsers: median ${loaded}s (${requests} requests served)"
echo "ratio loaded/alone: $ratio (target <= 1.10)"
