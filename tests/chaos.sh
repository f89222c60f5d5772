#!/usr/bin/env bash
# Chaos with real processes, the long form: real postura-agent processes and the real
# postura-collector, killed with SIGKILL at random moments, then drained and checked
# (every item an agent created stored exactly once; live scores equal those rebuilt from
# the store). The test is tests/agent_chaos_test.cc; CI runs its short form (20 agents,
# 6 kills, seed 2323, a kill every 2 s on average). This runs the binaries already built
# in build/ (or --build-dir); build them first:
#
#   pbuild agent_chaos_tests postura-agent postura-collector
#
# Usage:
#   tests/chaos.sh --kills N [--agents N] [--seed S] [--gap DURATION] [--build-dir DIR]
#
#   --kills N      kills in all, at least 2 (a third of them the collector's)
#   --agents N     agents, 2 to 200 (default 20)
#   --seed S       the kill plan's seed (default: a new one, printed, so a failure can be
#                  replayed with --seed)
#   --gap D        mean time between kills (default 12s: 20 kills take about 5 minutes)
#   --build-dir D  the build tree whose bin/ holds the binaries (default build)
#
# Examples:
#   tests/chaos.sh --kills 20
#   tests/chaos.sh --kills 50 --seed 424242
#   tests/chaos.sh --kills 6 --gap 2s --seed 2323     # the CI short form
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '/^# Usage:/,/^# Examples:/{/^# Examples:/!p}' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

kills=""
agents=20
seed=""
gap=12s
build_dir=build
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kills) kills="${2:-}"; shift 2 || usage ;;
    --agents) agents="${2:-}"; shift 2 || usage ;;
    --seed) seed="${2:-}"; shift 2 || usage ;;
    --gap) gap="${2:-}"; shift 2 || usage ;;
    --build-dir) build_dir="${2:-}"; shift 2 || usage ;;
    -h | --help) usage ;;
    *) echo "chaos.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ "$kills" =~ ^[0-9]+$ ]] || { echo "chaos.sh: --kills N is required (a whole number)" >&2; usage; }
[[ "$agents" =~ ^[0-9]+$ ]] || { echo "chaos.sh: --agents wants a whole number" >&2; usage; }
if [[ -z "$seed" ]]; then
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fi
[[ "$seed" =~ ^[0-9]+$ ]] || { echo "chaos.sh: --seed wants a whole number" >&2; usage; }

test_binary="$build_dir/bin/agent_chaos_tests"
for binary in "$test_binary" "$build_dir/bin/postura-agent" "$build_dir/bin/postura-collector"; do
  if [[ ! -x "$binary" ]]; then
    echo "chaos.sh: $binary is missing; build it first:" >&2
    echo "  pbuild agent_chaos_tests postura-agent postura-collector" >&2
    exit 1
  fi
done

echo "chaos.sh: $kills kills, $agents agents, seed $seed, a kill every $gap on average"
start=$(date +%s)
status=0
POSTURA_CHAOS_KILLS="$kills" POSTURA_CHAOS_AGENTS="$agents" POSTURA_CHAOS_SEED="$seed" \
  POSTURA_CHAOS_GAP="$gap" "$test_binary" --gtest_filter='AgentChaosTest.*' || status=$?
echo "chaos.sh: $(($(date +%s) - start)) s in all, exit status $status (replay: tests/chaos.sh" \
  "--kills $kills --agents $agents --seed $seed --gap $gap)"
exit "$status"
