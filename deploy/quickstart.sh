#!/usr/bin/env bash
# The quickstart: installs what is needed, builds, and runs Postura's main job on this
# machine: a collector with its embedded store, a sample organisation, three agents (two
# departmental hosts and one supplier host, each checking its own fixture tree so their
# postures differ; the supplier's also runs OpenSCAP), one supplier attestation, one
# evidence campaign (docs/requests.md: answers approved, rejected, and a department's
# request overdue), and live scores in the terminal and in the dashboard. Ctrl-C stops
# everything; running it again reuses the same data.
#
#   deploy/quickstart.sh                  # everything, then the live view until Ctrl-C
#   QUICKSTART_DIR=/tmp/demo deploy/quickstart.sh
#   deploy/quickstart.sh --no-watch       # set up, print the scores once, leave it running
#                                         # until Ctrl-C (for scripts: --check exits)
set -euo pipefail
cd "$(dirname "$0")/.."
readonly ROOT="$PWD"
readonly DIR="${QUICKSTART_DIR:-$ROOT/.quickstart}"
MODE="${1:-watch}"

if [[ "${SKIP_INSTALL:-}" != 1 ]]; then bash deploy/install-deps.sh; fi
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target postura postura-collector postura-agent

readonly BIN="$ROOT/build/bin"
mkdir -p "$DIR"
PIDS=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping agents and collector..."
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped. Data kept in $DIR (delete it to start afresh)."
}
trap stop_all INT TERM EXIT

# --- The collector, on free ports (the ready file gives them back). -----------------------
# Agents prove who they are with their own key and a client certificate from the
# collector's agent CA (mutual TLS); bearer agent credentials are switched off.
cat >"$DIR/collector.yaml" <<EOF
listen_address: 127.0.0.1:0
http_listen_address: 127.0.0.1:0
data_dir: $DIR/collector
agents:
  allow_bearer_credentials: false
EOF
rm -f "$DIR/ready"
"$BIN/postura-collector" --config "$DIR/collector.yaml" --ready-file "$DIR/ready" \
  2>"$DIR/collector.log" &
PIDS+=($!)
for _ in $(seq 100); do [[ -s "$DIR/ready" ]] && break; sleep 0.1; done
[[ -s "$DIR/ready" ]] || { echo "collector did not start; see $DIR/collector.log"; exit 1; }
GRPC_ADDRESS="$(sed -n 1p "$DIR/ready")"
HTTP_ADDRESS="$(sed -n 2p "$DIR/ready")"
# TLS and tokens are on from the start: the collector made a local CA and an admin token
# in its data directory. The CLI pins that CA and uses that token.
export POSTURA_COLLECTOR="$GRPC_ADDRESS"
export POSTURA_CA_FILE="$DIR/collector/tls/ca.crt"
export POSTURA_TOKEN_FILE="$DIR/collector/admin.token"
postura() { "$BIN/postura" "$@"; }
# curl reads the bearer header from an owner-only file, so the token is in no command line.
(umask 077 && printf 'Authorization: Bearer %s\n' "$(cat "$POSTURA_TOKEN_FILE")" >"$DIR/auth-header")
api() { curl -fsS --cacert "$POSTURA_CA_FILE" -H "@$DIR/auth-header" "https://$HTTP_ADDRESS$1"; }

# --- A sample organisation (every call is an idempotent put). -------------------------------
postura tenants put cloudhost --name "CloudHost Ltd (hosting supplier)" --kind supplier >/dev/null
postura departments put services --name "Citizen services" >/dev/null
postura departments put finance --name "Finance" >/dev/null
postura departments put health --name "Public health" >/dev/null
postura assets put web-platform --name "Web hosting platform" --ig IG2 \
  --department services --supplier cloudhost >/dev/null
postura assets put backup-service --name "Off-site backups" --ig IG1 \
  --department services --supplier cloudhost >/dev/null
postura assets put citizen-portal --name "Citizen portal" --ig IG2 --department services \
  --depends-on web-platform --depends-on backup-service >/dev/null
postura assets put erp-db --name "ERP database" --ig IG3 --department finance >/dev/null
postura assets put payroll --name "Payroll" --ig IG3 --department finance \
  --depends-on erp-db >/dev/null
postura assets put vaccination-register --name "Vaccination register" --ig IG2 \
  --department health >/dev/null
postura targets set citizen-portal --target "asset>=0.5" --target "PR>=0.6" >/dev/null
postura targets set payroll --target "asset>=0.7" >/dev/null

# An operator token for the dashboard (read and watch only), made once.
[[ -s "$DIR/operator.token" ]] || postura tokens create api --role operator \
  --name "quickstart dashboard" -o "$DIR/operator.token" >/dev/null

# --- The evidence campaign's people, and a department's request left to go overdue. --------
# Tokens, made once: the hosting supplier's (it answers its own requests), a reviewer (an
# admin who answers nothing: four eyes) and the public-health department's officer.
[[ -s "$DIR/cloudhost.token" ]] || postura tokens create api --role supplier \
  --tenant cloudhost --name "CloudHost compliance" -o "$DIR/cloudhost.token" >/dev/null
[[ -s "$DIR/reviewer.token" ]] || postura tokens create api --role admin \
  --name "quickstart reviewer" -o "$DIR/reviewer.token" >/dev/null
[[ -s "$DIR/health-officer.token" ]] || postura tokens create api --role department \
  --department health --name "Public health officer" -o "$DIR/health-officer.token" >/dev/null
as_supplier() { "$BIN/postura" --token-file "$DIR/cloudhost.token" "$@"; }
as_reviewer() { "$BIN/postura" --token-file "$DIR/reviewer.token" "$@"; }
# Opens a request on the first run only; its id is kept in $DIR/<name>.request.
open_request() {  # name, then the arguments of `postura requests create`
  local file="$DIR/$1.request"
  shift
  if [[ ! -s "$file" ]]; then
    postura requests create "$@" | sed -n 's/^Opened \(REQ-[0-9]*\) .*/\1/p' >"$file.new"
    [[ -s "$file.new" ]] || { echo "quickstart: the request was not opened"; exit 1; }
    mv "$file.new" "$file"
  fi
  cat "$file"
}
# An outcome's state in a request: open, submitted, approved or rejected.
outcome_status() { postura requests show "$1" | awk -v id="$2" '$1 == id { print $2 }'; }
# Due in three seconds, and nobody answers it: it is overdue by the time the agents are up
# (a due date in the past is refused, and there is no back door).
HEALTH_REQUEST="$(open_request health-recovery --title "Recovery plans of public health" \
  --function RC --department health --owner-department health --due 3s)"

# --- Three hosts: their own fixture trees, so their postures differ. ------------------------
# Git keeps no file modes, so each tree is copied and its sensitive files get the modes
# such a host would have (as agent/checks/debian_pack_test.cc does). The finance host is
# hardened, the health host weak, the supplier's host hardened with three settings
# weakened.
prepare_host() {  # name, fixture, modes (600 or 644 for the sensitive files), overlay or ""
  local root="$DIR/hosts/$1" fixture="$2" strict="$3" overlay="$4"
  rm -rf "$root"
  mkdir -p "$DIR/hosts"
  cp -a "$fixture" "$root"
  if [[ -n "$overlay" ]]; then cp -a "$overlay/." "$root/"; fi
  if [[ "$strict" == strict ]]; then
    chmod 0640 "$root/etc/shadow" "$root/etc/gshadow"
    chmod 0600 "$root/etc/ssh/sshd_config" "$root/etc/crontab" "$root/boot/grub/grub.cfg"
    chmod 0440 "$root/etc/sudoers"
    chmod 0700 "$root/etc/cron.d" "$root/etc/cron.daily"
  else
    chmod 0644 "$root/etc/shadow" "$root/etc/gshadow" "$root/etc/ssh/sshd_config" \
      "$root/etc/sudoers" "$root/etc/crontab" "$root/boot/grub/grub.cfg"
    chmod 0755 "$root/etc/cron.d" "$root/etc/cron.daily"
  fi
  echo "$root"
}
readonly FIXTURES="$ROOT/tests/testdata/agent"
FINANCE_ROOT="$(prepare_host finance "$FIXTURES/hardened" strict \
  "$FIXTURES/overlays/hardened-debian")"
HEALTH_ROOT="$(prepare_host health "$FIXTURES/weak" loose "")"
SUPPLIER_ROOT="$(prepare_host cloudhost "$FIXTURES/hardened" strict \
  "$FIXTURES/overlays/hardened-debian")"
sed -i 's/^PasswordAuthentication no/PasswordAuthentication yes/' \
  "$SUPPLIER_ROOT/etc/ssh/sshd_config"
sed -i 's/^PASS_MAX_DAYS.*/PASS_MAX_DAYS 99999/' "$SUPPLIER_ROOT/etc/login.defs"
chmod 0644 "$SUPPLIER_ROOT/etc/shadow"
# The supplier's host still runs Debian 11: the pack flags the release past its support,
# and the SCAP Security Guide's Debian 11 content (ssg-debian) applies to it, so its agent
# runs OpenSCAP too (below).
printf '11.11\n' >"$SUPPLIER_ROOT/etc/debian_version"
printf '%s\n' 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"' 'NAME="Debian GNU/Linux"' \
  'VERSION_ID="11"' 'VERSION="11 (bullseye)"' 'ID=debian' >"$SUPPLIER_ROOT/etc/os-release"
readonly SSG_DEBIAN11=/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml
# The built-in pack, checking every 30 s instead of hourly so the demo moves.
sed 's/^default_interval: .*/default_interval: 30s/' deploy/packs/debian-server.yaml \
  >"$DIR/debian-server-demo.yaml"

start_agent() {  # id, tenant, root, extra config lines, assets...
  local id="$1" tenant="$2" root="$3" extra="$4"
  shift 4
  local assets asset_flags=()
  assets="$(IFS=,; echo "$*")"
  for asset in "$@"; do asset_flags+=(--asset "$asset"); done
  # First run: a one-use enrollment token; the agent makes its own key (agent.key, never
  # sent) and trades the token and a signing request for its client certificate
  # (agent.crt), both kept in its spool directory for later runs and renewed by the agent.
  mkdir -p "$DIR/enroll"
  if [[ ! -s "$DIR/spool/$id/agent.crt" ]]; then
    postura tokens create enrollment --tenant "$tenant" "${asset_flags[@]}" --uses 1 --ttl 10m \
      --name "quickstart $id" -o "$DIR/enroll/$id.token" >/dev/null
  fi
  cat >"$DIR/$id.yaml" <<EOF
agent_id: $id
collector_address: $GRPC_ADDRESS
assets: [$assets]
packs: [$DIR/debian-server-demo.yaml]
root: $root
spool:
  directory: $DIR/spool/$id
ca_file: $POSTURA_CA_FILE
enrollment_token_file: $DIR/enroll/$id.token
$extra
EOF
  "$BIN/postura-agent" --config "$DIR/$id.yaml" 2>"$DIR/$id.log" &
  PIDS+=($!)
}
start_agent finance-host org "$FINANCE_ROOT" "" erp-db payroll
start_agent health-host org "$HEALTH_ROOT" "" vaccination-register citizen-portal
# The supplier's agent also evaluates the SSG standard profile with oscap, hourly, at idle
# priority (docs/openscap.md).
start_agent cloudhost-host cloudhost "$SUPPLIER_ROOT" "openscap:
  - {datastream: $SSG_DEBIAN11, profile: xccdf_org.ssgproject.content_profile_standard,
     interval: 1h, timeout: 5m}" web-platform backup-service

# --- A supplier attestation: what no file on a host can show. -------------------------------
echo "Restore of the citizen-portal database tested on $(date +%F) by CloudHost Ltd." \
  >"$DIR/restore-test-report.txt"
"$BIN/postura-agent" attest --config "$DIR/cloudhost-host.yaml" --asset backup-service \
  --outcome PR_IP_CSC_11_1 --level 67 --note "Quarterly restore test passed" \
  --evidence-file "$DIR/restore-test-report.txt" --expires 90d

# --- The campaign: the supplier answers two outcomes with a document each; the reviewer ---
# approves one (it scores at once) and rejects the other (back to the supplier).
SUPPLIER_REQUEST="$(open_request cloudhost-campaign \
  --title "CloudHost: supply chain and recovery" --supplier cloudhost \
  --owner-supplier cloudhost --due 30d --outcome ID_SC_ID_SC_1 --outcome ID_SC_ID_SC_2 \
  --outcome ID_SC_ID_SC_3 --outcome ID_SC_ID_SC_4 --outcome ID_SC_ID_SC_5 \
  --outcome RC_RP_RC_RP_1 --outcome RC_IM_RC_IM_1 --outcome RC_IM_RC_IM_2 \
  --outcome RC_CO_RC_CO_1 --outcome RC_CO_RC_CO_2 --outcome RC_CO_RC_CO_3)"
mkdir -p "$DIR/campaign"
printf '%s\n' "CloudHost Ltd - supplier risk management policy, version 3" \
  "Every sub-processor is assessed before contract and yearly after; the assessments" \
  "are kept for five years. Signed by the CISO." >"$DIR/campaign/supplier-policy.txt"
printf '%s\n' "CloudHost Ltd - recovery plan, draft" \
  "Backups are restored from the off-site copy by the on-call engineer." \
  >"$DIR/campaign/recovery-plan.txt"
answer_and_review() {  # outcome, level, statement, document, --approve|--reject, comment
  if [[ "$(outcome_status "$SUPPLIER_REQUEST" "$1")" == open ]]; then
    as_supplier evidence submit "$SUPPLIER_REQUEST" --outcome "$1" --level "$2" \
      --statement "$3" --attach "$4" >/dev/null
  fi
  if [[ "$(outcome_status "$SUPPLIER_REQUEST" "$1")" == submitted ]]; then
    as_reviewer evidence review "$SUPPLIER_REQUEST" --outcome "$1" "$5" --comment "$6" >/dev/null
  fi
}
answer_and_review ID_SC_ID_SC_2 0.67 "Sub-processors are assessed under policy v3." \
  "$DIR/campaign/supplier-policy.txt" --approve "Signed policy seen."
answer_and_review RC_RP_RC_RP_1 1 "The recovery plan is in force." \
  "$DIR/campaign/recovery-plan.txt" --reject "A draft with no recovery time objective: add it."

cat <<EOF

Postura is running, TLS on both listeners (local CA: $POSTURA_CA_FILE).
  Dashboard:   https://$HTTP_ADDRESS/#token=$(cat "$DIR/operator.token")
               (an operator token; the browser warns about the local CA until you trust it)
  Requests:    $SUPPLIER_REQUEST (CloudHost: one answer approved, one rejected) and
               $HEALTH_REQUEST (public health: open, overdue); \`postura requests list --all\`
               The health officer's view: https://$HTTP_ADDRESS/#token=$(cat "$DIR/health-officer.token")
  HTTP API:    https://$HTTP_ADDRESS/api/v1/organization   (metrics: /metrics)
  CLI:         export POSTURA_COLLECTOR=$GRPC_ADDRESS POSTURA_CA_FILE=$POSTURA_CA_FILE \\
                      POSTURA_TOKEN_FILE=$POSTURA_TOKEN_FILE; build/bin/postura --help
  Logs, data:  $DIR
EOF

# The agents' first checks run at start: wait until every asset has live evidence.
without_evidence() { api /api/v1/assets | grep -Eq '"outcomesLive": ?0[,}]'; }
for _ in $(seq 100); do
  without_evidence || break
  sleep 0.2
done
postura score --org

# For --check: the campaign's states, through the CLI.
check_campaign() {
  local supplier health score
  supplier="$(postura requests show "$SUPPLIER_REQUEST")"
  [[ "$supplier" == *'": open, for supplier cloudhost'* ]] ||
    { echo "quickstart check: the supplier's request is not open"; exit 1; }
  [[ "$(outcome_status "$SUPPLIER_REQUEST" ID_SC_ID_SC_2)" == approved &&
    "$(outcome_status "$SUPPLIER_REQUEST" RC_RP_RC_RP_1)" == rejected ]] ||
    { echo "quickstart check: the campaign has no approved and rejected answer"; exit 1; }
  # The approved level scores on the supplier's assets, decided by the review.
  score="$(postura score backup-service --outcomes)"
  [[ "$(awk '$1 == "ID_SC_ID_SC_2" { print $2, $3, $4 }' <<<"$score")" == \
    "0.67 live requests:review" ]] ||
    { echo "quickstart check: the approved answer does not show in the asset's score"; exit 1; }
  for _ in $(seq 50); do
    health="$(postura requests show "$HEALTH_REQUEST")"
    [[ "$health" == *'(overdue)'* ]] && break
    sleep 0.2
  done
  [[ "$health" == *'": open, for department health'*'(overdue)'* ]] ||
    { echo "quickstart check: the department's request is not open and overdue"; exit 1; }
  # Its officer sees it, and not the supplier's.
  [[ "$("$BIN/postura" --token-file "$DIR/health-officer.token" requests list)" == \
    *"$HEALTH_REQUEST"* ]] ||
    { echo "quickstart check: the health officer does not see its request"; exit 1; }
  ! "$BIN/postura" --token-file "$DIR/health-officer.token" requests show \
    "$SUPPLIER_REQUEST" >/dev/null 2>&1 ||
    { echo "quickstart check: the health officer sees the supplier's request"; exit 1; }
}

# For --check: every item the agents sent (the supplier's attestation among them) proves,
# offline and against the agent CA's own certificate, that it came unchanged from its agent;
# the answers people gave through requests are unsigned. A copy of the proof with the
# attestation's level raised fails with exit status 5, naming the item.
check_signed_evidence() {
  local ca="$DIR/collector/agent-ca/agent-ca.crt" proof="$DIR/evidence-proof.json"
  postura evidence verify --org --ca "$ca" --save "$proof" --format json >"$DIR/verify.json" ||
    { echo "quickstart check: evidence verify failed on the quickstart's store:"
      cat "$DIR/verify.json"; exit 1; }
  python3 - "$DIR/verify.json" "$proof" "$DIR/evidence-proof-tampered.json" <<'PY' ||
import json, sys
report, proof = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert report["failed"] == 0 and report["verified"] >= 40, report
attested = [i for i in proof["items"] if i["evidence"].get("kind") == "ATTESTED"
            and i["agentId"] == "cloudhost-host"]
assert attested, "no attestation of the supplier's agent in the proof"
unsigned = {(f["agentId"], f["sequence"]) for f in report["findings"]}
assert all((i["agentId"], i["sequence"]) not in unsigned for i in attested), "attestation unsigned"
attested[0]["evidence"]["level"] = "DLI_100"
json.dump(proof, open(sys.argv[3], "w"))
PY
    { echo "quickstart check: the agents' evidence does not all verify"; exit 1; }
  local status=0
  postura evidence verify --proof "$DIR/evidence-proof-tampered.json" --ca "$ca" \
    >"$DIR/verify-tampered.log" || status=$?
  [[ "$status" == 5 ]] && grep -q '^FAILED backup-service PR_IP_CSC_11_1' "$DIR/verify-tampered.log" ||
    { echo "quickstart check: a tampered item is not caught (exit $status):"
      cat "$DIR/verify-tampered.log"; exit 1; }
}

if [[ "$MODE" == "--check" ]]; then
  # For CI: six assets, each with live evidence, and the dashboard served.
  without_evidence && { echo "quickstart check: an asset has no live evidence"; exit 1; }
  # The supplier's host also reports through OpenSCAP (PR.AC-4 is among its rules' outcomes).
  # The output is read whole first: `| grep -q` would stop reading at the first match and,
  # under pipefail, fail the pipeline when postura's write meets the closed pipe.
  has_openscap_evidence() {
    local records
    records="$(postura evidence web-platform PR_AC_PR_AC_4 --format json 2>/dev/null || true)"
    [[ "$records" == *'"openscap:xccdf_org.ssgproject.content_profile_standard"'* ]]
  }
  for _ in $(seq 100); do
    has_openscap_evidence && break
    sleep 0.2
  done
  has_openscap_evidence ||
    { echo "quickstart check: no OpenSCAP evidence from the supplier's host"; exit 1; }
  [[ "$(api /api/v1/organization)" == *'"assetCount": 6'* ||
    "$(api /api/v1/organization)" == *'"assetCount":6'* ]] ||
    { echo "quickstart check: the organisation does not have its six assets"; exit 1; }
  check_campaign
  # In the auditors' language: the organisation's OSCAL assessment results validate
  # against NIST's schema and their control ids resolve in the ULEO catalog (docs/oscal.md).
  postura export oscal --org -o "$DIR/oscal-results.json" >/dev/null
  postura export oscal-catalog -o "$DIR/oscal-catalog.json" >/dev/null
  postura export oscal-catalog --profile IG1 -o "$DIR/oscal-profile-ig1.json" >/dev/null
  python3 tests/check_oscal_schema.py \
    tests/testdata/oscal/oscal_assessment-results_schema-1.1.2.json "$DIR/oscal-catalog.json" \
    "$DIR/oscal-profile-ig1.json" "$DIR/oscal-results.json" >"$DIR/oscal-check.log" 2>&1 ||
    { echo "quickstart check: the organisation's OSCAL export does not validate:"
      cat "$DIR/oscal-check.log"; exit 1; }
  curl -fsS --cacert "$POSTURA_CA_FILE" "https://$HTTP_ADDRESS/" >/dev/null 2>&1 ||
    { echo "quickstart check: the dashboard is not served over HTTPS"; exit 1; }
  curl -sS -o /dev/null -w '%{http_code}' --cacert "$POSTURA_CA_FILE" \
    "https://$HTTP_ADDRESS/api/v1/organization" | grep -q 401 ||
    { echo "quickstart check: the API answers without a token"; exit 1; }
  # Every agent reports with its own key and certificate (mutual TLS), and holds no bearer
  # credential; its key is owner-only, and the collector lists the certificates it issued.
  for id in finance-host health-host cloudhost-host; do
    [[ -s "$DIR/spool/$id/agent.crt" && ! -e "$DIR/spool/$id/credential" &&
      "$(stat -c %a "$DIR/spool/$id/agent.key")" == 600 ]] ||
      { echo "quickstart check: agent $id has no owner-only key and certificate"; exit 1; }
    ! grep -qF -- "$(sed -n 2p "$DIR/spool/$id/agent.key")" "$DIR"/*.log ||
      { echo "quickstart check: agent $id's private key is in a log"; exit 1; }
  done
  [[ "$(postura tokens list | grep -c ' certificate ')" -ge 3 ]] ||
    { echo "quickstart check: the collector lists no certificates for the agents"; exit 1; }
  check_signed_evidence
  # Nothing secret is logged: the secret part of no token appears in any log.
  for token_file in "$POSTURA_TOKEN_FILE" "$DIR"/*.token; do
    secret="$(cut -d. -f3 "$token_file")"
    [[ -n "$secret" ]] && ! grep -qF -- "$secret" "$DIR"/*.log ||
      { echo "quickstart check: a token's secret is in a log"; exit 1; }
  done
  echo "quickstart check: OK"
  exit 0
fi
if [[ "$MODE" == "--no-watch" ]]; then
  echo "Press Ctrl-C to stop."
  wait
else
  echo "Live view (Ctrl-C stops everything):"
  postura watch || true
fi
