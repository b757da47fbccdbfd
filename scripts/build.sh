#!/usr/bin/env bash
# build.sh - heed's release build: optimised with a profile of heed's own
# training run (GCC profile-guided optimisation; see HEED_PGO in CMakeLists.txt).
#   scripts/build.sh [DIR [TARGET...]]    default: build/, every target
# Three steps in DIR: an instrumented build of `heed`, the training run
# (scripts/pgo-train.sh: the bundled samples and a generated set, one thread,
# so the profile is the same on every run), and the release build that uses
# the profile. Output is the same as a plain Release build's; only speed
# differs. HEED_PGO=OFF makes a plain Release build instead; HEED_CMAKE_ARGS
# adds cmake options (e.g. -DHEED_WERROR=OFF). Idempotent: every run
# retrains, so the profile always matches the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
[ $# -gt 0 ] && shift
targets=()
for t in "$@"; do targets+=(--target "$t"); done
jobs=$(nproc)
read -r -a extra <<<"${HEED_CMAKE_ARGS:-}"
cfg=(-S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DHEED_TESTS=OFF "${extra[@]}")
if [ "${HEED_PGO:-ON}" = OFF ]; then
    cmake "${cfg[@]}" -DHEED_PGO=OFF >/dev/null
    cmake --build "$dir" -j"$jobs" "${targets[@]}" >/dev/null
    exit 0
fi
# the compiler's output in DIR/build.log, shown when a step fails (with a
# profile GCC also prints false alarms, kept as warnings: see CMakeLists.txt)
log=$dir/build.log
step() { "$@" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "heed: build failed (see $log)" >&2; exit 1; }; }
mkdir -p "$dir"
: >"$log"
step cmake "${cfg[@]}" -DHEED_PGO=GENERATE
find "$dir" -name '*.gcda' -delete
step cmake --build "$dir" -j"$jobs" --target heed
step bash scripts/pgo-train.sh "$dir/heed"
step cmake "${cfg[@]}" -DHEED_PGO=USE
step cmake --build "$dir" -j"$jobs" "${targets[@]}"
