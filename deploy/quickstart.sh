#!/usr/bin/env bash
# The quickstart: installs what is needed, builds, and runs Postura's main job.
#
# Until the collector lands, the main job is scoring the example FLECO case shipped in
# docs/examples: the CyberTOMP asset, function and category values of an IG2 web portal,
# its strategic targets, and the target status a committee proposed.
#
#   deploy/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"

echo
build/bin/postura fleco score docs/examples/web-portal-ig2.json
