#!/usr/bin/env bash
# Builds SERVICE's image and says where it is in build.env (a dotenv report for the scan and
# deploy jobs): IMAGE (what to scan) and <SERVICE>_IMAGE (what to deploy).
#
# DELIVERY=engine (the default): `podman build` (ENGINE=docker: docker) of services/SERVICE on
# the shop's base image (ci/base-image.sh makes it once), tagged $CI_COMMIT_SHORT_SHA and pushed
# to $REGISTRY. IMAGE is REGISTRY/acme/SERVICE:SHA; <SERVICE>_IMAGE is acme/SERVICE@DIGEST,
# registry-relative, so a release stays deployable from whichever port the registry serves.
#
# DELIVERY=local (no container engine): a `docker save` archive at images/SERVICE.tar made
# without an engine: the base OS layer (etc/os-release and the dpkg database of the runtime
# packages) and the service's own files, in one reproducible layer.
#
# usage: ci/build-image.sh SERVICE
set -euo pipefail
. ci/lib.sh
service=${1:-}
src=services/$service
[ -n "$service" ] && [ -d "$src" ] || { echo "usage: ci/build-image.sh SERVICE (no directory services/$service)" >&2; exit 2; }
var=$(tr a-z A-Z <<< "$service")_IMAGE

# INJECT=vuln: the payment image gets acme-legacy-tls 1.0.2-1, a package the example's own
# advisory (vulndb/ACME-2026-0001.json) marks critical, built here with dpkg-deb; the image is
# tagged apart so the registry's good tag stays good.
injects_vuln() { [ "${INJECT:-}" = vuln ] && [ -d "$src/inject" ]; }

inject_vulnerable_package() { # CONTEXT
  local pkg=$work/acme-legacy-tls
  mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/doc/acme-legacy-tls"
  cat > "$pkg/DEBIAN/control" <<CONTROL
Package: acme-legacy-tls
Version: 1.0.2-1
Architecture: all
Maintainer: acme-fitness example <example@acme.test>
Description: TLS helpers that skip certificate checks (the example's injected vulnerability)
CONTROL
  echo "INJECT=vuln" > "$pkg/usr/share/doc/acme-legacy-tls/README"
  dpkg-deb --root-owner-group --build "$pkg" "$1/inject/acme-legacy-tls_1.0.2-1_all.deb" > /dev/null
  echo "INJECT=vuln: acme-legacy-tls 1.0.2-1 goes into the $service image"
}

engine_image() {
  local engine=${ENGINE:-podman} sha=${CI_COMMIT_SHORT_SHA:-dev} digest context=$src
  [ -n "${REGISTRY:-}" ] || { echo "build: REGISTRY is unset (registry:start writes it)" >&2; exit 2; }
  if injects_vuln; then
    context=$work/context
    cp -r "$src" "$context"
    inject_vulnerable_package "$context"
    sha=$sha-vuln
  fi
  local ref=$REGISTRY/acme/$service:$sha
  ci/base-image.sh
  "$engine" build --quiet --build-arg BASE="${BASE_IMAGE:-localhost/acme/base:bookworm}" \
    -t "$ref" "$context" > /dev/null
  if [ "$engine" = podman ]; then
    "$engine" push --quiet --tls-verify="$(registry_tls_verify)" --digestfile "$work/digest" "$ref"
    digest=$(cat "$work/digest")
  else
    "$engine" push --quiet "$ref" > /dev/null
    digest=$("$engine" image inspect --format '{{index .RepoDigests 0}}' "$ref" | sed 's/.*@//')
  fi
  printf 'IMAGE=%s\n%s=acme/%s@%s\n' "$ref" "$var" "$service" "$digest" > build.env
  echo "built and pushed $ref ($digest)"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "${DELIVERY:-engine}" != local ]; then
  engine_image
  exit 0
fi
out=images/$service.tar tag=${TAG:-dev}
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
if injects_vuln; then
  printf '\nPackage: acme-legacy-tls\nStatus: install ok installed\nArchitecture: all\nVersion: 1.0.2-1\nDescription: the example'"'"'s injected vulnerability\n' >> "$root/var/lib/dpkg/status"
  echo "INJECT=vuln: acme-legacy-tls 1.0.2-1 goes into the $service image"
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
printf 'IMAGE=%s\n%s=%s\n' "$out" "$var" "$out" > build.env
echo "built acme-fitness/$service:$tag -> $out ($(du -k "$out" | cut -f1) KiB, layer sha256:${diff_id:0:12})"
