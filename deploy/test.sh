#!/usr/bin/env bash
# Runs every test: installs what is missing, checks formatting, then builds and runs the
# whole suite in the default build and again under AddressSanitizer + UndefinedBehavior-
# Sanitizer, the unit tests of the concurrent code without gRPC under ThreadSanitizer, then
# the quickstart's and the cluster demo's checks, then the fuzz targets for a bounded time in a clang build.
# Warnings are errors in every build. Exits non-zero on the first failure.
#
#   deploy/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh

echo "== clang-format"
mapfile -t sources < <(git ls-files '*.cc' '*.h')
clang-format --dry-run -Werror "${sources[@]}"

jobs=$(nproc)
for preset in default asan; do
  echo "== build and test: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done

# The Debian packages built, then installed, upgraded and purged on this machine, when run
# as root (docs/install.md; otherwise the test reports itself skipped).
echo "== packages"
cmake --build --preset default --target package >/dev/null
POSTURA_PACKAGE_TEST=1 ctest --preset default -L package

# ThreadSanitizer judges the concurrent code that speaks no gRPC (Debian's gRPC is not
# instrumented): the watch hub, scoring's inbox and live scorer, the agent's spool and the
# ingest writer's queue, the score history's recorder. Their unit tests link no gRPC
# (tests/grpc_free_tests.cmake; the test `grpc_free` fails if one does) and only they are
# built here. Each runs with TSAN_OPTIONS=halt_on_error=1 and the suppressions of
# tests/tsan.supp (RocksDB and glibc's tzset), set on the tests themselves by that file.
# The score table's property tests are left out: one thread, and about 150 s under TSan
# against 1 s.
echo "== ThreadSanitizer: the unit tests without gRPC"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target grpc_free_tests
ctest --preset tsan -L tsan -E '^ScoreTablePropertyTest[.]' -j "$jobs"

# The README's first command, as a newcomer runs it (without the install, done above):
# set up, check that every asset has live evidence and the dashboard is served, and
# again on the same data.
echo "== quickstart"
quickstart_dir=$(mktemp -d)
for run in first again; do
  SKIP_INSTALL=1 QUICKSTART_DIR="$quickstart_dir" bash deploy/quickstart.sh --check \
    >"$quickstart_dir.log" 2>&1 || { cat "$quickstart_dir.log"; exit 1; }
  echo "quickstart ($run run): OK"
done
rm -rf "$quickstart_dir" "$quickstart_dir.log"

# Cluster mode on this machine (docs/scale.md): three NATS nodes, three collectors, three
# agents; every collector ends with the same live scores, and an agent whose collector is
# killed goes on through another.
echo "== cluster demo"
cluster_dir=$(mktemp -d)
SKIP_INSTALL=1 CLUSTER_DIR="$cluster_dir" bash deploy/cluster/demo.sh --check \
  >"$cluster_dir.log" 2>&1 || { cat "$cluster_dir.log"; exit 1; }
echo "cluster demo: OK"
rm -rf "$cluster_dir" "$cluster_dir.log"

# libFuzzer targets (docs/fuzzing.md): the libraries and tests/fuzz built with clang under
# ASan + UBSan, then each target run for 30 s from its seed corpus. Like every build here,
# ccache keys on paths relative to the checkout (CMakeLists.txt sets the launcher), so a
# fresh clone reuses an earlier clone's objects.
echo "== fuzz"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" -DPOSTURA_SANITIZE=address,undefined \
  -DPOSTURA_FUZZ=ON >/dev/null
cmake --build build-fuzz --target fuzzers -j "$jobs"
tests/fuzz/run.sh build-fuzz 30
