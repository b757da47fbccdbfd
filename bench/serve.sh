#!/usr/bin/env bash
# serve.sh - bounded load test of `heed serve` with wrk on loopback: POST
# /v1/analyze with all stages (the target: >= 20,000 requests/s with p99 < 20 ms),
# and, to show where the time goes, the same with the valence stage only, GET
# /healthz (the HTTP layer alone) and `heed analyze` on the same message without
# HTTP; then bench/serve_ingest.sh: POST /v1/messages under load, alone and beside
# /v1/analyze, and a SIGTERM mid-load, each checked count in = count stored.
# See bench/README.md ("heed serve").
#
#   bench/serve.sh               10 s per row
#
# Environment:
#   HEED_BIN=PATH          use this heed binary instead of building build-bench/heed
#   HEED_BENCH_BUILD=DIR   build folder (default: <repo>/build-bench)
#   HEED_SERVE_SECONDS=N   seconds per wrk row, 10..60 (default 10)
#   HEED_SERVE_CONNS=N     wrk connections (default 64)
#   HEED_SERVE_THREADS=N   server threads (default: nproc)
#   HEED_SERVE_WRK_THREADS=N  wrk threads (default 1; wrk shares the cores)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT=$BENCH/out/serve
BUILD=${HEED_BENCH_BUILD:-$ROOT/build-bench}
SECS=${HEED_SERVE_SECONDS:-10}
CONNS=${HEED_SERVE_CONNS:-64}
THREADS=${HEED_SERVE_THREADS:-$(nproc)}
WRK_THREADS=${HEED_SERVE_WRK_THREADS:-1}
TARGET=20000

[ "$SECS" -ge 10 ] && [ "$SECS" -le 60 ] || { echo "serve.sh: HEED_SERVE_SECONDS must be 10..60" >&2; exit 2; }
say() { printf '== %s\n' "$*" >&2; }

. "$ROOT/scripts/deps.sh"
heed_install wrk "${HEED_BUILD_PKGS[@]}"
if [ -n "${HEED_BIN:-}" ]; then
    HEED=$HEED_BIN
else
    say "building $BUILD (Release)"
    bash "$ROOT/scripts/build.sh" "$BUILD" heed
    HEED=$BUILD/heed
fi

rm -rf "$OUT"
mkdir -p "$OUT"
PID=
cleanup() { [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; true; }
trap cleanup EXIT

KEY=$("$HEED" key create --db "$OUT/bench.db" --role agent --name bench 2>/dev/null)
"$HEED" serve --db "$OUT/bench.db" --listen 127.0.0.1:0 --threads "$THREADS" --rate 0 --quiet \
    >"$OUT/serve.out" 2>"$OUT/serve.err" &
PID=$!
URL=
for _ in $(seq 1 100); do
    URL=$(sed -n 's/^heed serve: listening on \(http:.*\)$/\1/p' "$OUT/serve.out")
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { echo "serve.sh: the server did not start" >&2; cat "$OUT/serve.err" >&2; exit 1; }

MSG='I have called three times about order #4521 and nobody has fixed it. The blender arrived broken and I need a refund by Friday, please.'
lua() { # lua FILE METHOD BODY
    cat >"$1" <<EOF
wrk.method = "$2"
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$3]]
EOF
}
lua "$OUT/all.lua" POST '{"text":"'"$MSG"'","role":"customer"}'
lua "$OUT/valence.lua" POST '{"text":"'"$MSG"'","role":"customer","stages":"valence"}'
lua "$OUT/health.lua" GET ''

# row TAG NAME PATH LUA: one wrk run (output in out/serve/TAG.wrk), one table line
printf '%-34s %10s %9s %9s %8s %8s\n' "row" "req/s" "p50 ms" "p99 ms" "errors" "/20k"
row() {
    local tag=$1 name=$2 path=$3 script=$4
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" --latency -s "$script" "$URL$path" >"$OUT/$tag.wrk" 2>&1
    local rps p50 p99 errs non2xx
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/$tag.wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$OUT/$tag.wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$OUT/$tag.wrk")
    errs=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$OUT/$tag.wrk")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$OUT/$tag.wrk")
    ms() { # wrk prints 1.23ms, 456.00us or 1.02s
        awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0; else if (v ~ /s$/) printf "%.2f", v * 1000; else print "?" }'
    }
    printf '%-34s %10.0f %9s %9s %8d %8.2f\n' "$name" "$rps" "$(ms "$p50")" "$(ms "$p99")" \
        $((${errs:-0} + ${non2xx:-0})) "$(awk -v r="$rps" -v t=$TARGET 'BEGIN {print r / t}')"
}
row all "POST /v1/analyze (all stages)" /v1/analyze "$OUT/all.lua"
row valence "POST /v1/analyze (valence only)" /v1/analyze "$OUT/valence.lua"
row health "GET /healthz (HTTP layer only)" /healthz "$OUT/health.lua"

# the same message analysed without HTTP: the analysis's own ceiling
N=200000
awk -v n=$N -v m="$MSG" 'BEGIN { for (i = 0; i < n; i++) printf "{\"text\":\"%s\",\"role\":\"customer\"}\n", m }' >"$OUT/msgs.jsonl"
t0=$(date +%s.%N)
"$HEED" analyze -q -j "$THREADS" "$OUT/msgs.jsonl" >/dev/null
t1=$(date +%s.%N)
awk -v n=$N -v a="$t0" -v b="$t1" -v t=$TARGET \
    'BEGIN { r = n / (b - a); printf "%-34s %10.0f %9s %9s %8s %8.2f\n", "heed analyze (no HTTP, all stages)", r, "-", "-", "-", r / t }'
printf '\nmachine: %s, %s cores; server threads %s, wrk threads %s, %s connections, %s s per row\n' \
    "$(uname -m)" "$(nproc)" "$THREADS" "$WRK_THREADS" "$CONNS" "$SECS"
printf 'compiler: %s; libmicrohttpd %s; wrk and the server share the cores\n' \
    "$(cc --version | head -1)" "$(pkg-config --modversion libmicrohttpd)"

# ingest under load, nothing lost (bench/serve_ingest.sh, its own server and store)
cleanup
PID=
printf '\n'
HEED_BIN=$HEED "$BENCH/serve_ingest.sh"
