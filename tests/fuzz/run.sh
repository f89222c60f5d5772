#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR for SECONDS each, one after the other, and
# exits non-zero if any of them fails: a crash, a sanitizer report, a broken invariant, a
# leak, an input slower than 10 s or more than 2 GB of memory. See docs/fuzzing.md.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS
#
# A target first runs each reproducer in tests/fuzz/crashes/ once, then fuzzes from its
# seeds (tests/fuzz/corpus/<target>/) copied into BUILD_DIR/fuzz/corpus/<target>/, where
# the inputs it finds accumulate from run to run: the repository is never written. It
# uses tests/fuzz/dict/<target>.dict if there is one. Reproducers of new failures go to
# BUILD_DIR/fuzz/artifacts/, full logs to BUILD_DIR/fuzz/logs/.
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$(realpath "$1")
seconds=$2
here=$(realpath "$(dirname "$0")")

# target:max_len. Each length holds the target's largest seed with room to grow: a FLECO
# case lists every gene of its group (about 7 KB for IG3), a batch a few items, an XCCDF
# seed a few rules and their results (about 5 KB).
targets=(
  agent_config:2048
  batch_signature:4096
  catalog:4096
  check_pack:8192
  collector_config:2048
  effective_config:4096
  fleco_case:12288
  ingest_batch:4096
  sector_summary:2048
  signing_request:4096
  xccdf_results:16384
)

work=$build_dir/fuzz
mkdir -p "$work/artifacts" "$work/logs"
# A smaller quarantine than the 256 MB default keeps long runs under -rss_limit_mb.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for entry in "${targets[@]}"; do
  name=${entry%%:*}
  max_len=${entry#*:}
  corpus=$work/corpus/$name
  log=$work/logs/$name.log
  mkdir -p "$corpus"
  cp "$here/corpus/$name"/* "$corpus/"
  binary=$build_dir/bin/${name}_fuzzer
  limits=(-rss_limit_mb=2048 -timeout=10 -artifact_prefix="$work/artifacts/$name-")
  options=("${limits[@]}" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1)
  if [[ -f "$here/dict/$name.dict" ]]; then
    options+=(-dict="$here/dict/$name.dict")
  fi
  echo "== fuzz $name: ${seconds}s"
  # Each reproducer of a fixed defect runs once first, so that a regression fails. They
  # stay out of the corpus: some are slow on purpose (alias expansion up to its limit).
  if ! "$binary" "${limits[@]}" "$here/crashes"/* >"$log" 2>&1; then
    echo "FAILED: $name on a reproducer in tests/fuzz/crashes (full log: $log)" >&2
    tail -n 60 "$log" >&2
    failed+=("$name")
  elif "$binary" "${options[@]}" "$corpus" >"$log" 2>&1; then
    grep -E 'DONE +cov|^stat::(average_exec_per_sec|peak_rss_mb)' "$log" || true
  else
    echo "FAILED: $name (full log: $log)" >&2
    tail -n 60 "$log" >&2
    failed+=("$name")
  fi
done

passed=$((${#targets[@]} - ${#failed[@]}))
if ((${#failed[@]} > 0)); then
  echo "fuzz: failed: ${failed[*]}; reproducers in $work/artifacts" >&2
  echo "fuzz: $passed passed, ${#failed[@]} failed"
  exit 1
fi
echo "fuzz: $passed passed, 0 failed"
