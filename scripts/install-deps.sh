#!/usr/bin/env bash
# Installs every Debian package that tollgate's build, tests, demo and benchmarks need.
# Idempotent: packages already installed are skipped, and apt is not touched when none is missing.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git clang-format
  # libraries
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev libsqlite3-dev
  libcurl4-openssl-dev libssl-dev libarchive-dev libzstd-dev zlib1g-dev libre2-dev libcpp-httplib-dev
  # the allocator: gates build and free hundreds of thousands of small objects (findings, JSON)
  libmimalloc-dev
  # the sanitizer build and the fuzz targets (make test-sanitize, make fuzz): clang 14 with its
  # AddressSanitizer, UBSan and libFuzzer runtimes
  clang-14 libclang-rt-14-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 curl rsync sqlite3 hyperfine bc
  # reports: every SARIF the tests write is validated against the SARIF 2.1.0 JSON schema
  python3-jsonschema
  # real peers the tests start on loopback ports
  nginx-light prometheus docker-registry skopeo umoci unzip zip
  # util/yaml_parse: libfyaml is the reference its differential test and the posture bench compare to
  libfyaml-dev
  # load: wrk is the peer bench/load_* measures throughput and CPU against
  wrk
  # load: a real browser reads the HTML report offline in the tests
  chromium
  # scan: htpasswd for the registry's basic-auth test
  apache2-utils
  # runner: the container executor's engine (runc: crun fails on hybrid cgroups) with its
  # network stacks (a bridge per job with services, slirp4netns for the rest), and
  # busybox-static for the tests' tiny images
  podman runc netavark aardvark-dns iptables slirp4netns busybox-static
  # examples/acme-fitness: its base image is debootstrapped from Debian's packages
  mmdebstrap
)
# The dind test builds an image with the docker CLI: this machine kind ships one in
# /usr/local/bin; elsewhere Debian's docker.io brings it (its daemon is never started).
if ! command -v docker >/dev/null 2>&1; then
  PACKAGES+=(docker.io)
fi

# podman's defaults fail on this machine kind (no CAP_SYS_RESOURCE, hybrid cgroups, no
# journald): see docs/pipeline.md, "Executors". Written only where no containers.conf exists.
configure_podman() {
  local conf=/etc/containers/containers.conf
  [ -e "$conf" ] && return 0
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
  [ "$nofile" = unlimited ] && nofile=1048576
  echo "install-deps: writing $conf (runc, ulimits nofile=$nofile nproc=$nproc)" >&2
  $SUDO mkdir -p /etc/containers
  $SUDO tee "$conf" >/dev/null <<CONF
# Written by tollgate's scripts/install-deps.sh: podman's defaults fail on this machine.
[containers]
# rlimits may not exceed the hard limits when CAP_SYS_RESOURCE is missing
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
# crun refuses hybrid cgroup v1+v2; runc copes
runtime = "runc"
cgroup_manager = "cgroupfs"
# no journald without systemd as PID 1
events_logger = "file"
CONF
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

if [ ${#missing[@]} -eq 0 ]; then
  configure_podman
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Servers are started by the tests on free ports; never let the package start them on boot ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
configure_podman
