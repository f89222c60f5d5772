#!/usr/bin/env bash
# Runs every test: installs what is missing, checks formatting, then builds and runs the
# whole suite in the default build and again under AddressSanitizer + UndefinedBehavior-
# Sanitizer. Warnings are errors in both builds. Exits non-zero on the first failure.
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
