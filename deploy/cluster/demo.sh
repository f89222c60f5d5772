#!/usr/bin/env bash
# Beyond one machine on one machine (issue 20, docs/scale.md): a three-node NATS JetStream
# cluster; organisation "demo-org" on three collectors sharing one replicated ingest
# stream (replicas: 3), with three agents, each reporting to a different collector and
# listing the other two to fail over to; a second organisation, "water-utility", on a
# collector of its own with one agent; and a sector collector. Every cluster collector
# applies the whole stream to its own store, so each shows every agent's evidence and the
# same scores. Both organisations publish their asset summaries, signed with their own
# keys, to the sector's stream; the sector collector shows both. Everything listens on
# 127.0.0.1 only. Ctrl-C stops everything. With --check, collector-1 is killed at the end
# and its agent's next evidence must reach the other two through another collector.
#
#   deploy/cluster/demo.sh            # set up, print the scores, run until Ctrl-C
#   deploy/cluster/demo.sh --check    # for CI: exit 0 once all agree, else 1
#   CLUSTER_DIR=/tmp/cluster deploy/cluster/demo.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
readonly ROOT="$PWD"
readonly DIR="${CLUSTER_DIR:-$ROOT/.cluster-demo}"
readonly MODE="${1:-run}"

if [[ "${SKIP_INSTALL:-}" != 1 ]]; then bash deploy/install-deps.sh; fi
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target postura postura-collector postura-agent

readonly BIN="$ROOT/build/bin"
readonly NATS_SERVER=/usr/sbin/nats-server
# A fresh start each time: a stream's replicas and the collectors' positions in it belong
# together.
rm -rf "$DIR"
mkdir -p "$DIR"
PIDS=()
stop_all() {
  trap - INT TERM EXIT
  echo "Stopping agents, collectors and NATS..."
  # Newest first: agents, then collectors, then the NATS servers they write to.
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill -TERM "${PIDS[$i]}" 2>/dev/null || true
    wait "${PIDS[$i]}" 2>/dev/null || true
  done
  echo "Stopped. Logs and data in $DIR."
}
trap stop_all INT TERM EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- Three NATS servers with JetStream, routed to each other. ----------------------------
CLIENT_PORTS=() ROUTE_PORTS=()
for n in 1 2 3; do
  CLIENT_PORTS+=("$(free_port)")
  ROUTE_PORTS+=("$(free_port)")
done
ROUTES="$(printf 'nats://127.0.0.1:%s,' "${ROUTE_PORTS[@]}")"
ROUTES="${ROUTES%,}"
NATS_URLS=""
for n in 1 2 3; do
  i=$((n - 1))
  mkdir -p "$DIR/nats-$n"
  "$NATS_SERVER" --jetstream --store_dir "$DIR/nats-$n/jetstream" --server_name "nats-$n" \
    --addr 127.0.0.1 --port "${CLIENT_PORTS[$i]}" --cluster_name postura-demo \
    --cluster "nats://127.0.0.1:${ROUTE_PORTS[$i]}" --routes "$ROUTES" \
    >"$DIR/nats-$n/nats-server.log" 2>&1 &
  PIDS+=($!)
  NATS_URLS+="nats://127.0.0.1:${CLIENT_PORTS[$i]}, "
done
NATS_URLS="${NATS_URLS%, }"

# --- Three collectors in cluster mode. ----------------------------------------------------
# JetStream takes a replicated stream only once the NATS cluster has elected its leader;
# until then a collector refuses to start ("temporarily unavailable"), so each is started
# again until it comes up.
start_collector() {  # name, then the config's sections after data_dir
  local name="$1" dir="$DIR/$1"
  mkdir -p "$dir"
  printf 'listen_address: 127.0.0.1:0\nhttp_listen_address: 127.0.0.1:0\ndata_dir: %s\n%s\n' \
    "$dir/data" "$2" >"$dir/collector.yaml"
  for _ in $(seq 30); do
    rm -f "$dir/ready"
    "$BIN/postura-collector" --config "$dir/collector.yaml" --ready-file "$dir/ready" \
      2>>"$dir/collector.log" &
    local pid=$!
    for _ in $(seq 150); do
      [[ -s "$dir/ready" ]] && { PIDS+=("$pid"); echo "$pid" >"$dir/pid"; return 0; }
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    sleep 1
  done
  echo "$name did not start; see $dir/collector.log"
  exit 1
}
# The cluster's collectors share their local CA (so its agents trust each of them) and
# their agent CA (so each takes the certificates the others issued), as docs/scale.md
# tells an operator to; the credentials themselves travel through the log.
readonly CLUSTER_TLS="$DIR/demo-org-tls" CLUSTER_AGENT_CA="$DIR/demo-org-agent-ca"
cluster_section() {  # n
  printf 'cluster:\n  nats_servers: [%s]\n  node: collector-%s\n  replicas: 3\n' "$NATS_URLS" "$1"
  printf 'tls:\n  local_ca_dir: %s\nagents:\n  ca_dir: %s\n' "$CLUSTER_TLS" "$CLUSTER_AGENT_CA"
}
# The CA a collector's clients pin.
ca_of() {  # collector-N, water or sector
  if [[ "$1" == collector-* ]]; then echo "$CLUSTER_TLS/ca.crt"; else echo "$DIR/$1/data/tls/ca.crt"; fi
}
# Publishing to the sector's stream as organisation $1, with its key.
publish_section() {  # organisation
  printf 'sector_publish:\n  nats_servers: [%s]\n  organisation_id: %s\n  key_file: %s\n' \
    "$NATS_URLS" "$1" "$DIR/keys/$1.key"
  printf '  interval: 2s\n  replicas: 3\n'
}
# Each organisation's key, made as an operator makes it; the sector gets the public half.
mkdir -p "$DIR/keys"
for organisation in demo-org water-utility; do
  (umask 077 && openssl ecparam -name prime256v1 -genkey -noout \
    -out "$DIR/keys/$organisation.key" 2>/dev/null)
  openssl ec -in "$DIR/keys/$organisation.key" -pubout -out "$DIR/keys/$organisation.pub" \
    2>/dev/null
done
# Collector 1 publishes the organisation's summaries (one publisher per organisation).
start_collector collector-1 "$(cluster_section 1)
$(publish_section demo-org)"
for n in 2 3; do start_collector "collector-$n" "$(cluster_section "$n")"; done
start_collector water "$(publish_section water-utility)"
start_collector sector "sector:
  nats_servers: [$NATS_URLS]
  replicas: 3
  members:
    - {organisation_id: demo-org, public_key_file: $DIR/keys/demo-org.pub}
    - {organisation_id: water-utility, public_key_file: $DIR/keys/water-utility.pub}"

# The CLI against a collector: its address, its local CA, its first admin token.
on() {  # collector-N, water or sector, then the CLI's arguments
  local name="$1" dir="$DIR/$1"
  shift
  POSTURA_COLLECTOR="$(sed -n 1p "$dir/ready")" POSTURA_CA_FILE="$(ca_of "$name")" \
    POSTURA_TOKEN_FILE="$dir/data/admin.token" "$BIN/postura" "$@"
}

# --- The organisation, registered once: every collector applies it from the log. --------
readonly ASSETS=(erp-db vaccination-register web-platform)
on collector-1 departments put finance --name "Finance" >/dev/null
on collector-1 departments put health --name "Public health" >/dev/null
on collector-1 assets put erp-db --name "ERP database" --ig IG3 --department finance >/dev/null
on collector-1 assets put vaccination-register --name "Vaccination register" --ig IG2 \
  --department health >/dev/null
on collector-1 assets put web-platform --name "Web platform" --ig IG2 --department health \
  >/dev/null
for n in 2 3; do  # Applied there within moments; enrollment there names the assets.
  for _ in $(seq 100); do
    on "collector-$n" assets list 2>/dev/null | grep -q web-platform && break
    sleep 0.1
  done
done
on water assets put scada-gateway --name "SCADA gateway" --ig IG3 >/dev/null

# --- Three agents on the quickstart's fixture hosts, each reporting to its own collector. -
readonly FIXTURES="$ROOT/tests/testdata/agent"
prepare_host() {  # name, fixture, strict|loose
  local root="$DIR/hosts/$1"
  mkdir -p "$DIR/hosts"
  cp -a "$2" "$root"
  if [[ "$3" == strict ]]; then
    chmod 0640 "$root/etc/shadow" "$root/etc/gshadow"
    chmod 0600 "$root/etc/ssh/sshd_config" "$root/etc/crontab" "$root/boot/grub/grub.cfg"
    chmod 0440 "$root/etc/sudoers"
  else
    chmod 0644 "$root/etc/shadow" "$root/etc/gshadow" "$root/etc/ssh/sshd_config" \
      "$root/etc/sudoers" "$root/etc/crontab" "$root/boot/grub/grub.cfg"
  fi
  echo "$root"
}
sed 's/^default_interval: .*/default_interval: 10s/' deploy/packs/debian-server.yaml \
  >"$DIR/debian-server-demo.yaml"
# Its own collector first, then (in the cluster) the other two.
collector_addresses() {  # collector-N or water
  local addresses other
  addresses="$(sed -n 1p "$DIR/$1/ready")"
  if [[ "$1" == collector-* ]]; then
    for other in collector-1 collector-2 collector-3; do
      [[ "$other" == "$1" ]] || addresses+=", $(sed -n 1p "$DIR/$other/ready")"
    done
  fi
  echo "$addresses"
}
start_agent() {  # id, collector (collector-N or water), host root, asset
  local id="$1" n="$2" root="$3" asset="$4"
  mkdir -p "$DIR/enroll"
  on "$n" tokens create enrollment --tenant org --asset "$asset" --uses 1 --ttl 10m \
    --name "cluster demo $id" -o "$DIR/enroll/$id.token" >/dev/null
  cat >"$DIR/$id.yaml" <<EOF
agent_id: $id
collector_addresses: [$(collector_addresses "$n")]
assets: [$asset]
packs: [$DIR/debian-server-demo.yaml]
root: $root
spool:
  directory: $DIR/spool/$id
ca_file: $(ca_of "$n")
enrollment_token_file: $DIR/enroll/$id.token
EOF
  "$BIN/postura-agent" --config "$DIR/$id.yaml" 2>"$DIR/$id.log" &
  PIDS+=($!)
}
start_agent finance-host collector-1 "$(prepare_host finance "$FIXTURES/hardened" strict)" erp-db
start_agent health-host collector-2 "$(prepare_host health "$FIXTURES/weak" loose)" \
  vaccination-register
start_agent web-host collector-3 "$(prepare_host web "$FIXTURES/hardened" loose)" web-platform
start_agent scada-host water "$(prepare_host scada "$FIXTURES/weak" strict)" scada-gateway

# --- Every collector shows every agent's evidence, and the same scores. -----------------
# Each asset's scores as collector n shows them (value, coverage, functions), without the
# line that says how long ago the newest evidence came, which moves as time passes.
scores_on() {  # n
  local asset
  for asset in "${ASSETS[@]}"; do
    on "collector-$1" score "$asset" 2>&1 | grep -v 'Newest evidence'
  done
}
all_live_and_equal() {
  local first
  first="$(scores_on 1)" || return 1
  # Every asset has live evidence: no coverage line says " 0 live,".
  [[ "$first" == *" live,"* && "$first" != *" 0 live,"* ]] || return 1
  [[ "$(scores_on 2)" == "$first" && "$(scores_on 3)" == "$first" ]]
}
# GET `path` of a collector's HTTPS API with its admin token.
api() {  # collector, path
  local dir="$DIR/$1"
  [[ -f "$dir/auth-header" ]] || (umask 077 &&
    printf 'Authorization: Bearer %s\n' "$(cat "$dir/data/admin.token")" >"$dir/auth-header")
  curl -fsS --cacert "$(ca_of "$1")" -H "@$dir/auth-header" \
    "https://$(sed -n 2p "$dir/ready")$2"
}
# Whether the sector shows each organisation with the asset count and index its own
# collector answers, and the water utility's asset with live evidence.
sector_agrees() {
  python3 - "$(api sector /api/v1/sector)" "$(api collector-1 /api/v1/organization)" \
    "$(api water /api/v1/organization)" "$(on water score scada-gateway 2>&1)" <<'PY'
import json, sys
sector = {o["organisationId"]: o for o in json.loads(sys.argv[1]).get("organisations", [])}
for name, text in (("demo-org", sys.argv[2]), ("water-utility", sys.argv[3])):
    own, seen = json.loads(text), sector.get(name)
    if seen is None or seen["assetCount"] != own["assetCount"] or abs(seen["index"] - own["index"]) > 1e-9:
        sys.exit(1)
sys.exit(0 if " 0 live," not in sys.argv[4] else 1)
PY
}
agreed=0 sector_agreed=0
for _ in $(seq 120); do
  if [[ "$agreed" == 0 ]] && all_live_and_equal; then agreed=1; fi
  if [[ "$agreed" == 1 ]] && sector_agrees 2>/dev/null; then
    sector_agreed=1
    break
  fi
  sleep 0.5
done
for n in 1 2 3; do
  echo "=== collector-$n ($(sed -n 1p "$DIR/collector-$n/ready")) ==="
  # Read whole first: `| head` would close the pipe on the CLI, failing under pipefail.
  org="$(on "collector-$n" score --org)"
  head -5 <<<"$org"
done
echo "=== sector ($(sed -n 2p "$DIR/sector/ready")): index, and each organisation's ==="
api sector /api/v1/sector | python3 -c '
import json, sys
overview = json.load(sys.stdin)
print("sector index %.3f" % overview.get("index", 0))
for o in overview.get("organisations", []):
    print("  %-14s %d assets, index %.3f, coverage %.2f" % (o["organisationId"], o["assetCount"], o["index"], o["coverage"]))
print("feed: %s applied, %s refused" % (overview["feed"]["applied"], overview["feed"]["refused"]))'


if [[ "$MODE" == "--check" ]]; then
  if [[ "$agreed" != 1 ]]; then
    echo "cluster check: the collectors do not show the same live scores; diff of 1 and 2:"
    diff <(scores_on 1) <(scores_on 2) | head -40 || true
    exit 1
  fi
  if [[ "$sector_agreed" != 1 ]]; then
    echo "cluster check: the sector does not show both organisations as their collectors do"
    api sector /api/v1/sector | head -c 2000 || true
    exit 1
  fi
  # The water utility, with its own token at the sector, reads its own standing, which
  # names no other organisation, and nothing of the others'.
  on sector tenants put water-utility --name "Water utility" >/dev/null
  on sector tokens create api --role supplier --tenant water-utility --name "water at the sector" \
    -o "$DIR/keys/water-at-sector.token" >/dev/null
  as_water() {  # path: the HTTP status, then the body
    local header="$DIR/keys/water-at-sector.header"
    [[ -f "$header" ]] || (umask 077 &&
      printf 'Authorization: Bearer %s\n' "$(cat "$DIR/keys/water-at-sector.token")" >"$header")
    curl -sS --cacert "$DIR/sector/data/tls/ca.crt" -H "@$header" -w '\n%{http_code}' \
      "https://$(sed -n 2p "$DIR/sector/ready")$1"
  }
  own="$(as_water /api/v1/sector/organisations/water-utility)"
  [[ "$(tail -1 <<<"$own")" == 200 && "$own" != *demo-org* ]] ||
    { echo "sector check: the water utility cannot read its own standing: $own"; exit 1; }
  [[ "$(as_water /api/v1/sector/organisations/demo-org | tail -1)" == 404 ]] ||
    { echo "sector check: the water utility reads demo-org's standing"; exit 1; }
  [[ "$(as_water /api/v1/sector | tail -1)" == 403 ]] ||
    { echo "sector check: the water utility reads the sector's overview"; exit 1; }
  echo "sector check: the water utility reads its own standing only"
  # Each collector says on /metrics how far it applied the log, and that it applied some.
  for n in 1 2 3; do
    metrics="$(api "collector-$n" /metrics)"
    grep -Eq '^postura_replication_applied_total [1-9]' <<<"$metrics" ||
      { echo "cluster check: collector-$n's /metrics shows no applied log messages"; exit 1; }
    grep -E '^postura_replication_(log_position|applied_total) ' <<<"$metrics" |
      sed "s/^/collector-$n: /"
  done
  echo "cluster check: three collectors, each with every agent's evidence and the same scores;"
  echo "the sector shows both organisations as their own collectors do"
  # Failover: collector-1 is killed; its agent, finance-host, moves to the next collector
  # it lists, whose log carries its next evidence to collector-3 as well.
  stored_at() {  # collector-N: finance-host's last stored sequence there (agents list)
    on "$1" agents list | awk '$1 == "finance-host" { print $3; found = 1 } END { if (!found) print 0 }'
  }
  before=0
  for n in 1 2 3; do
    stored="$(stored_at "collector-$n")"
    if ((stored > before)); then before="$stored"; fi
  done
  killed="$(cat "$DIR/collector-1/pid")"
  kill -KILL "$killed"
  wait "$killed" 2>/dev/null || true
  moved=0
  for _ in $(seq 90); do
    if (($(stored_at collector-3) > before && $(stored_at collector-2) > before)) &&
      grep -q "reporting to collector .* next" "$DIR/finance-host.log"; then
      moved=1
      break
    fi
    sleep 0.5
  done
  if [[ "$moved" != 1 ]]; then
    echo "cluster check: with collector-1 killed, finance-host's evidence stopped at batch $before"
    tail -5 "$DIR/finance-host.log"
    exit 1
  fi
  echo "cluster check: collector-1 killed; finance-host reports on through another collector" \
    "(batch $before, now $(stored_at collector-3) at collector-3)"
  exit 0
fi
[[ "$agreed" == 1 ]] || echo "(the collectors do not agree yet; see the logs in $DIR)"
[[ "$sector_agreed" == 1 ]] || echo "(the sector does not show both organisations yet)"
echo "Running: three NATS nodes ($NATS_URLS), five collectors (three of demo-org's cluster,"
echo "water-utility's, the sector's), four agents. Ctrl-C stops."
wait
