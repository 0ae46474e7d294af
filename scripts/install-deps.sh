#!/usr/bin/env bash
# Installs every Debian package that tollgate's build, tests, demo and benchmarks need.
# Idempotent: packages already installed are skipped, and apt is not touched when none is missing.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git clang-format
  # libraries
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev libsqlite3-dev
  libcurl4-openssl-dev libssl-dev libarchive-dev libzstd-dev zlib1g-dev libre2-dev
  # the allocator: gates build and free hundreds of thousands of small objects (findings, JSON)
  libmimalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 curl rsync sqlite3 hyperfine bc
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
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
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
