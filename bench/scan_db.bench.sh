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

# Import: records per second and peak memory.
# The machine is shared: CPU time (user+sys) is printed beside wall time, as the wall clock also
# counts the time other processes held the cores.
/usr/bin/time -f '%e %U %S %M' -o "$work/import.time" \
  "$TOLLGATE" db import "$work/all.zip" --db "$work/db.sqlite"
read -r secs user sys kb < <(tail -1 "$work/import.time")
python3 -c "
n, wall, cpu = $RECORDS, $secs, $user + $sys
print(f'import: {n} records, wall {wall:.1f}s = {n / wall:.0f} records/s; cpu {cpu:.1f}s = {n / cpu:.0f} records/s (target >= 20000/s)')"
echo "import peak RSS: $((kb / 1024)) MB"

scan=("$TOLLGATE" scan rootfs "$work/root" --db "$work/db.sqlite" --format json -o "$work/out.json")
"${scan[@]}" >/dev/null || true   # exit 1 is expected: the generated data holds vulnerabilities
python3 -c "import json; v=json.load(open('$work/out.json')); print('findings:', len(v['findings']), 'timings_ms:', v['summary']['timings_ms'])"
/usr/bin/time -f '%e %U %S %M' -o "$work/scan.time" "${scan[@]}" >/dev/null || true
read -r secs user sys kb < <(tail -1 "$work/scan.time")
echo "scan: wall ${secs}s, cpu $(python3 -c "print(round($user + $sys, 2))")s, peak RSS $((kb / 1024)) MB (target < 200 MB)"

hyperfine -N --warmup 3 --runs 20 -i --export-json "$work/h.json" \
  "${scan[*]}" \
  "cat $work/root/var/lib/dpkg/status $work/root/usr/lib/os-release $work/db.sqlite" >/dev/null
python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
t, floor = r[0]["median"] * 1000, r[1]["median"] * 1000
print(f"warm scan median: {t:.1f} ms (target < 100 ms)")
print(f"cat of the same files (status, os-release, whole database) median: {floor:.1f} ms")
print(f"ratio scan / cat: {t / floor:.2f}")
PY
