#!/usr/bin/env bash
# test.sh - README command 2: installs what the tests need, builds heed with
# warnings as errors and runs the whole suite with ctest. Idempotent.
#   scripts/test.sh              plain build in build-test/
#   scripts/test.sh --sanitize   ASan+UBSan build in build-asan/ (no recovery)
#   scripts/test.sh --portable   build-portable/, without the SSE2/AVX2 loops: the
#                                plain C ones other CPUs run (src/util/simd.h); the
#                                browser tests, which do not reach them, are left out
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-test
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEED_WERROR=ON -DHEED_PORTABLE=OFF)
select=()
case "${1:-}" in
'') ;;
--sanitize)
    dir=build-asan
    flags=(-DCMAKE_BUILD_TYPE=Debug -DHEED_WERROR=ON -DHEED_SANITIZE=ON -DHEED_PORTABLE=OFF)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ;;
--portable)
    dir=build-portable
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEED_WERROR=ON -DHEED_PORTABLE=ON)
    select=(-E '^browser/')
    ;;
*)
    echo "test.sh: unknown option '$1' (none, --sanitize or --portable)" >&2
    exit 2
    ;;
esac
. scripts/deps.sh
heed_install "${HEED_BUILD_PKGS[@]}" "${HEED_TEST_PKGS[@]}"
heed_browser_deps
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)" "${select[@]}"
