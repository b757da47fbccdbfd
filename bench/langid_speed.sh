#!/bin/sh
# langid_speed.sh - the share of heed_analyze's time spent on language
# detection, on the texts of samples/messages.jsonl. Needs a build tree (default
# build/, made by README command 1). Usage: bench/langid_speed.sh [BUILD] [PASSES] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
passes=${2:-50}
runs=${3:-5}
command -v python3 >/dev/null || apt-get install -y python3
work=$(mktemp -d "${TMPDIR:-/tmp}/heed-langid-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    print(json.loads(l)["text"].replace("\n", " "))' "$root/samples/messages.jsonl" >"$work/texts.txt"
# shellcheck disable=SC2046
${CC:-gcc} -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -I"$root/include" \
    -I"$root/src/core" -I"$root/src/util" -o "$work/langid_speed" "$here/langid_speed.c" \
    "$build/libheed.a" $(pkg-config --libs libutf8proc) -lm
"$work/langid_speed" "$work/texts.txt" "$passes" "$runs"
