#!/usr/bin/env bash
# Fails when a unit of the project's C++ (a .cc with its .h, counted together) or a test or
# script file is longer than 600 lines: long files are split along their seams
# (docs/architecture.md). Usage: check_unit_size.sh SOURCE_DIR
set -euo pipefail
cd "$1"
limit=600
status=0
units=$(git ls-files '*.cc' '*.h' '*.js' '*.mjs' '*.sh' '*.py' 2>/dev/null ||
  find . -name '*.cc' -o -name '*.h' -o -name '*.js' -o -name '*.mjs' -o -name '*.sh' -o -name '*.py')
for unit in $(printf '%s\n' $units | sed -E 's/\.(cc|h)$//' | sort -u); do
  lines=0
  for file in "$unit" "$unit.cc" "$unit.h"; do
    [ -f "$file" ] && lines=$((lines + $(wc -l < "$file")))
  done
  if [ "$lines" -gt "$limit" ]; then
    echo "check_unit_size: $unit has $lines lines (.cc and .h together); at most $limit" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "check_unit_size: every unit has at most $limit lines"
exit "$status"
