#!/usr/bin/env bash
# The units under systemd (issue 21, docs/install.md "The units' sandbox"): installs the
# three packages from BUILD_DIR (or POSTURA_PACKAGE_DIR) into a Debian 12 container that
# runs systemd as its pid 1, and checks that both hardened units start and work inside
# their whole sandbox: the collector as `postura` with no capability, the agent as
# `postura-agent` with exactly CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE, both with no new
# privileges and a system call filter, /proc read-only for the agent; the agent enrolls
# and the asset gets live scores; and the agent's checks give the same verdicts inside its
# sandbox as when run as root outside it; an online backup is written where the unit lets
# the collector write, and nowhere else, and restores. Removes its container and image on
# every exit.
#
#   cmake --build build --target package
#   POSTURA_CONTAINER_TEST=1 tests/systemd_units_test.sh build
#
# ctest runs it with the label `container`, under the same conditions as
# tests/container_test.sh (podman, the base image, apt's network during the build;
# POSTURA_CONTAINER_TEST=1; POSTURA_PODMAN; CONTAINERS_CONF); otherwise it exits 77.
set -euo pipefail

BUILD_DIR="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)"
readonly BUILD_DIR
readonly DEB_DIR="${POSTURA_PACKAGE_DIR:-$BUILD_DIR}"
read -r -a PODMAN <<<"${POSTURA_PODMAN:-podman}"
readonly NAME="postura-systemd-test-$$"
readonly IMAGE="localhost/$NAME:test"
readonly ASSET=public-web-portal
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
  echo "systemd_units_test: FAIL: $*" >&2
  exit 1
}
step() { echo "== $* ($((SECONDS - START_SECONDS)) s)"; }

VERSION="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD_DIR/CPackConfig.cmake")"
[[ -n "$VERSION" ]] || fail "no CPACK_PACKAGE_VERSION in $BUILD_DIR/CPackConfig.cmake"
WORK="$(mktemp -d "/tmp/systemd-units-test.$$.XXXXXX")"
cleanup() {
  local status=$?
  if ((status != 0)); then
    "${PODMAN[@]}" exec "$NAME" journalctl --no-pager -u postura-collector -u postura-agent \
      2>&1 | tail -n 30 || true
  fi
  "${PODMAN[@]}" rm -f "$NAME" >/dev/null 2>&1 || true
  "${PODMAN[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
for package in postura-collector postura-agent postura-cli; do
  deb="$DEB_DIR/${package}_${VERSION}_$(dpkg --print-architecture).deb"
  [[ -f "$deb" ]] || fail "$deb missing: run cmake --build $BUILD_DIR --target package"
  cp "$deb" "$WORK/"
done
cat >"$WORK/Containerfile" <<'EOF'
FROM docker.io/library/debian:12-slim
COPY *.deb /tmp/packages/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      systemd systemd-sysv dbus /tmp/packages/*.deb \
 && rm -rf /tmp/packages /var/lib/apt/lists/*
CMD ["/lib/systemd/systemd"]
EOF

step "podman build (systemd and the packages)"
"${PODMAN[@]}" build --network host -t "$IMAGE" "$WORK" >"$WORK/build.log" 2>&1 ||
  fail "podman build: $(tail -n 10 "$WORK/build.log")"

# The agent's two capabilities must be in the container's bounding set, and systemd needs
# CAP_SYS_ADMIN to set up the namespaces of the sandbox rather than skip them.
step "podman run (systemd as pid 1)"
"${PODMAN[@]}" run -d --name "$NAME" --network none --systemd=always \
  --cap-add DAC_READ_SEARCH,SYS_PTRACE,SYS_ADMIN "$IMAGE" >/dev/null
in_container() { "${PODMAN[@]}" exec "$NAME" bash -c "$1"; }
for _ in $(seq 100); do
  state="$(in_container 'systemctl is-system-running' 2>/dev/null || true)"
  [[ "$state" == running || "$state" == degraded ]] && break
  sleep 0.3
done
[[ "$state" == running || "$state" == degraded ]] || fail "systemd did not boot: $state"
for _ in $(seq 100); do
  in_container 'test -s /var/lib/postura/admin.token' && break
  sleep 0.2
done
[[ "$(in_container 'systemctl is-active postura-collector')" == active ]] ||
  fail "postura-collector.service is not active"
# The packages enable the agent, but it waits for an enrollment token (its conditions).
[[ "$(in_container 'systemctl is-active postura-agent' || true)" == inactive ]] ||
  fail "postura-agent.service started without an enrollment token"

# One line per property of a unit's main process: uid, no_new_privs, seccomp mode, the
# effective, bounding and ambient capabilities.
process_status() {
  in_container "grep -E '^(Uid|NoNewPrivs|Seccomp|CapEff|CapBnd|CapAmb):' \
    /proc/\$(systemctl show -p MainPID --value $1)/status | tr -s '\t' ' '"
}
expect_status() {  # unit, status text, expected line
  grep -qx "$3" <<<"$2" || fail "$1: expected '$3' in its /proc status, got: $2"
}
collector_status="$(process_status postura-collector)"
expect_status collector "$collector_status" \
  "Uid: $(in_container 'id -u postura') $(in_container 'id -u postura') .*"
expect_status collector "$collector_status" "NoNewPrivs: 1"
expect_status collector "$collector_status" "Seccomp: 2"
for set in CapEff CapBnd CapAmb; do
  expect_status collector "$collector_status" "$set: 0000000000000000"
done

step "enroll the agent under systemd"
in_container "set -e
  install -m 0644 /var/lib/postura/tls/ca.crt /etc/postura/ca.crt
  export POSTURA_CA_FILE=/etc/postura/ca.crt POSTURA_TOKEN_FILE=/var/lib/postura/admin.token
  postura assets put $ASSET --name 'Public web portal' --ig IG1 >/dev/null
  (umask 077 && postura tokens create enrollment --asset $ASSET --uses 1 --ttl 10m \
    -o /etc/postura/enrollment.token >/dev/null)
  systemctl start postura-agent" || fail "could not enroll the agent"
live=0
for _ in $(seq 100); do
  live="$(in_container "POSTURA_CA_FILE=/etc/postura/ca.crt \
    POSTURA_TOKEN_FILE=/var/lib/postura/admin.token postura score $ASSET" 2>/dev/null |
    sed -n 's/.*Coverage.* \([0-9][0-9]*\) live.*/\1/p')"
  ((${live:-0} > 0)) && break
  sleep 0.3
done
((${live:-0} > 0)) || fail "no live outcomes for $ASSET from the agent under systemd"
echo "live outcomes of $ASSET from the sandboxed agent: $live"
agent_status="$(process_status postura-agent)"
expect_status agent "$agent_status" \
  "Uid: $(in_container 'id -u postura-agent') $(in_container 'id -u postura-agent') .*"
expect_status agent "$agent_status" "NoNewPrivs: 1"
expect_status agent "$agent_status" "Seccomp: 2"
# CAP_DAC_READ_SEARCH (bit 2) and CAP_SYS_PTRACE (bit 19): 0x80004.
for set in CapEff CapBnd CapAmb; do
  expect_status agent "$agent_status" "$set: 0000000000080004"
done
proc_mount="$(in_container "nsenter -t \$(systemctl show -p MainPID --value postura-agent) -m \
  awk '\$5 == \"/proc\" { print \$6 }' /proc/self/mountinfo")"
[[ "$proc_mount" == ro,* ]] || fail "/proc in the agent's sandbox is mounted '$proc_mount'"

# The same checks, once as root outside any sandbox and once inside the agent unit's
# sandbox (its [Service] settings given to systemd-run), must reach the same verdicts.
step "the agent's checks inside and outside its sandbox"
# shellcheck disable=SC2016 # expanded by the container's bash
in_container '
  properties=()
  while IFS= read -r line; do properties+=(-p "$line"); done < <(
    sed -n "/^\[Service\]/,/^\[Install\]/p" /lib/systemd/system/postura-agent.service |
      grep -E "^[A-Za-z]+=" |
      grep -vE "^(Type|ExecStart|KillSignal|TimeoutStopSec|Restart|RestartSec|StateDirectory|StateDirectoryMode)=")
  scan=(/usr/bin/postura-agent scan --pack /usr/share/postura/packs/debian-server.yaml --format json)
  systemd-run --quiet --wait --pipe --collect "${properties[@]}" "${scan[@]}" >/tmp/sandboxed.json
  "${scan[@]}" >/tmp/unconfined.json' || fail "postura-agent scan failed"
in_container 'cmp -s /tmp/unconfined.json /tmp/sandboxed.json' ||
  fail "the checks' verdicts differ inside the sandbox: $(in_container \
    'diff /tmp/unconfined.json /tmp/sandboxed.json | head -n 20')"
echo "checks with the same verdict: $(in_container 'grep -c "\"verdict\"" /tmp/sandboxed.json')"

# The running collector writes online backups itself, so inside its sandbox it can write
# them only where the unit lets it: /var/backups/postura, not elsewhere. A restore, run as
# the collector's user, brings the store back with its owner.
step "online backup and restore under the sandbox"
in_container "set -e
  postura-collector backup --config /etc/postura/collector.yaml \
    --to /var/backups/postura/first >/dev/null
  test -d /var/backups/postura/first/store" || fail "backup into /var/backups/postura failed"
in_container "mkdir -p /srv && postura-collector backup --config /etc/postura/collector.yaml \
  --to /srv/outside >/dev/null 2>&1" && fail "the sandboxed collector wrote a backup to /srv"
in_container "set -e
  systemctl stop postura-agent postura-collector
  runuser -u postura -- postura-collector restore --from /var/backups/postura/first \
    --data-dir /var/lib/postura --force >/dev/null
  systemctl start postura-collector" || fail "restore failed"
restored=0
for _ in $(seq 100); do
  restored="$(in_container "POSTURA_CA_FILE=/etc/postura/ca.crt \
    POSTURA_TOKEN_FILE=/var/lib/postura/admin.token postura score $ASSET" 2>/dev/null |
    sed -n 's/.*Coverage.* \([0-9][0-9]*\) live.*/\1/p')"
  ((${restored:-0} > 0)) && break
  sleep 0.3
done
[[ "${restored:-0}" == "$live" ]] ||
  fail "after the restore $ASSET has ${restored:-0} live outcomes, not $live"

for unit in postura-collector postura-agent; do
  echo "$unit: $(in_container "systemd-analyze security $unit.service" | tail -n 1)"
done

step "systemd_units_test: OK"
