#!/usr/bin/env bash
# Builds the small local images that the container executor's tests and benchmark run, from
# this machine's own Debian packages (no registry is reachable here). Idempotent: an image
# that exists is kept; the tag changes when what goes into it changes. Safe to run from
# several test programs at once (one flock).
#
#   localhost/tollgate-test/busybox:1     busybox-static, /etc/tollgate-test-image, EXPOSE 80
#   localhost/tollgate-test/bash:1        the same plus bash
#   localhost/tollgate-test/entrypoint:1  an ENTRYPOINT that announces itself, then exec "$@"
#   localhost/tollgate-test/docker-cli:1  the same busybox plus this machine's docker CLI
#   localhost/tollgate-test/podman-cli:1  the same busybox plus this machine's podman (as a
#                                         remote client: it has no storage of its own)
set -euo pipefail
engine=${ENGINE:-podman}
exec 9>"${TMPDIR:-/tmp}/tollgate-test-images.lock"
flock 9

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

busybox_rootfs() {
  local root=$1
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/usr/local/bin"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
  echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> "$root/etc/passwd"
  echo "root:x:0:" > "$root/etc/group"
  echo "nogroup:x:65534:" >> "$root/etc/group"
  echo "$2" > "$root/etc/tollgate-test-image"
}

# Copies a program and the shared libraries it loads into the rootfs.
add_program() {
  local root=$1 program=$2 dest=$3
  cp "$program" "$root$dest"
  { ldd "$program" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

import() {
  local name=$1 root=$2
  shift 2
  tar -C "$root" -c . | "$engine" import --quiet --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'EXPOSE 80' --change 'CMD ["sh"]' "$@" - "$name" >/dev/null
}

image() {
  local name=$1
  if "$engine" image inspect "$name" >/dev/null 2>&1; then return 1; fi
  echo "build-test-images: building $name" >&2
  return 0
}

if image localhost/tollgate-test/busybox:1; then
  busybox_rootfs "$work/busybox" busybox
  import localhost/tollgate-test/busybox:1 "$work/busybox"
fi

if image localhost/tollgate-test/bash:1; then
  busybox_rootfs "$work/bash" bash
  add_program "$work/bash" /bin/bash /bin/bash
  import localhost/tollgate-test/bash:1 "$work/bash"
fi

if image localhost/tollgate-test/entrypoint:1; then
  busybox_rootfs "$work/entrypoint" entrypoint
  printf '#!/bin/sh\necho "the image entrypoint ran"\nexec "$@"\n' > "$work/entrypoint/bin/entry.sh"
  chmod +x "$work/entrypoint/bin/entry.sh"
  import localhost/tollgate-test/entrypoint:1 "$work/entrypoint" \
    --change 'ENTRYPOINT ["/bin/entry.sh"]'
fi

if image localhost/tollgate-test/docker-cli:1; then
  docker_cli=$(command -v docker || true)
  if [ -z "$docker_cli" ] || [ "$(readlink -f "$docker_cli")" = /usr/bin/podman ]; then
    echo "build-test-images: the docker CLI is not installed (apt-get install docker.io)" >&2
    exit 1
  fi
  busybox_rootfs "$work/docker" docker-cli
  add_program "$work/docker" "$(readlink -f "$docker_cli")" /usr/local/bin/docker
  import localhost/tollgate-test/docker-cli:1 "$work/docker"
fi

if image localhost/tollgate-test/podman-cli:1; then
  busybox_rootfs "$work/podman" podman-cli
  mkdir -p "$work/podman/root"  # the client resolves $HOME
  add_program "$work/podman" /usr/bin/podman /usr/local/bin/podman
  import localhost/tollgate-test/podman-cli:1 "$work/podman"
fi
