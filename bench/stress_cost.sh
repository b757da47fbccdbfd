#!/bin/sh
# stress_cost.sh - builds heed (Release) and bench/stress_cost.c, and prints what
# the stress stage costs per message and the band shares of a JSON-lines file
# (default: samples/messages.jsonl). Usage: bench/stress_cost.sh [FILE] [ROUNDS]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
file=${1:-$root/samples/messages.jsonl}
rounds=${2:-100}
out=$here/out/stress
mkdir -p "$out"

cmake -S "$root" -B "$out/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$out/build" -j2 --target heed_static >/dev/null
CC=${CC:-gcc}
CFLAGS="-std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Wall -Wextra"
# shellcheck disable=SC2046
$CC $CFLAGS -I "$root/include" -I "$root/src/util" -I "$root/src/core" \
    -o "$out/stress_cost" "$here/stress_cost.c" "$out/build/libheed.a" \
    $(pkg-config --libs libutf8proc) -lm

python3 - "$file" "$out/texts.bin" <<'PY'
import json, struct, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "wb") as o:
    for line in f:
        line = line.strip()
        if line:
            t = json.loads(line).get("text") or ""
            b = t.encode("utf-8")
            o.write(struct.pack("<I", len(b)) + b)
PY

echo "machine: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo "compiler: $($CC --version | head -n1), flags: $CFLAGS, heed: CMAKE_BUILD_TYPE=Release"
echo "input: $file"
"$out/stress_cost" "$out/texts.bin" "$rounds"
