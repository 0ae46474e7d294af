#!/usr/bin/env bash
# Builds SERVICE's container image as a `docker save` archive (loadable by `docker load` and
# `podman load`) without a container engine: the base OS layer (etc/os-release and the dpkg
# database of the runtime packages) and the service's own files, in one reproducible layer.
# On a runner with an engine, `podman build services/$SERVICE && podman save` does the same job.
#
# usage: ci/build-image.sh SERVICE OUT.tar TAG
set -euo pipefail
service=$1 out=$2 tag=$3
src=services/$service
[ -d "$src" ] || { echo "no service directory $src" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/etc" "$root/usr/lib" "$root/var/lib/dpkg" "$root/app"
cp ci/os-release "$root/usr/lib/os-release"
ln -s ../usr/lib/os-release "$root/etc/os-release"
# The runtime packages every image shares, then the ones this service adds.
cat ci/base.status > "$root/var/lib/dpkg/status"
if [ -f "$src/packages.status" ]; then
  echo >> "$root/var/lib/dpkg/status"
  cat "$src/packages.status" >> "$root/var/lib/dpkg/status"
fi
cp -r "$src/app/." "$root/app/"

mkdir -p "$work/image"
tar -C "$root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir -p "$work/image/$diff_id"
mv "$work/layer.tar" "$work/image/$diff_id/layer.tar"
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"WorkingDir":"/app","User":"10001",
 "Labels":{"org.opencontainers.image.source":"acme-fitness/$service"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]}}
JSON
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/image/$config.json"
printf '[{"Config":"%s.json","RepoTags":["acme-fitness/%s:%s"],"Layers":["%s/layer.tar"]}]\n' \
  "$config" "$service" "$tag" "$diff_id" > "$work/image/manifest.json"
mkdir -p "$(dirname "$out")"
tar -C "$work/image" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$out" .
echo "built acme-fitness/$service:$tag -> $out ($(du -k "$out" | cut -f1) KiB, layer sha256:${diff_id:0:12})"
