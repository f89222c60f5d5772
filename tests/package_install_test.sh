#!/usr/bin/env bash
# The install test (issue 21, docs/install.md): runs lintian on the postura-collector,
# postura-agent and postura-cli packages built in BUILD_DIR; installs them into this
# machine with dpkg, as a version just below theirs; checks users, directories, conffiles
# and the units (`systemd-analyze verify`); starts the installed collector and agent
# directly (as systemd would: their system users, the agent with its two capabilities),
# enrolls the agent and sees its scores with the installed `postura`; then upgrades in
# place to the built version, checks that configuration, store and the agent's key survived
# and that scores come back; then removes, installs again and purges, checking what each
# keeps.
#
#   cmake --build build --target package
#   POSTURA_PACKAGE_TEST=1 tests/package_install_test.sh build
#
# The .debs are taken from BUILD_DIR, or from POSTURA_PACKAGE_DIR if set (for packages made
# with `cpack --config BUILD_DIR/CPackConfig.cmake -B DIR`).
# ctest runs it with the label `package`. It changes this machine (packages, users
# postura and postura-agent, /etc/postura, /var/lib/postura*), so it runs only as root
# with POSTURA_PACKAGE_TEST=1 (CI's throwaway machine: deploy/test.sh); otherwise it exits
# 77, which ctest reports as skipped. It refuses to start where Postura is installed or
# its users or directories exist, and purges what it installed on every exit.
set -euo pipefail

BUILD_DIR="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)"
readonly BUILD_DIR
readonly DEB_DIR="${POSTURA_PACKAGE_DIR:-$BUILD_DIR}"
readonly PACKAGES=(postura-collector postura-agent postura-cli)
readonly ASSET=public-web-portal
readonly START_SECONDS=$SECONDS

if [[ "${POSTURA_PACKAGE_TEST:-}" != 1 ]]; then
  echo "skipped: installs packages into this machine; set POSTURA_PACKAGE_TEST=1 (as root)"
  exit 77
fi

fail() {
  echo "package_install_test: FAIL: $*" >&2
  exit 1
}
step() { echo "== $* ($((SECONDS - START_SECONDS)) s)"; }

if ((EUID != 0)); then
  echo "skipped: installs packages with dpkg -i, which needs root"
  exit 77
fi
for tool in dpkg dpkg-deb setpriv systemd-analyze lintian; do
  command -v "$tool" >/dev/null || fail "$tool not found"
done

# --- The packages built in BUILD_DIR, newer than the binaries they hold. ----------------
VERSION="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD_DIR/CPackConfig.cmake")"
[[ -n "$VERSION" ]] || fail "no CPACK_PACKAGE_VERSION in $BUILD_DIR/CPackConfig.cmake"
readonly VERSION OLD_VERSION="$VERSION~pre1"
ARCH="$(dpkg --print-architecture)"
declare -A BINARY=([postura-collector]=postura-collector [postura-agent]=postura-agent
  [postura-cli]=postura)
for package in "${PACKAGES[@]}"; do
  deb="$DEB_DIR/${package}_${VERSION}_${ARCH}.deb"
  [[ -f "$deb" ]] || fail "$deb missing: run cmake --build $BUILD_DIR --target package"
  [[ "$deb" -nt "$BUILD_DIR/bin/${BINARY[$package]}" ]] ||
    fail "$deb is older than bin/${BINARY[$package]}: run cmake --build $BUILD_DIR --target package"
done

# --- lintian: no error or warning but those the packages override, each explained. ---------
step "lintian"
lintian_log="$(mktemp "/tmp/package-install-test.$$.lintian.XXXXXX")"
if ! lintian --fail-on error,warning \
  "$DEB_DIR"/postura-{collector,agent,cli}_"${VERSION}_${ARCH}".deb >"$lintian_log" 2>&1; then
  cat "$lintian_log"
  rm -f "$lintian_log"
  fail "lintian found errors or warnings (fix them, or override and explain them)"
fi
rm -f "$lintian_log"

# --- Never touch a real installation. ------------------------------------------------------
for package in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
  [[ -z "$status" || "$status" == not-installed ]] ||
    fail "$package is installed here ($status); the test would replace and purge it"
done
for user in postura postura-agent; do
  ! getent passwd "$user" >/dev/null || fail "user $user exists; purging would delete it"
done
for dir in /var/lib/postura /var/lib/postura-agent /var/backups/postura /etc/postura; do
  [[ ! -e "$dir" ]] || fail "$dir exists; purging would delete it"
done

WORK="$(mktemp -d /tmp/package-install-test.$$.XXXXXX)"
chmod 0755 "$WORK"
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((status != 0)); then
    for log in "$WORK"/*.log; do [[ -f "$log" ]] && { echo "--- $log"; tail -n 30 "$log"; }; done
  fi
  rm -f /etc/postura/ca.crt /etc/postura/enrollment.token
  dpkg --purge "${PACKAGES[@]}" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

# The previous version: the same files with a lower version, so that dpkg runs the upgrade
# paths of every maintainer script (prerm upgrade, postrm upgrade, postinst configure OLD).
step "packages $VERSION and $OLD_VERSION"
for package in "${PACKAGES[@]}"; do
  dpkg-deb -R "$DEB_DIR/${package}_${VERSION}_${ARCH}.deb" "$WORK/$package"
  sed -i "s/^Version: .*/Version: $OLD_VERSION/" "$WORK/$package/DEBIAN/control"
  dpkg-deb -Znone --build --root-owner-group "$WORK/$package" "$WORK/${package}_old.deb" >/dev/null
  rm -rf "${WORK:?}/$package"
done

installed_version() { dpkg-query -W -f='${Version}' "$1"; }
owner_and_mode() { stat -c '%U:%G %a' "$1"; }

# --- Install the previous version. ----------------------------------------------------------
step "dpkg -i ($OLD_VERSION)"
dpkg -i "$WORK"/postura-{collector,agent,cli}_old.deb </dev/null >"$WORK/dpkg-install.log" 2>&1 ||
  fail "dpkg -i failed: $(tail -n 5 "$WORK/dpkg-install.log")"
for package in "${PACKAGES[@]}"; do
  [[ "$(installed_version "$package")" == "$OLD_VERSION" ]] || fail "$package not at $OLD_VERSION"
  [[ -x "/usr/bin/${BINARY[$package]}" ]] || fail "/usr/bin/${BINARY[$package]} not installed"
done
[[ "$(owner_and_mode /var/lib/postura)" == "postura:postura 700" ]] ||
  fail "/var/lib/postura is $(owner_and_mode /var/lib/postura), not postura:postura 700"
[[ "$(owner_and_mode /var/backups/postura)" == "postura:postura 700" ]] ||
  fail "/var/backups/postura is $(owner_and_mode /var/backups/postura)"
[[ "$(owner_and_mode /var/lib/postura-agent)" == "postura-agent:postura-agent 700" ]] ||
  fail "/var/lib/postura-agent is $(owner_and_mode /var/lib/postura-agent)"
[[ "$(getent passwd postura | cut -d: -f7)" == */nologin ]] || fail "postura has a login shell"
dpkg-query -W -f='${Conffiles}' postura-collector | grep -q '/etc/postura/collector.yaml' ||
  fail "/etc/postura/collector.yaml is not a conffile"
dpkg-query -W -f='${Conffiles}' postura-agent | grep -q '/etc/postura/agent.yaml' ||
  fail "/etc/postura/agent.yaml is not a conffile"

step "systemd-analyze verify"
for unit in postura-collector postura-agent; do
  systemd-analyze verify "/lib/systemd/system/$unit.service" >"$WORK/verify-$unit.log" 2>&1 ||
    fail "systemd-analyze verify $unit.service: $(cat "$WORK/verify-$unit.log")"
  # verify warns without failing (unknown keys, missing binaries): none may be ours.
  ! grep -q "$unit.service" "$WORK/verify-$unit.log" ||
    fail "systemd-analyze verify $unit.service: $(cat "$WORK/verify-$unit.log")"
done

# --- Start the installed daemons as systemd would, on free loopback ports. ------------------
# The operator's edit of a conffile, which the upgrade must keep: port 0 picks free ports,
# and the ready file gives them back.
sed -i -e 's/^listen_address: .*/listen_address: 127.0.0.1:0/' \
  -e 's/^http_listen_address: .*/http_listen_address: 127.0.0.1:0/' /etc/postura/collector.yaml
readonly RUN_DIR="$WORK/run"
install -d -m 0700 -o postura -g postura "$RUN_DIR"

start_collector() {  # log name
  rm -f "$RUN_DIR/ready"
  setpriv --reuid postura --regid postura --init-groups --inh-caps=-all --no-new-privs -- \
    /usr/bin/postura-collector --config /etc/postura/collector.yaml \
    --ready-file "$RUN_DIR/ready" 2>"$WORK/$1.log" &
  COLLECTOR_PID=$!
  PIDS+=("$COLLECTOR_PID")
  for _ in $(seq 150); do [[ -s "$RUN_DIR/ready" ]] && break; sleep 0.1; done
  [[ -s "$RUN_DIR/ready" ]] || fail "the installed collector did not start"
  GRPC_ADDRESS="$(sed -n 1p "$RUN_DIR/ready")"
  export POSTURA_COLLECTOR="$GRPC_ADDRESS"
}
start_agent() {  # log name
  setpriv --reuid postura-agent --regid postura-agent --init-groups \
    --inh-caps=+dac_read_search,+sys_ptrace --ambient-caps=+dac_read_search,+sys_ptrace \
    --no-new-privs -- /usr/bin/postura-agent --config /etc/postura/agent.yaml \
    2>"$WORK/$1.log" &
  AGENT_PID=$!
  PIDS+=("$AGENT_PID")
}
stop() {  # pid
  kill -TERM "$1"
  wait "$1" || fail "process $1 exited with status $? on SIGTERM"
}
# The asset's live outcomes, from `postura score` ("Coverage ... N live, ..."), 0 if none.
live_outcomes() {
  postura score "$ASSET" 2>/dev/null | sed -n 's/.*Coverage.* \([0-9][0-9]*\) live.*/\1/p' |
    grep . || echo 0
}
# The last batch sequence the collector acknowledged from the agent, 0 if none.
last_sequence() {
  postura agents list 2>/dev/null | awk '$1 == "web-01" { print $3; found = 1 }
    END { if (!found) print 0 }'
}
wait_for_scores() {
  for _ in $(seq 150); do
    (($(live_outcomes) > 0)) && return 0
    sleep 0.2
  done
  fail "no live outcomes for $ASSET: $(postura score "$ASSET" 2>&1 | head -n 5)"
}

step "start the collector, enroll the agent"
start_collector collector-old
[[ "$(owner_and_mode /var/lib/postura/admin.token)" == "postura:postura 600" ]] ||
  fail "admin.token is $(owner_and_mode /var/lib/postura/admin.token)"
install -m 0644 /var/lib/postura/tls/ca.crt /etc/postura/ca.crt
export POSTURA_CA_FILE=/etc/postura/ca.crt POSTURA_TOKEN_FILE=/var/lib/postura/admin.token
postura assets put "$ASSET" --name "Public web portal" --ig IG1 >/dev/null
(umask 077 && postura tokens create enrollment --asset "$ASSET" --uses 1 --ttl 10m \
  --name "package install test" -o /etc/postura/enrollment.token >/dev/null)
sed -i "s/^collector_address: .*/collector_address: $GRPC_ADDRESS/" /etc/postura/agent.yaml
start_agent agent-old
wait_for_scores
echo "live outcomes of $ASSET: $(live_outcomes)"
# The agent enrolled with its own key (owner-only) and holds a certificate, no bearer
# credential (docs/security.md, "Agent certificates").
readonly AGENT_KEY=/var/lib/postura-agent/spool/agent.key
readonly AGENT_CERTIFICATE=/var/lib/postura-agent/spool/agent.crt
[[ "$(owner_and_mode "$AGENT_KEY")" == "postura-agent:postura-agent 600" ]] ||
  fail "the agent's key is $(owner_and_mode "$AGENT_KEY")"
[[ -s "$AGENT_CERTIFICATE" && ! -e /var/lib/postura-agent/spool/credential ]] ||
  fail "the agent has no certificate, or a bearer credential"
stop "$AGENT_PID"
SEQUENCE_BEFORE="$(last_sequence)"
stop "$COLLECTOR_PID"
PIDS=()

# --- Upgrade in place to the built version. --------------------------------------------------
step "dpkg -i ($VERSION, upgrade)"
IDENTITY_SUM="$(sha256sum "$AGENT_KEY" "$AGENT_CERTIFICATE")"
dpkg -i "$DEB_DIR"/postura-{collector,agent,cli}_"${VERSION}_${ARCH}".deb </dev/null \
  >"$WORK/dpkg-upgrade.log" 2>&1 || fail "upgrade failed: $(tail -n 5 "$WORK/dpkg-upgrade.log")"
for package in "${PACKAGES[@]}"; do
  [[ "$(installed_version "$package")" == "$VERSION" ]] || fail "$package not upgraded"
done
grep -q '^listen_address: 127.0.0.1:0$' /etc/postura/collector.yaml ||
  fail "the upgrade did not keep the edited /etc/postura/collector.yaml"
[[ "$(sha256sum "$AGENT_KEY" "$AGENT_CERTIFICATE")" == "$IDENTITY_SUM" ]] ||
  fail "the upgrade changed the agent's key or certificate"
[[ -d /var/lib/postura/store ]] || fail "the upgrade lost /var/lib/postura/store"

# The one-use enrollment token is spent: the agent must come back on its certificate, and
# the collector with its store.
rm /etc/postura/enrollment.token
start_collector collector-new
wait_for_scores
sed -i "s/^collector_address: .*/collector_address: $GRPC_ADDRESS/" /etc/postura/agent.yaml
start_agent agent-new
for _ in $(seq 150); do
  (($(last_sequence) > SEQUENCE_BEFORE)) && break
  sleep 0.2
done
(($(last_sequence) > SEQUENCE_BEFORE)) ||
  fail "the upgraded agent sent nothing on its certificate: $(tail -n 5 "$WORK/agent-new.log")"
echo "after the upgrade, live outcomes of $ASSET: $(live_outcomes)"
stop "$AGENT_PID"
stop "$COLLECTOR_PID"
PIDS=()

# --- Remove: binaries go, configuration, data and users stay. -------------------------------
step "dpkg --remove"
dpkg --remove "${PACKAGES[@]}" >"$WORK/dpkg-remove.log" 2>&1 ||
  fail "dpkg --remove failed: $(tail -n 5 "$WORK/dpkg-remove.log")"
for binary in postura-collector postura-agent postura; do
  [[ ! -e "/usr/bin/$binary" ]] || fail "/usr/bin/$binary left after remove"
done
[[ -f /etc/postura/collector.yaml && -f /etc/postura/agent.yaml ]] ||
  fail "remove deleted a conffile"
[[ -d /var/lib/postura/store && -d /var/backups/postura && -f "$AGENT_KEY" ]] ||
  fail "remove deleted data"
for name in postura postura-agent; do
  getent passwd "$name" >/dev/null || fail "remove deleted the system user $name"
done

# Installed again after a remove, the packages pick up the kept users, configuration and
# data: the collector serves the same store (the asset is still registered).
step "dpkg -i after remove"
USER_IDS="$(id -u postura) $(id -u postura-agent)"
dpkg -i "$DEB_DIR"/postura-{collector,agent,cli}_"${VERSION}_${ARCH}".deb </dev/null \
  >"$WORK/dpkg-reinstall.log" 2>&1 ||
  fail "installing again failed: $(tail -n 5 "$WORK/dpkg-reinstall.log")"
[[ "$(id -u postura) $(id -u postura-agent)" == "$USER_IDS" ]] ||
  fail "installing again made new users"
start_collector collector-again
postura assets list 2>/dev/null | grep -q "^  $ASSET " ||
  fail "after installing again the collector lost $ASSET: $(postura assets list 2>&1)"
stop "$COLLECTOR_PID"
PIDS=()

# --- Purge: configuration, data and users go. -----------------------------------------------
step "dpkg --purge"
rm -f /etc/postura/ca.crt
dpkg --purge "${PACKAGES[@]}" >"$WORK/dpkg-purge.log" 2>&1 ||
  fail "dpkg --purge failed: $(tail -n 5 "$WORK/dpkg-purge.log")"
for path in /etc/postura /var/lib/postura /var/lib/postura-agent /var/backups/postura; do
  [[ ! -e "$path" ]] || fail "$path left after purge"
done
for name in postura postura-agent; do
  ! getent passwd "$name" >/dev/null || fail "user $name left after purge"
  ! getent group "$name" >/dev/null || fail "group $name left after purge"
done

step "package_install_test: OK"
