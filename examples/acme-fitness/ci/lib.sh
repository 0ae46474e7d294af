# What the ci/ scripts share; sourced (`. ci/lib.sh`), not run.

# A free port on 127.0.0.1: PREFERRED when it is free, else any.
free_port() { # [PREFERRED]
  python3 - "${1:-0}" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

# Waits up to SECONDS for URL to answer 2xx, and gives up early when PID (if given) exits.
wait_http() { # URL SECONDS [PID]
  local deadline=$((SECONDS + $2))
  until python3 -c "import urllib.request as u; u.urlopen('$1', timeout=1)" 2>/dev/null; do
    [ -z "${3:-}" ] || kill -0 "$3" 2>/dev/null || return 1
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# Terminates PID and waits up to 5 s until it is gone: exited, not running, not even a zombie
# its parent has yet to reap. Fails when there was no such process.
stop_pid() { # PID
  kill "$1" 2>/dev/null || return 1
  local state
  for _ in $(seq 50); do
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
    { [ -z "$state" ] || [ "$state" = Z ]; } && return 0
    sleep 0.1
  done
}

# Whether the engine verifies TLS with $REGISTRY: a loopback registry speaks plain HTTP.
registry_tls_verify() {
  case ${REGISTRY:-} in 127.0.0.1:* | localhost:* | localhost) echo false ;; *) echo true ;; esac
}

# The service $INJECT puts its runtime fault in, if any (vuln and privileged act at build and
# check time instead).
inject_target() {
  case ${INJECT:-} in cpu) echo front_end ;; latency) echo catalog ;; esac
}
