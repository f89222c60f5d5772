#!/usr/bin/env bash
# Installs every Debian 12 package Postura needs to build, test and run.
# Idempotent: packages already present are left alone, and apt's index is refreshed only
# when something is missing. Run as root, or as a user who may use sudo.
set -euo pipefail

packages=(
  # Toolchain and build system. lld-16 lays out the statically linked agent's code
  # (agent/static_link.cmake).
  build-essential cmake ninja-build ccache pkg-config git lld-16
  # Fixed project dependencies.
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev librocksdb-dev libgtest-dev libgmock-dev
  # Libraries that save hand-written code.
  libbenchmark-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libgoogle-glog-dev
  libssl-dev libgoogle-perftools-dev libglpk-dev libcpp-httplib-dev
  # Replication between machines (collector/replication, issue 20): the NATS C client and,
  # for its tests, a real JetStream server.
  libnats-dev nats-server
  # OpenSCAP results as evidence (agent/checks/openscap): libxml2 reads them (its static
  # archive and ICU's link into the agent); the scanner, oscap-chroot and the SCAP Security
  # Guide's Debian content produce real results in the tests.
  libxml2-dev openscap-scanner openscap-utils ssg-debian
  # Formatting, sanitizer and fuzzing runtimes (clang's libFuzzer and LSan).
  clang clang-format libclang-rt-14-dev
  # The web dashboard's browser test (tests/browser/): headless Chromium, driven from Node
  # over the DevTools protocol with no npm packages.
  chromium nodejs
  # The quickstart talks to the collector's HTTP API; the cluster demo makes each
  # organisation's sector key as an operator does (openssl ecparam).
  curl openssl
  # The Debian packages (docs/install.md): help2man writes their manual pages, lintian
  # checks them; the install test installs them (their maintainer scripts use adduser) and
  # runs systemd-analyze on their units.
  lintian adduser systemd help2man
  # tests/check_alert_rules.py reads the Prometheus rules file; tests/check_scan_schema.py
  # validates the scan's JSON.
  python3-yaml python3-jsonschema
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

as_root=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  as_root=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
