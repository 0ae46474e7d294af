#!/usr/bin/env bash
# tollgate load against wrk, measured in the same run on the same nginx:
#   1. throughput: nginx (one worker) serving a 200-byte JSON on 127.0.0.1, 50 connections,
#      DURATION seconds, one thread each: requests/s, the ratio tollgate/wrk, and CPU seconds
#      (user+system of the generator) per 100k requests.
#   2. latency accuracy: a server with a fixed 20 ms delay driven at a fixed 500 requests/s
#      (open model); tollgate's reported p50/p99 against the server's own measurement of the
#      time it held each request (the true value).
# Both parts run ROUNDS times and print medians (and every round), the throughput rounds
# alternating which generator goes first, so that a machine busy with other work penalises
# neither side systematically.
# Usage: TOLLGATE=build/tollgate bench/load_wrk.bench.sh   (DURATION=10 and ROUNDS=5 by default)
set -euo pipefail
TOLLGATE=${TOLLGATE:-build/tollgate}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-5}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for program in nginx wrk python3 "$TOLLGATE"; do
  command -v "$program" >/dev/null || { echo "load bench: $program is missing (scripts/install-deps.sh)"; exit 1; }
done

dir=$(mktemp -d /tmp/load-bench.XXXXXX)
chmod 755 "$dir"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "load bench: nothing listens on port $1"; exit 1
}
# CPU seconds (user + system) a command used, printed after its own output. With two or more
# CPUs the server gets CPU 0 and the generators CPU 1, so neither competes with the other for a
# core and both generators meet the same conditions.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c 0)
  client_cpu=(taskset -c 1)
else
  server_cpu=()
  client_cpu=()
fi
cpu_of() { /usr/bin/time -f 'cpu_seconds %U %S' "${client_cpu[@]}" "$@"; }

# ---- 1. throughput against wrk -------------------------------------------------------------
port=$(free_port)
mkdir -p "$dir/www" "$dir/tmp"
head -c 199 /dev/zero | tr '\0' 'x' | sed 's/^/{"d":"/; s/.\{7\}$/"}/' > "$dir/www/item.json"
cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    location / { root $dir/www; default_type application/json; }
  }
}
CONF
"${server_cpu[@]}" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" &
pids+=($!)
wait_port "$port"
bytes=$(stat -c %s "$dir/www/item.json")

cat > "$dir/throughput.yaml" <<YAML
host: http://127.0.0.1:$port
load: {model: closed, users: 50, duration: ${DURATION}s, threads: 1}
journeys: [{requests: [{name: item, path: /item.json}]}]
YAML
run_wrk() {
  cpu_of wrk -t1 -c50 -d"${DURATION}s" "http://127.0.0.1:$port/item.json" > "$dir/wrk.txt" 2>&1
  echo "wrk $(awk '/Requests\/sec/ {print $2}' "$dir/wrk.txt") \
    $(awk '/requests in/ {print $1}' "$dir/wrk.txt") \
    $(awk '/cpu_seconds/ {print $2 + $3}' "$dir/wrk.txt") 0" >> "$dir/rounds.txt"
}
run_tollgate() {
  cpu_of "$TOLLGATE" load "$dir/throughput.yaml" --format json -o "$dir/tollgate.json" \
    > "$dir/tollgate.txt" 2>&1 || true
  echo "tollgate $(python3 -c '
import json,sys; o=json.load(open(sys.argv[1]))["summary"]["overall"]
print(o["rps"], o["count"])' "$dir/tollgate.json") \
    $(awk '/cpu_seconds/ {print $2 + $3}' "$dir/tollgate.txt") \
    $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["overall"]["failures"])' "$dir/tollgate.json")" >> "$dir/rounds.txt"
}
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then run_wrk; run_tollgate; else run_tollgate; run_wrk; fi
done

python3 - "$bytes" "$dir/rounds.txt" <<'PY'
import statistics, sys
size, path = sys.argv[1], sys.argv[2]
runs = {"wrk": [], "tollgate": []}
for line in open(path):
    name, rps, n, cpu, failed = line.split()
    runs[name].append((float(rps), float(n), float(cpu), int(failed)))
def med(name, i): return statistics.median(r[i] for r in runs[name])
def cpu100k(name): return statistics.median(r[2] / r[1] * 1e5 for r in runs[name])
rounds = len(runs["wrk"])
print(f"throughput: nginx 1 worker, {size}-byte JSON, 50 connections, 1 generator thread, "
      f"{rounds} round(s), medians")
for name in ("wrk", "tollgate"):
    failed = sum(r[3] for r in runs[name])
    print(f"  {name:8} {med(name, 0):10.0f} req/s   {cpu100k(name):6.3f} CPU s per 100k requests"
          + (f"   ({failed} failed)" if name == "tollgate" else ""))
ratios = [t[0] / w[0] for w, t in zip(runs["wrk"], runs["tollgate"])]
print(f"  ratio tollgate/wrk: {statistics.median(ratios):.2f}x throughput "
      f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}; target 1.00x: "
      f"{'met' if statistics.median(ratios) >= 1.0 else 'NOT met'}), "
      f"{cpu100k('tollgate') / cpu100k('wrk'):.2f}x CPU per request")
PY

# ---- 2. latency accuracy: fixed 20 ms delay at 500 requests/s -----------------------------
c++ -O2 -std=c++20 -pthread -o "$dir/delay_server" "$(dirname "$0")/load_delay_server.cc"
# Each round starts a fresh delay server, so its true percentiles are of that round alone.
for round in $(seq "$ROUNDS"); do
  delay_port=$(free_port)
  "${server_cpu[@]}" "$dir/delay_server" "$delay_port" "$dir/true.txt" &
  delay_pid=$!
  pids+=($delay_pid)
  wait_port "$delay_port"
  cat > "$dir/rate.yaml" <<YAML
host: http://127.0.0.1:$delay_port
load: {model: open, rate: 500, duration: ${DURATION}s}
journeys: [{requests: [{name: delayed, path: /}]}]
YAML
  "${client_cpu[@]}" "$TOLLGATE" load "$dir/rate.yaml" --format json -o "$dir/rate.json" \
    > /dev/null 2>&1 || true
  kill -TERM "$delay_pid"
  wait "$delay_pid" 2>/dev/null || true
  python3 - "$dir/rate.json" "$dir/true.txt" >> "$dir/latency.txt" <<'PY'
import json, math, sys
s = json.load(open(sys.argv[1]))["summary"]
o = s["overall"]
n, true50, true99 = open(sys.argv[2]).read().split()
# p99 of http_req_waiting (from the send to the response's first byte), read off its histogram:
# what the server did, without how late the generator sent against its schedule.
buckets = sorted(s["histograms"]["overall"]["waiting"]["v"])
rank, seen = max(1, math.ceil(0.99 * sum(c for _, c in buckets))), 0
for value, count in buckets:
    seen += count
    if seen >= rank:
        break
print(o["count"], o["rps"], o["failures"], true50, true99, o["p50_ms"], o["p99_ms"], value / 1000)
PY
  rm -f "$dir/true.txt"
done
python3 - "$dir/latency.txt" <<'PY'
import statistics, sys
rows = [[float(x) for x in line.split()] for line in open(sys.argv[1])]
med = lambda i: statistics.median(r[i] for r in rows)
d50 = [r[5] - r[3] for r in rows]
d99 = [r[6] - r[4] for r in rows]
print(f"latency: server holds each request 20 ms, open model at 500 req/s, {len(rows)} round(s), "
      f"medians ({med(0):.0f} requests, {med(1):.0f} req/s achieved, {med(2):.0f} failed)")
print(f"  true (server-side)  p50 {med(3):7.3f} ms   p99 {med(4):7.3f} ms")
print(f"  tollgate reported   p50 {med(5):7.3f} ms   p99 {med(6):7.3f} ms")
m50, m99 = statistics.median(d50), statistics.median(d99)
print(f"  difference          p50 {m50:+7.3f} ms   p99 {m99:+7.3f} ms   "
      f"(target: within 1 ms and 2 ms: {'met' if abs(m50) <= 1 and abs(m99) <= 2 else 'NOT met'})")
print(f"  rounds: p50 {', '.join(f'{d:+.3f}' for d in d50)}; p99 {', '.join(f'{d:+.3f}' for d in d99)}")
print(f"  p99 from the send (http_req_waiting) {med(7):7.3f} ms, {med(7) - med(4):+.3f} ms from the "
      f"true p99: the rest of the p99 difference is how late the generator sent against its "
      f"schedule")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
