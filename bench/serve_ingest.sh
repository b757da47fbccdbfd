#!/usr/bin/env bash
# serve_ingest.sh - ingest under load with nothing lost: wrk POSTs one customer
# message per request to /v1/messages (every id unique, bench/serve_ingest.lua),
# then, with the server stopped, the store is counted with sqlite3. Rows:
#
#   ingest alone              POST /v1/messages only
#   ingest + analyze          the same while a second wrk POSTs /v1/analyze
#   SIGTERM mid-load          the server is stopped with SIGTERM 3 s into a load of
#                             16 s (8 connections): every message answered 2xx
#                             "imported" before the stop must be in the store
#                             (checked id by id)
#
# For each row: 2xx answers wrk read = "imported" results = messages stored
# (count in = count stored). The Lua script stops sending after the window and
# wrk runs 3 s longer, so every request sent has its answer read. After the
# two rows the server's /metrics gives the ingest writer's requests per
# transaction (a server without the writer prints nothing there).
# Called by bench/serve.sh; runs alone too. See bench/README.md ("heed serve").
#
# Environment: HEED_BIN, HEED_BENCH_BUILD, HEED_SERVE_SECONDS (10..60, default
# 10), HEED_SERVE_CONNS (default 64), HEED_SERVE_THREADS (default nproc), as serve.sh.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT=$BENCH/out/serve-ingest
BUILD=${HEED_BENCH_BUILD:-$ROOT/build-bench}
SECS=${HEED_SERVE_SECONDS:-10}
CONNS=${HEED_SERVE_CONNS:-64}
THREADS=${HEED_SERVE_THREADS:-$(nproc)}
TAIL=3 # seconds wrk runs after the window, to read the last answers

[ "$SECS" -ge 10 ] && [ "$SECS" -le 60 ] || { echo "serve_ingest.sh: HEED_SERVE_SECONDS must be 10..60" >&2; exit 2; }
say() { printf '== %s\n' "$*" >&2; }

. "$ROOT/scripts/deps.sh"
heed_install wrk sqlite3 curl "${HEED_BUILD_PKGS[@]}"
if [ -n "${HEED_BIN:-}" ]; then
    HEED=$HEED_BIN
else
    say "building $BUILD (Release)"
    bash "$ROOT/scripts/build.sh" "$BUILD" heed
    HEED=$BUILD/heed
fi

rm -rf "$OUT"
mkdir -p "$OUT/acked"
DB=$OUT/ingest.db
SRV= WRK_A=
stop_pid() { # stop_pid PID: SIGTERM, then wait for it
    [ -n "$1" ] && kill -TERM "$1" 2>/dev/null && wait "$1" 2>/dev/null
    true
}
cleanup() { stop_pid "$WRK_A"; stop_pid "$SRV"; }
trap cleanup EXIT

INGEST_KEY=$("$HEED" key create --db "$DB" --role ingest --name load 2>/dev/null)
AGENT_KEY=$("$HEED" key create --db "$DB" --role agent --name bench 2>/dev/null)

start_server() {
    : >"$OUT/serve.out"
    "$HEED" serve --db "$DB" --listen 127.0.0.1:0 --threads "$THREADS" --rate 0 --quiet \
        >"$OUT/serve.out" 2>>"$OUT/serve.err" &
    SRV=$!
    URL=
    for _ in $(seq 1 100); do
        URL=$(sed -n 's/^heed serve: listening on \(http:.*\)$/\1/p' "$OUT/serve.out")
        [ -n "$URL" ] && break
        sleep 0.1
    done
    [ -n "$URL" ] || { echo "serve_ingest.sh: the server did not start" >&2; cat "$OUT/serve.err" >&2; exit 1; }
}

MSG='I have called three times about order #4521 and nobody has fixed it. The blender arrived broken and I need a refund by Friday, please.'
cat >"$OUT/analyze.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $AGENT_KEY"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"text":"$MSG","role":"customer"}]]
EOF

# ingest TAG SOURCE THREADS CONNS WINDOW [ACKED]: one wrk run of serve_ingest.lua
ingest() {
    HEED_KEY=$INGEST_KEY HEED_SOURCE=$2 HEED_WINDOW=$5 HEED_ACKED=${6:-} \
        wrk -t"$3" -c"$4" -d"$(($5 + TAIL))s" --timeout 5s --latency \
        -s "$BENCH/serve_ingest.lua" "$URL/v1/messages" >"$OUT/$1.wrk" 2>&1 || true
}
field() { sed -n "s/.*[ ]$2=\([^ ]*\).*/\1/p" "$OUT/$1.wrk" | head -1; }
stored() { sqlite3 "$DB" "SELECT count(*) FROM message WHERE source = '$1'"; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before: $LOAD_BEFORE"
start_server
say "ingest alone, $SECS s"
ingest alone load-alone 1 "$CONNS" "$SECS"
say "ingest + analyze, $SECS s"
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$OUT/analyze.lua" "$URL/v1/analyze" >"$OUT/mixed-analyze.wrk" 2>&1 &
WRK_A=$!
ingest mixed load-mixed 1 "$CONNS" "$SECS"
wait "$WRK_A" || true
WRK_A=
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
# the ingest writer's transactions over both rows (servers that have one)
curl -s -m 10 "$URL/metrics" >"$OUT/metrics.txt" || true
metric() { sed -n "s/^$1 //p" "$OUT/metrics.txt"; }
COMMITS=$(metric heed_ingest_commits_total) GROUPED=$(metric heed_ingest_committed_requests_total)
stop_pid "$SRV"
SRV=

# SIGTERM mid-load: 8 threads with one connection each, so each answer read is
# the answer to the thread's last request and its id can be written down. The
# load lasts past the server's drain limit (HEED_SRV_DRAIN_SECONDS, 10 s), so
# the stop is also tried while requests are still arriving.
say "SIGTERM mid-load"
start_server
SIG_AT=3
ingest sigterm load-sigterm 8 8 $((SIG_AT + 13)) "$OUT/acked" &
WRK_I=$!
sleep $SIG_AT
T0=$(date +%s.%N)
kill -TERM "$SRV"
wait "$SRV" && SIG_RC=0 || SIG_RC=$?
T1=$(date +%s.%N)
SRV=
wait "$WRK_I" || true

printf '%-34s %9s %9s %9s %8s %8s %9s %9s  %s\n' row "req/s" "p50 ms" "p99 ms" errors 2xx imported stored "count in = count stored"
FAIL=0
report() { # report TAG NAME SOURCE
    local ok imp st errs verdict
    local wrk2xx
    ok=$(field "$1" ok2xx) imp=$(field "$1" imported) st=$(stored "$3")
    # wrk's own count (its latency report): requests completed minus non-2xx/3xx
    wrk2xx=$(($(field "$1" wrk_requests) - $(field "$1" wrk_non2xx)))
    errs=$(($(field "$1" socket_errors) + $(field "$1" non2xx) + $(field "$1" rejected) + $(field "$1" already_there)))
    if [ -n "$ok" ] && [ "$ok" -gt 0 ] && [ "$ok" = "$wrk2xx" ] && [ "$ok" = "$imp" ] && [ "$imp" = "$st" ]; then verdict=PASS; else verdict=FAIL; FAIL=1; fi
    printf '%-34s %9.0f %9s %9s %8d %8d %9d %9d  %s\n' "$2" "$(awk -v n="$ok" -v s="$SECS" 'BEGIN {print n / s}')" \
        "$(field "$1" p50_ms)" "$(field "$1" p99_ms)" "$errs" "$ok" "$imp" "$st" "$verdict"
}
report alone "POST /v1/messages alone" load-alone
report mixed "POST /v1/messages + /v1/analyze" load-mixed
A_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/mixed-analyze.wrk")
A_P50=$(awk '$1 == "50%" {print $2}' "$OUT/mixed-analyze.wrk")
A_P99=$(awk '$1 == "99%" {print $2}' "$OUT/mixed-analyze.wrk")
printf '%-34s %9.0f %9s %9s   (the second wrk, during the row above)\n' "  POST /v1/analyze beside it" "$A_RPS" "$A_P50" "$A_P99"

# SIGTERM: every acked id stored?
sort -u "$OUT"/acked/t*.txt >"$OUT/acked.txt"
sqlite3 "$DB" "SELECT ext_id FROM message WHERE source = 'load-sigterm'" | sort -u >"$OUT/stored-sigterm.txt"
ACKED_N=$(wc -l <"$OUT/acked.txt")
STORED_N=$(wc -l <"$OUT/stored-sigterm.txt")
LOST=$(comm -23 "$OUT/acked.txt" "$OUT/stored-sigterm.txt" | wc -l)
EXTRA=$(comm -13 "$OUT/acked.txt" "$OUT/stored-sigterm.txt" | wc -l)
if [ "$ACKED_N" -gt 0 ] && [ "$LOST" -eq 0 ] && [ "$SIG_RC" -eq 0 ]; then V=PASS; else V=FAIL; FAIL=1; fi
printf '\nSIGTERM after %s s of load (server exit %s, %.1f s after the signal): %d answered "imported" before the stop, %d stored, %d of the answered missing, %d stored without an answer read (in flight at the stop): %s\n' \
    "$SIG_AT" "$SIG_RC" "$(awk -v a="$T0" -v b="$T1" 'BEGIN {print b - a}')" "$ACKED_N" "$STORED_N" "$LOST" "$EXTRA" "$V"
printf 'wrk during the stop: %s\n' "$(grep -E 'Socket errors|INGEST' "$OUT/sigterm.wrk" | tr '\n' ' ')"

if [ -n "$COMMITS" ] && [ "$COMMITS" -gt 0 ]; then
    printf 'ingest writer, both rows: %s requests in %s transactions (%.1f a transaction)\n' \
        "$GROUPED" "$COMMITS" "$(awk -v g="$GROUPED" -v c="$COMMITS" 'BEGIN {print g / c}')"
fi
printf '\nmachine: %s, %s cores, shared; load average before %s, after the two rows %s (1, 5, 15 min)\n' \
    "$(uname -m)" "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER"
printf 'server threads %s; wrk: 1 thread, %s connections per wrk, window %s s (+%s s to read the last answers); the server and the wrks share the 2 cores\n' \
    "$THREADS" "$CONNS" "$SECS" "$TAIL"
exit $FAIL
