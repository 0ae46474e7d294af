#!/usr/bin/env bash
# Budget gate throughput on a generated FOCUS CSV (1 GiB by default; BUDGET_BENCH_MB changes it):
#   tollgate check budget --scope provider:AWS,tag:env=prod --group-by service
# against the naive peer, a plain `awk -F,` sum of the BilledCost column (which gets quoted
# commas and currencies wrong, but is the speed a shell script reaches), and `cat > /dev/null` as
# the floor. All three are measured in this run with hyperfine; prints median wall time, mean CPU
# time (user + system: the fairer figure on a shared machine), GB/s, the ratio awk / tollgate,
# and tollgate's peak RSS on the big file and on a small one (constant memory: the two match).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tollgate=${TOLLGATE:-$here/../build/tollgate}
mb=${BUDGET_BENCH_MB:-1024}
runs=${BUDGET_BENCH_RUNS:-5}
for tool in hyperfine python3 awk /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "budget bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
big=$dir/focus.csv
small=$dir/focus_small.csv
python3 "$here/budget_gen_focus.py" "$big" "$mb"
python3 "$here/budget_gen_focus.py" "$small" 64
rows=$(($(wc -l <"$big") - 1))
bytes=$(stat -c %s "$big")
args="check budget --source focus:$big --budget 1e12 --currency USD --scope provider:AWS,tag:env=prod --group-by service --as-of 2026-11-30T12:00:00Z"

hyperfine --style none --warmup 1 --runs "$runs" --export-json "$dir/times.json" \
  -n floor "cat $big > /dev/null" \
  -n awk "awk -F, '{s += \$6} END {printf \"%.2f\\n\", s}' $big > /dev/null" \
  -n tollgate "$tollgate $args > /dev/null" >/dev/null 2>&1

rss_big=$(/usr/bin/time -f %M "$tollgate" ${args} 2>&1 >/dev/null | tail -1)
rss_small=$(/usr/bin/time -f %M "$tollgate" ${args//$big/$small} 2>&1 >/dev/null | tail -1)
spent=$("$tollgate" $args --format dotenv | sed -n 's/^BUDGET_SPENT=//p')

python3 - "$dir/times.json" "$bytes" "$rows" "$rss_big" "$rss_small" "$spent" <<'PY'
import json, sys
times = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
size, rows, rss_big, rss_small, spent = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
print("file: %.2f GiB, %d FOCUS rows (quoted JSON tags, 3 providers, 2 currencies)" % (size / 2**30, rows))
def line(name, label):
    r = times[name]
    wall, cpu = r["median"], r["user"] + r["system"]
    print("%-22s wall %6.2f s %6.2f GB/s   cpu %6.2f s %6.2f GB/s" % (label, wall, size / wall / 1e9, cpu, size / cpu / 1e9))
    return wall, cpu
line("floor", "cat > /dev/null")
aw, ac = line("awk", "awk -F, sum")
tw, tc = line("tollgate", "tollgate check budget")
print("ratio awk / tollgate: wall %.2fx, cpu %.2fx (tollgate spent %s USD in scope)" % (aw / tw, ac / tc, spent))
print("tollgate peak RSS: %.1f MiB on %.2f GiB, %.1f MiB on 64 MiB" % (rss_big / 1024, size / 2**30, rss_small / 1024))
PY
