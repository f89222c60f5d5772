#!/usr/bin/env bash
# Fails when an #include crosses the layering the wrong way (docs/architecture.md): each
# room may include only itself and the rooms below it. Runs in a second over the tree.
#
#   tests/check_layering.sh [REPO_ROOT]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

# Room -> the rooms its code may include (besides itself). Rooms are directories; a file
# belongs to the deepest room that contains it. "common" means every room of common/.
declare -A allowed=(
  [common/base]=""
  [common/model]="common/base"
  [common/config]="common/base"
  [common/fleco]="common/base common/model"
  [common/planner]="common/base common/model"
  [common/transport]="common/base common/model"
  [common/crosswalk]="common/base common/model"
  [collector/store]="common"
  [collector/history]="common collector/store"
  [collector/registry]="common collector/store"
  [collector/access]="common collector/store collector/registry"
  [collector/scoring]="common collector/store collector/history collector/registry"
  [collector/ingest]="common collector/store collector/registry collector/access"
  [collector/alerting]="common collector/store collector/registry collector/scoring"
  [collector/requests]="common collector/store collector/registry"
  [collector/replication]="common collector/store collector/registry collector/access collector/ingest"
  [collector/sector]="common collector/store collector/history collector/registry collector/access collector/scoring collector/ingest collector/replication"
  [collector/api]="common collector/store collector/history collector/registry collector/access collector/scoring collector/ingest collector/alerting collector/requests collector/replication collector/sector"
  [collector]="common collector/store collector/history collector/registry collector/access collector/scoring collector/ingest collector/alerting collector/requests collector/replication collector/sector collector/api"
  [agent/config]="common"
  [agent/checks]="common"
  [agent/checks/openscap]="common"
  [agent/delivery]="common agent/config"
  [agent]="common agent/config agent/checks agent/checks/openscap agent/delivery"
  [cli/oscal]="common"
  [cli]="common cli/oscal"
)
# Libraries a room must not use at all, as include prefixes.
declare -A forbidden=(
  [common/base]="grpc grpcpp openssl postura/v1 rocksdb"
  [common/model]="grpc grpcpp openssl postura/v1 rocksdb"
  [common/crosswalk]="grpc grpcpp openssl postura/v1 rocksdb"
)

# Code that links no gRPC although its room may (docs/architecture.md, "gRPC stays at the
# edges"): no gRPC headers, nor services' stubs (*.grpc.pb.h). Globs over project paths.
grpc_free_files=(
  'collector/store/*' 'collector/registry/*' 'collector/scoring/*' 'collector/history/*'
  'collector/alerting/*' 'collector/requests/*' 'collector/sector/*'
  'collector/ingest/ingest_writer*' 'agent/delivery/spool*' 'common/transport/target_proto*'
)

is_grpc_free() {  # Whether file $1 must not use gRPC.
  local pattern
  for pattern in "${grpc_free_files[@]}"; do
    # shellcheck disable=SC2053  # The pattern is a glob on purpose.
    [[ "$1" == $pattern ]] && return 0
  done
  return 1
}

room_of() {  # The deepest room containing file $1, or nothing.
  local dir
  dir=$(dirname "$1")
  while [[ "$dir" != "." ]]; do
    [[ -v "allowed[$dir]" ]] && { echo "$dir"; return; }
    dir=$(dirname "$dir")
  done
}

may_include() {  # Whether room $1 may include header $2 (a project path).
  local room=$1 header=$2 target
  target=$(room_of "$header")
  [[ -z "$target" || "$target" == "$room" ]] && return 0
  local allowed_room
  for allowed_room in ${allowed[$room]}; do
    [[ "$allowed_room" == common && "$target" == common/* ]] && return 0
    [[ "$allowed_room" == "$target" ]] && return 0
  done
  return 1
}

violations=0
while IFS= read -r file; do
  room=$(room_of "$file")
  [[ -z "$room" ]] && continue
  grpc_free=0
  is_grpc_free "$file" && grpc_free=1
  is_test=0
  [[ "$file" == *_test.cc || "$file" == *_fixture.h || "$file" == *testing* ]] && is_test=1
  while IFS=: read -r line header; do
    # Test code may also use the shared test helpers.
    if ((is_test)) && [[ "$header" == tests/testing/* || "$header" == collector/testing/* ]]; then
      continue
    fi
    if [[ "$header" == common/* || "$header" == collector/* || "$header" == agent/* ||
          "$header" == cli/* ]]; then
      if ! may_include "$room" "$header"; then
        echo "$file:$line: $room may not include $header (room $(room_of "$header"))"
        violations=$((violations + 1))
      fi
    fi
    if ((grpc_free)) && [[ "$header" == grpc/* || "$header" == grpcpp/* ||
                            "$header" == *.grpc.pb.h ]]; then
      echo "$file:$line: $file links no gRPC and may not include $header"
      violations=$((violations + 1))
    fi
    for prefix in ${forbidden[$room]:-}; do
      if [[ "$header" == "$prefix"/* ]]; then
        echo "$file:$line: $room may not use $prefix ($header)"
        violations=$((violations + 1))
      fi
    done
  done < <(grep -n '^#include [<"]' "$file" | sed -E 's/^([0-9]+):#include [<"]([^>"]+)[>"].*/\1:\2/')
done < <(git ls-files 'common/*' 'collector/*' 'agent/*' 'cli/*' | grep -E '\.(cc|h)$')

if ((violations > 0)); then
  echo "check_layering: $violations includes cross the layering (docs/architecture.md)"
  exit 1
fi
echo "check_layering: every include points down"
