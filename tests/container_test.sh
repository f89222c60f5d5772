#!/usr/bin/env bash
# The container test (issue 21, docs/install.md "Container"): builds deploy/Containerfile
# from the .debs in BUILD_DIR (or POSTURA_PACKAGE_DIR) with podman, runs the image with no
# network but its own loopback, and checks that the collector serves as the user postura
# (not root), that the image's HEALTHCHECK reports healthy, that the installed `postura`
# answers with the admin token the collector wrote in its volume, and that it stops
# cleanly on SIGTERM. Removes its container, volume and image on every exit.
#
#   cmake --build build --target package
#   POSTURA_CONTAINER_TEST=1 tests/container_test.sh build
#
# ctest runs it with the label `container`. It needs podman, the base image (pulled, or
# already in podman's store) and apt's network inside the build, so it runs only with
# POSTURA_CONTAINER_TEST=1 and where podman is installed; otherwise it exits 77 (skipped).
# POSTURA_PODMAN replaces the podman command (e.g. "podman --runtime runc" where crun
# cannot run); CONTAINERS_CONF passes through.
set -euo pipefail

BUILD_DIR="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)"
readonly BUILD_DIR
readonly DEB_DIR="${POSTURA_PACKAGE_DIR:-$BUILD_DIR}"
SOURCE_DIR="$(cd "$(dirname "$0")/.." && pwd)"
readonly SOURCE_DIR
read -r -a PODMAN <<<"${POSTURA_PODMAN:-podman}"
readonly NAME="postura-container-test-$$"
readonly IMAGE="localhost/$NAME:test"
readonly START_SECONDS=$SECONDS

if [[ "${POSTURA_CONTAINER_TEST:-}" != 1 ]]; then
  echo "skipped: builds a container image with network access; set POSTURA_CONTAINER_TEST=1"
  exit 77
fi
if ! command -v "${PODMAN[0]}" >/dev/null; then
  echo "skipped: ${PODMAN[0]} is not installed"
  exit 77
fi

fail() {
  echo "container_test: FAIL: $*" >&2
  exit 1
}
step() { echo "== $* ($((SECONDS - START_SECONDS)) s)"; }

VERSION="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD_DIR/CPackConfig.cmake")"
[[ -n "$VERSION" ]] || fail "no CPACK_PACKAGE_VERSION in $BUILD_DIR/CPackConfig.cmake"
DEBS=()
for package in postura-collector postura-cli; do
  deb="$DEB_DIR/${package}_${VERSION}_$(dpkg --print-architecture).deb"
  [[ -f "$deb" ]] || fail "$deb missing: run cmake --build $BUILD_DIR --target package"
  DEBS+=("$deb")
done

WORK="$(mktemp -d "/tmp/container-test.$$.XXXXXX")"
cleanup() {
  local status=$?
  if ((status != 0)); then "${PODMAN[@]}" logs "$NAME" 2>&1 | tail -n 30 || true; fi
  "${PODMAN[@]}" rm -f "$NAME" >/dev/null 2>&1 || true
  "${PODMAN[@]}" volume rm -f "$NAME" >/dev/null 2>&1 || true
  "${PODMAN[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

# The build context: only the packages, as a build directory holds much else.
cp "${DEBS[@]}" "$WORK/"

step "podman build"
# The docker format: the OCI image format has no HEALTHCHECK.
"${PODMAN[@]}" build --format docker --network host -f "$SOURCE_DIR/deploy/Containerfile" \
  -t "$IMAGE" "$WORK" >"$WORK/build.log" 2>&1 ||
  fail "podman build: $(tail -n 10 "$WORK/build.log")"

step "podman run"
"${PODMAN[@]}" run -d --network none --name "$NAME" -v "$NAME:/var/lib/postura" "$IMAGE" \
  >/dev/null || fail "podman run failed"
for _ in $(seq 100); do
  "${PODMAN[@]}" healthcheck run "$NAME" >/dev/null 2>&1 && break
  sleep 0.3
done
"${PODMAN[@]}" healthcheck run "$NAME" >/dev/null 2>&1 || fail "the health check never passed"
health="$("${PODMAN[@]}" inspect --format '{{.State.Health.Status}}' "$NAME")"
[[ "$health" == healthy ]] || fail "health status is '$health', not healthy"

user="$("${PODMAN[@]}" exec "$NAME" id -un)"
[[ "$user" == postura ]] || fail "the container runs as $user, not postura"
collector_uid="$("${PODMAN[@]}" exec "$NAME" sh -c 'stat -c %U /proc/1')"
[[ "$collector_uid" == postura ]] || fail "the collector (pid 1) runs as $collector_uid"
whoami="$("${PODMAN[@]}" exec -e POSTURA_CA_FILE=/var/lib/postura/tls/ca.crt \
  -e POSTURA_TOKEN_FILE=/var/lib/postura/admin.token "$NAME" postura whoami)" ||
  fail "postura whoami failed in the container"
[[ "$whoami" == *"role admin"* ]] || fail "postura whoami: $whoami"

step "podman stop"
"${PODMAN[@]}" stop -t 30 "$NAME" >/dev/null
exit_code="$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$NAME")"
[[ "$exit_code" == 0 ]] || fail "the collector exited with $exit_code on SIGTERM"
echo "image size: $("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE") bytes"

step "container_test: OK"
