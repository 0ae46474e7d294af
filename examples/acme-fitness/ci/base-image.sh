#!/usr/bin/env bash
# Builds the shop's base image once, from Debian's packages (no registry is needed): bookworm
# minbase plus python3, imported into the engine as localhost/acme/base:bookworm. Every service's
# Containerfile starts FROM it. An image that is already there is kept, so a warm run costs one
# `image inspect`.
#   ci/base-image.sh            ENGINE=podman|docker, BASE_IMAGE=name, DEBIAN_MIRROR=url
set -euo pipefail
engine=${ENGINE:-podman}
image=${BASE_IMAGE:-localhost/acme/base:bookworm}

# One builder at a time: parallel build jobs all call this first.
exec 9>"${TMPDIR:-/tmp}/acme-base-image.lock"
flock 9
if "$engine" image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image: already built"
  exit 0
fi
if ! command -v mmdebstrap >/dev/null; then
  echo "base-image: mmdebstrap is not installed (apt-get install mmdebstrap)" >&2
  exit 2
fi
# The mirror this machine's apt uses, else Debian's own.
mirror=${DEBIAN_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "base image $image: debootstrapping bookworm minbase + python3 from $mirror"
mmdebstrap --quiet --variant=minbase --include=python3 bookworm "$work/rootfs.tar" "$mirror"
"$engine" import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' "$work/rootfs.tar" "$image" >/dev/null
echo "base image $image: built ($(du -h "$work/rootfs.tar" | cut -f1) rootfs)"
