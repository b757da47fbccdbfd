#!/usr/bin/env bash
# test.sh - README command 2: installs what the tests need, builds heed with
# warnings as errors and runs the whole suite with ctest. Idempotent.
#   scripts/test.sh              plain build in build-test/
#   scripts/test.sh --sanitize   ASan+UBSan build in build-asan/ (no recovery)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
heed_install "${HEED_BUILD_PKGS[@]}" "${HEED_TEST_PKGS[@]}"
heed_browser_deps
dir=build-test
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEED_WERROR=ON)
if [ "${1:-}" = "--sanitize" ]; then
    dir=build-asan
    flags=(-DCMAKE_BUILD_TYPE=Debug -DHEED_WERROR=ON -DHEED_SANITIZE=ON)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
