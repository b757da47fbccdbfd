#!/bin/sh
# json_libs.sh - builds bench/json_libs.c with gcc -O2 against the system's
# cJSON, jansson and json-c (pkg-config) and compares them on ~50 MB of
# generated JSON-lines message records. Usage: bench/json_libs.sh [MB] [RUNS]
set -eu

MB=${1:-50}
RUNS=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/heed-json-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

CC=${CC:-gcc}
CFLAGS="-std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Wall -Wextra"
# One binary per library: jansson and json-c export clashing symbols.
$CC $CFLAGS -DBENCH_LIB=0 -o "$work/bench_none" "$here/json_libs.c"
# shellcheck disable=SC2046
$CC $CFLAGS -DBENCH_LIB=1 -o "$work/bench_cjson" "$here/json_libs.c" \
    $(pkg-config --cflags --libs libcjson)
# shellcheck disable=SC2046
$CC $CFLAGS -DBENCH_LIB=2 -o "$work/bench_jansson" "$here/json_libs.c" \
    $(pkg-config --cflags --libs jansson)
# shellcheck disable=SC2046
$CC $CFLAGS -DBENCH_LIB=3 -o "$work/bench_jsonc" "$here/json_libs.c" \
    $(pkg-config --cflags --libs json-c)

"$work/bench_none" gen "$work/messages.jsonl" "$MB"

echo "machine: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo "compiler: $($CC --version | head -n1), flags: $CFLAGS"
echo "libraries: cJSON $(pkg-config --modversion libcjson), jansson $(pkg-config --modversion jansson), json-c $(pkg-config --modversion json-c)"
echo "input: $(wc -c <"$work/messages.jsonl") bytes, $(wc -l <"$work/messages.jsonl") records, best of $RUNS runs"
for lib in none cjson jansson jsonc; do
    "$work/bench_$lib" "$work/messages.jsonl" "$RUNS"
done
