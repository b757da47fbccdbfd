#!/usr/bin/env bash
# fuzz.sh - runs heed's libFuzzer targets (fuzz/fuzz_*.c) for a while each.
#
#   scripts/fuzz.sh [SECONDS] [NAME...]     default 60 seconds, every target
#
# Builds build-fuzz/ with clang (every library with libFuzzer's coverage
# counters, ASan and UBSan: CMakeLists.txt, HEED_FUZZ), then runs the targets,
# as many at once as there are cores. Each starts from its saved corpus
# fuzz/corpus/<name>/ (read only) and keeps what it finds in
# build-fuzz/corpus/<name>/; a crash, leak, timeout or failed invariant is
# written to build-fuzz/crashes/<name>/ and makes the script exit 1. To keep
# an input as a test, copy it into fuzz/corpus/<name>/: ctest replays that
# folder in every build. Installs clang and libFuzzer's runtime when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
case $secs in '' | *[!0-9]* | 0) echo "fuzz.sh: SECONDS must be a positive number" >&2; exit 2 ;; esac
shift || true
. scripts/deps.sh
heed_install "${HEED_BUILD_PKGS[@]}" libcmocka-dev clang libclang-rt-14-dev

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in fuzz/fuzz_*.c; do
        n=${f#fuzz/fuzz_}
        names+=("${n%.c}")
    done
fi
for n in "${names[@]}"; do
    [ -f "fuzz/fuzz_$n.c" ] || { echo "fuzz.sh: no target fuzz/fuzz_$n.c" >&2; exit 2; }
done

dir=build-fuzz
CC=clang cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEED_FUZZ=ON -DHEED_WERROR=ON \
    -DHEED_PORTABLE=OFF >/dev/null
targets=()
for n in "${names[@]}"; do targets+=("fuzz_$n"); done
cmake --build "$dir" -j"$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_one() {
    local n=$1 out=$dir/corpus/$1 crash=$dir/crashes/$1/
    mkdir -p "$out" "$crash"
    if "$dir/fuzz/fuzz_$n" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crash" "$out" "fuzz/corpus/$n" \
        >"$dir/fuzz-$n.log" 2>&1; then
        printf '%-12s ok      %s\n' "$n" "$(summary "$n")"
    else
        printf '%-12s FAILED  %s (log: %s, input: %s)\n' "$n" "$(summary "$n")" \
            "$dir/fuzz-$n.log" "$(ls "$crash" | head -n 1)"
        return 1
    fi
}
summary() {
    local log=$dir/fuzz-$1.log
    printf 'runs %s, coverage %s, corpus %s' \
        "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)" \
        "$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)" \
        "$(ls "$dir/corpus/$1" | wc -l)"
}

echo "fuzz.sh: ${#names[@]} targets, $secs s each, $(nproc) at a time" >&2
fails=0
running=0
pids=()
for n in "${names[@]}"; do
    run_one "$n" &
    pids+=($!)
    running=$((running + 1))
    if [ "$running" -ge "$(nproc)" ]; then
        wait -n || fails=$((fails + 1))
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || fails=$((fails + 1))
    running=$((running - 1))
done
if [ "$fails" -gt 0 ]; then
    echo "fuzz.sh: $fails target(s) failed; inputs in $dir/crashes/" >&2
    exit 1
fi
echo "fuzz.sh: no target failed" >&2
