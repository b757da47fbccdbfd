#!/usr/bin/env bash
# demo.sh - README command 1: installs what heed needs, builds it, and runs
# `heed analyze` over the bundled sample of customer-service messages, printing
# a table and a summary, then `heed check-reply` on a sample draft. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
heed_install "${HEED_BUILD_PKGS[@]}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHEED_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "heed $(./build/heed --version | cut -d' ' -f2): analysing samples/messages.jsonl" >&2
./build/heed analyze --table samples/messages.jsonl
echo >&2
echo "heed check-reply: a weak draft (samples/check-draft.txt) to the customer's message (samples/check-customer.txt)" >&2
./build/heed check-reply --customer @samples/check-customer.txt --reply @samples/check-draft.txt \
    --time 2026-11-05T10:00:00Z
