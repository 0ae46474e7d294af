#!/usr/bin/env bash
# tollgate scan: import and warm-scan figures on a ~900-package Debian rootfs (this machine's own
# dpkg status) against >= 200,000 generated OSV records. Trivy and Grype are not installable
# here (not in Debian, no network), so the floor printed beside tollgate is `cat` of the same
# input files: nothing can read them faster.
set -euo pipefail
TOLLGATE=${TOLLGATE:-build/tollgate}
RECORDS=${SCAN_BENCH_RECORDS:-200000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/tollgate-scan-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/root/etc" "$work/root/usr/lib" "$work/root/var/lib/dpkg"
cp /usr/lib/os-release "$work/root/usr/lib/os-release"
ln -s ../usr/lib/os-release "$work/root/etc/os-release"
cp /var/lib/dpkg/status "$work/root/var/lib/dpkg/status"
echo "rootfs: $(grep -c '^Package:' "$work/root/var/lib/dpkg/status") packages"
python3 "$here/scan_generate_osv.py" "$work/root/var/lib/dpkg/status" "$work/all.zip" "$RECORDS"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Runs a command N times under /usr/bin/time; prints "wall cpu rss_mb" medians.
medians() {
  local n=$1
  shift
  for _ in $(seq "$n"); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >/dev/null 2>&1 || true
    tail -1 "$work/t"
  done | python3 -c "
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
wall = statistics.median(r[0] for r in rows)
cpu = statistics.median(r[1] + r[2] for r in rows)
rss = statistics.median(r[3] for r in rows) / 1024
print(f'{wall:.3f} {cpu:.3f} {rss:.0f}')"
}

# Import: records per second (median of 3 fresh imports) and peak memory. The machine is shared:
# CPU time (user+sys of both import threads) is printed beside wall time, as the wall clock also
# counts the time other processes held the cores.
read -r wall cpu rss < <(medians 3 sh -c "rm -f '$work'/db.sqlite* && '$TOLLGATE' db import '$work/all.zip' --db '$work/db.sqlite'")
python3 -c "
n, wall, cpu = $RECORDS, $wall, $cpu
print(f'import median of 3: {n} records, wall {wall:.1f}s = {n / wall:.0f} records/s (target >= 20000/s); cpu {cpu:.1f}s')"
echo "import peak RSS: $rss MB"
/usr/bin/time -f '%e' -o "$work/cat.time" cat "$work/all.zip" >/dev/null
echo "floor: cat of the zip: $(cat "$work/cat.time")s"

# The imports above leave about 400 MB for the disk to write back; the warm scans are measured
# once it has, not while they compete with it.
sync
scan=("$TOLLGATE" scan rootfs "$work/root" --db "$work/db.sqlite" --format json -o "$work/out.json")
table=("$TOLLGATE" scan rootfs "$work/root" --db "$work/db.sqlite" -o "$work/out.txt")
"${scan[@]}" >/dev/null || true   # exit 1 is expected: the generated data holds vulnerabilities
python3 -c "
import json
v = json.load(open('$work/out.json'))
pk = {f['properties']['package'] for f in v['findings']}
print('findings:', len(v['findings']), 'on', len(pk), 'of', v['summary']['packages'], 'packages;',
      'timings_ms:', {k: round(x, 1) for k, x in v['summary']['timings_ms'].items()})"
read -r wall cpu rss < <(medians 10 "${scan[@]}")
echo "warm scan, JSON report, median of 10: wall ${wall}s, cpu ${cpu}s, peak RSS ${rss} MB (target < 200 MB)"
read -r wall cpu rss < <(medians 10 "${table[@]}")
echo "warm scan, table report, median of 10: wall ${wall}s, cpu ${cpu}s, peak RSS ${rss} MB"

hyperfine -N --warmup 3 --runs 20 -i --export-json "$work/h.json" \
  "${scan[*]}" "${table[*]}" \
  "cat $work/root/var/lib/dpkg/status $work/root/usr/lib/os-release $work/db.sqlite" \
  >/dev/null 2>&1 || { echo "hyperfine failed" >&2; exit 1; }  # -i: exit 1 is the expected verdict
python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
t, tt, floor = (x["median"] * 1000 for x in r)
print(f"warm scan median (hyperfine, 20 runs): JSON {t:.1f} ms, table {tt:.1f} ms (target < 100 ms)")
print(f"cat of the same files (status, os-release, whole database) median: {floor:.1f} ms")
print(f"ratio scan / cat: JSON {t / floor:.2f}, table {tt / floor:.2f}")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
