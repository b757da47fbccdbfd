#!/usr/bin/env bash
# demo.sh - README command 1: installs what heed needs, builds it, and runs
# `heed analyze` over the bundled sample of customer-service messages, printing
# a table and a summary. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
heed_install "${HEED_BUILD_PKGS[@]}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHEED_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "heed $(./build/heed --version | cut -d' ' -f2): analysing samples/messages.jsonl" >&2
./build/heed analyze --table samples/messages.jsonl
