#!/usr/bin/env bash
# Records which functions the agent runs and writes them to agent/postura-agent.order, the
# symbol ordering file with which lld places that code together in postura-agent (see
# agent/static_link.cmake). Rerun it when the agent or its libraries change a lot; a stale
# file only costs memory, never correctness.
#
#   bench/make_agent_order.sh [BUILD_DIR]      # default: build; needs valgrind
#
# The profile is agent_bench's run: start-up, enrollment, every check of the built-in
# pack, delivery over TLS and a minute of idling, under valgrind's callgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
valgrind=$(command -v valgrind) || { echo "make_agent_order: valgrind is needed" >&2; exit 1; }
cmake --build "$build" --target agent_bench postura-agent postura-collector

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/agent_bench" --runs 1 --seconds 60 \
  --wrapper "$valgrind --tool=callgrind --demangle=no --callgrind-out-file=$work/callgrind.out"

# callgrind names a function the first time it appears, in an fn= or cfn= line, with a
# 'N suffix for recursion depth. Keep only what the agent itself defines (not libc).
sed -nE "s/^c?fn=\([0-9]+\) ([^']+)('[0-9]+)?$/\1/p" "$work/callgrind.out" | sort -u >"$work/run"
nm --defined-only "$build/bin/postura-agent" | awk '{print $3}' | sort -u >"$work/defined"
comm -12 "$work/run" "$work/defined" >agent/postura-agent.order
echo "make_agent_order: $(wc -l <agent/postura-agent.order) functions in agent/postura-agent.order"
