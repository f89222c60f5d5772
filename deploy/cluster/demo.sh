#!/usr/bin/env bash
# Cluster mode on one machine (issue 20, docs/scale.md): a three-node NATS JetStream
# cluster, three collectors sharing one replicated ingest stream (replicas: 3), and three
# agents, each reporting to a different collector. Every collector applies the whole
# stream to its own store, so each shows every agent's evidence and the same scores.
# Everything listens on 127.0.0.1 only. Ctrl-C stops everything.
#
#   deploy/cluster/demo.sh            # set up, print each collector's scores, run until Ctrl-C
#   deploy/cluster/demo.sh --check    # for CI: exit 0 once all three agree, else 1
#   CLUSTER_DIR=/tmp/cluster deploy/cluster/demo.sh
#
# Not shown here, because it is not built yet (docs/scale.md): registry changes through
# the log (the demo registers the organisation on each collector), agents failing over
# between collectors, the sector collector.
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
start_collector() {  # n
  local n="$1" dir="$DIR/collector-$1"
  mkdir -p "$dir"
  cat >"$dir/collector.yaml" <<EOF
listen_address: 127.0.0.1:0
http_listen_address: 127.0.0.1:0
data_dir: $dir/data
cluster:
  nats_servers: [$NATS_URLS]
  node: collector-$n
  replicas: 3
EOF
  for _ in $(seq 30); do
    rm -f "$dir/ready"
    "$BIN/postura-collector" --config "$dir/collector.yaml" --ready-file "$dir/ready" \
      2>>"$dir/collector.log" &
    local pid=$!
    for _ in $(seq 50); do
      [[ -s "$dir/ready" ]] && { PIDS+=("$pid"); return 0; }
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    sleep 1
  done
  echo "collector-$n did not start; see $dir/collector.log"
  exit 1
}
for n in 1 2 3; do start_collector "$n"; done

# The CLI against collector n: its address, its local CA, its first admin token.
on() {  # n, then the CLI's arguments
  local dir="$DIR/collector-$1"
  shift
  POSTURA_COLLECTOR="$(sed -n 1p "$dir/ready")" POSTURA_CA_FILE="$dir/data/tls/ca.crt" \
    POSTURA_TOKEN_FILE="$dir/data/admin.token" "$BIN/postura" "$@"
}

# --- The organisation, registered on each collector (the registry is not replicated). ---
readonly ASSETS=(erp-db vaccination-register web-platform)
for n in 1 2 3; do
  on "$n" departments put finance --name "Finance" >/dev/null
  on "$n" departments put health --name "Public health" >/dev/null
  on "$n" assets put erp-db --name "ERP database" --ig IG3 --department finance >/dev/null
  on "$n" assets put vaccination-register --name "Vaccination register" --ig IG2 \
    --department health >/dev/null
  on "$n" assets put web-platform --name "Web platform" --ig IG2 --department health >/dev/null
done

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
sed 's/^default_interval: .*/default_interval: 30s/' deploy/packs/debian-server.yaml \
  >"$DIR/debian-server-demo.yaml"
start_agent() {  # id, collector n, host root, asset
  local id="$1" n="$2" root="$3" asset="$4" dir="$DIR/collector-$2"
  mkdir -p "$DIR/enroll"
  on "$n" tokens create enrollment --tenant org --asset "$asset" --uses 1 --ttl 10m \
    --name "cluster demo $id" -o "$DIR/enroll/$id.token" >/dev/null
  cat >"$DIR/$id.yaml" <<EOF
agent_id: $id
collector_address: $(sed -n 1p "$dir/ready")
assets: [$asset]
packs: [$DIR/debian-server-demo.yaml]
root: $root
spool:
  directory: $DIR/spool/$id
ca_file: $dir/data/tls/ca.crt
enrollment_token_file: $DIR/enroll/$id.token
EOF
  "$BIN/postura-agent" --config "$DIR/$id.yaml" 2>"$DIR/$id.log" &
  PIDS+=($!)
}
start_agent finance-host 1 "$(prepare_host finance "$FIXTURES/hardened" strict)" erp-db
start_agent health-host 2 "$(prepare_host health "$FIXTURES/weak" loose)" vaccination-register
start_agent web-host 3 "$(prepare_host web "$FIXTURES/hardened" loose)" web-platform

# --- Every collector shows every agent's evidence, and the same scores. -----------------
# Each asset's scores as collector n shows them (value, coverage, functions), without the
# line that says how long ago the newest evidence came, which moves as time passes.
scores_on() {  # n
  local asset
  for asset in "${ASSETS[@]}"; do on "$1" score "$asset" 2>&1 | grep -v 'Newest evidence'; done
}
all_live_and_equal() {
  local first
  first="$(scores_on 1)" || return 1
  # Every asset has live evidence: no coverage line says " 0 live,".
  [[ "$first" == *" live,"* && "$first" != *" 0 live,"* ]] || return 1
  [[ "$(scores_on 2)" == "$first" && "$(scores_on 3)" == "$first" ]]
}
agreed=0
for _ in $(seq 120); do
  if all_live_and_equal; then
    agreed=1
    break
  fi
  sleep 0.5
done
for n in 1 2 3; do
  echo "=== collector-$n ($(sed -n 1p "$DIR/collector-$n/ready")) ==="
  # Read whole first: `| head` would close the pipe on the CLI, failing under pipefail.
  org="$(on "$n" score --org)"
  head -5 <<<"$org"
done

if [[ "$MODE" == "--check" ]]; then
  if [[ "$agreed" != 1 ]]; then
    echo "cluster check: the collectors do not show the same live scores; diff of 1 and 2:"
    diff <(scores_on 1) <(scores_on 2) | head -40 || true
    exit 1
  fi
  # Each collector says on /metrics how far it applied the log, and that it applied some.
  for n in 1 2 3; do
    dir="$DIR/collector-$n"
    (umask 077 && printf 'Authorization: Bearer %s\n' "$(cat "$dir/data/admin.token")" \
      >"$dir/auth-header")
    metrics="$(curl -fsS --cacert "$dir/data/tls/ca.crt" -H "@$dir/auth-header" \
      "https://$(sed -n 2p "$dir/ready")/metrics")"
    grep -Eq '^postura_replication_applied_total [1-9]' <<<"$metrics" ||
      { echo "cluster check: collector-$n's /metrics shows no applied log messages"; exit 1; }
    grep -E '^postura_replication_(log_position|applied_total) ' <<<"$metrics" |
      sed "s/^/collector-$n: /"
  done
  echo "cluster check: three collectors, each with every agent's evidence and the same scores"
  exit 0
fi
[[ "$agreed" == 1 ]] || echo "(the collectors do not agree yet; see the logs in $DIR)"
echo "Running: three NATS nodes ($NATS_URLS), three collectors, three agents. Ctrl-C stops."
wait
