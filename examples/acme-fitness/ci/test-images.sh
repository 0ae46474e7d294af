#!/usr/bin/env bash
# Builds the base image and the six service images with the container engine, then runs each
# image as its manifest would (read-only root, no privileges) and checks that it answers /health
# on 8080 as the non-root user 10001. Every container it starts is removed, also on failure.
#   ci/test-images.sh        (from examples/acme-fitness; ENGINE=podman|docker)
set -euo pipefail
engine=${ENGINE:-podman}
tag=test-$$
names=()
cleanup() {
  [ ${#names[@]} -eq 0 ] || "$engine" rm -f -t 0 "${names[@]}" >/dev/null 2>&1 || true
  for s in cart catalog front_end order payment user; do
    "$engine" rmi -f "localhost/acme/$s:$tag" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

ci/base-image.sh
failed=0
for s in cart catalog front_end order payment user; do
  "$engine" build --quiet --build-arg BASE=localhost/acme/base:bookworm \
    -t "localhost/acme/$s:$tag" "services/$s" >/dev/null
  name=acme-image-test-$s-$$
  names+=("$name")
  "$engine" run -d --name "$name" --read-only --cap-drop ALL --security-opt no-new-privileges \
    --network none "localhost/acme/$s:$tag" >/dev/null
  answer=""
  for _ in $(seq 50); do
    answer=$("$engine" exec "$name" python3 -c \
      'import urllib.request as u; print(u.urlopen("http://127.0.0.1:8080/health", timeout=1).read().decode())' \
      2>/dev/null) && break
    sleep 0.1
  done
  user=$("$engine" exec "$name" id -u)
  if [[ "$answer" == *'"ok"'* ]] && [ "$user" = 10001 ]; then
    echo "ok   $s: /health answered as user $user"
  else
    echo "FAIL $s: /health said '${answer}', user '$user'; its log:"
    "$engine" logs --tail 20 "$name" || true
    failed=1
  fi
done
exit $failed
