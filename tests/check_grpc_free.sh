#!/usr/bin/env bash
# Fails when one of the given executables needs gRPC at run time: the unit tests declared
# with postura_grpc_free_test() (tests/grpc_free_tests.cmake) must not, so that they keep
# running under ThreadSanitizer, which cannot judge Debian's uninstrumented gRPC. Looks at
# every shared library the loader would map (ldd), not only the direct ones.
#
#   tests/check_grpc_free.sh EXECUTABLE...
set -euo pipefail
if (($# == 0)); then
  echo "usage: $0 EXECUTABLE..." >&2
  exit 2
fi

failures=0
for executable in "$@"; do
  if [[ ! -x "$executable" ]]; then
    echo "$executable: not built"
    failures=$((failures + 1))
    continue
  fi
  if ! libraries=$(ldd "$executable"); then
    echo "$executable: ldd failed"
    failures=$((failures + 1))
    continue
  fi
  if grpc=$(grep -oE '^\s*lib(grpc|gpr)[^ ]*' <<<"$libraries"); then
    echo "$executable needs gRPC: $(tr '\n' ' ' <<<"$grpc")"
    failures=$((failures + 1))
  else
    echo "$executable: no gRPC ($(wc -l <<<"$libraries") shared libraries)"
  fi
done

if ((failures > 0)); then
  echo "check_grpc_free: $failures of $# executables need gRPC or are missing"
  exit 1
fi
echo "check_grpc_free: none of the $# executables needs gRPC"
