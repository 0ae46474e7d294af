#!/usr/bin/env bash
# make image: builds localhost/tollgate:latest from the Containerfile at the repository root,
# with BUILD/tollgate as the only file of the build context. Its base, Debian bookworm minbase
# with the libraries tollgate loads, is made once from Debian's packages with mmdebstrap and kept
# in the engine's store as localhost/tollgate/base:bookworm-<hash of the library list>, so a new
# library (the list is the Containerfile's ARG LIBS) makes a new base.
#   scripts/build-image.sh [BUILD]     ENGINE=podman|docker, IMAGE=name, DEBIAN_MIRROR=url
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
engine=${ENGINE:-podman}
image=${IMAGE:-localhost/tollgate:latest}
libs=$(sed -n 's/^ARG LIBS="\(.*\)"$/\1/p' "$root/Containerfile")
base=localhost/tollgate/base:bookworm-$(printf '%s' "$libs" | sha256sum | cut -c1-12)
[ -x "$build/tollgate" ] || { echo "build-image: $build/tollgate is not built (make build)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

exec 9>"${TMPDIR:-/tmp}/tollgate-base-image.lock"
flock 9
if ! "$engine" image inspect "$base" >/dev/null 2>&1; then
  command -v mmdebstrap >/dev/null || { echo "build-image: mmdebstrap is not installed" >&2; exit 2; }
  mirror=${DEBIAN_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "build-image: making $base from $mirror (once)" >&2
  mmdebstrap --quiet --variant=minbase --include="${libs// /,}" bookworm "$work/rootfs.tar" "$mirror"
  "$engine" import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$work/rootfs.tar" "$base" >/dev/null
fi
flock -u 9

mkdir "$work/context"
cp "$root/Containerfile" "$build/tollgate" "$work/context/"
"$engine" build --quiet --build-arg "BASE=$base" -t "$image" "$work/context" >/dev/null
echo "build-image: $image ($("$engine" run --rm "$image" tollgate --version))"
