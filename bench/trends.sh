#!/usr/bin/env bash
# heed trends benchmark: the query behind `heed trends` and GET /v1/trends on
# a generated store, timed with one or more heed binaries (say the one before
# and the one after a change), each on its own copy of the same store. See
# bench/README.md, "heed trends".
#
#   bench/trends.sh HEED...     e.g. bench/trends.sh /tmp/heed-old build/heed
#
# Environment:
#   HEED_TBENCH_CUSTOMERS=N   customers (default 20000)
#   HEED_TBENCH_DAYS=N        days the data spans (default 365, from 2025-10-01)
#   HEED_TBENCH_DAY=DATE      the last day of the periods timed (default 2026-06-30)
#   HEED_TBENCH_RUNS=N        timed runs per case, after one warm-up (default 21)
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,13p' "$0"; exit 2; }
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$BENCH/out/trends
CUSTOMERS=${HEED_TBENCH_CUSTOMERS:-20000}
SPAN=${HEED_TBENCH_DAYS:-365}
DAY=${HEED_TBENCH_DAY:-2026-06-30}
RUNS=${HEED_TBENCH_RUNS:-21}
DATA=$OUT/data-$CUSTOMERS-$SPAN
STORE=$OUT/store-$CUSTOMERS-$SPAN.db
mkdir -p "$OUT"
if [ ! -f "$STORE" ]; then
    "$1" generate --out "$DATA" --customers "$CUSTOMERS" --days "$SPAN" --start 2025-10-01 --seed 1
    "$1" import dir --db "$STORE.tmp" -q "$DATA" >/dev/null
    mv "$STORE.tmp" "$STORE"
fi
# median wall time and median CPU time (user + sys) of RUNS runs, in ms
time_runs() {
    local i s e
    for i in $(seq 1 "$RUNS"); do
        s=$(date +%s%N)
        /usr/bin/time -f '%U %S' -o "$OUT/cpu" "$@" >/dev/null
        e=$(date +%s%N)
        echo "$(((e - s) / 1000)) $(awk '{print ($1 + $2) * 1e6}' "$OUT/cpu")"
    done >"$OUT/runs"
    printf '%8.1f ms wall %8.1f ms cpu\n' \
        "$(cut -d' ' -f1 "$OUT/runs" | sort -n | sed -n "$(((RUNS + 1) / 2))p" | awk '{print $1 / 1000}')" \
        "$(cut -d' ' -f2 "$OUT/runs" | sort -n | sed -n "$(((RUNS + 1) / 2))p" | awk '{print $1 / 1000}')"
}
printf 'store: %s customers over %s days, %s customer messages, schema of the copy as timed\n' \
    "$CUSTOMERS" "$SPAN" "$(sqlite3 "$STORE" 'SELECT count(*) FROM message WHERE role = 1')"
k=0
for heed in "$@"; do
    k=$((k + 1))
    copy=$OUT/copy-$k.db
    rm -f "$copy" "$copy-wal" "$copy-shm"
    sqlite3 "$STORE" ".backup '$copy'"
    # promises are decided as of the end of the day, not the clock
    "$heed" trends --db "$copy" --day "$DAY" --now "${DAY}T23:59:59Z" --json >/dev/null # warm-up (and migration)
    for days in 1 7 28 366; do
        printf '%-40s v%s --days %-3s %s' "$heed" "$(sqlite3 "$copy" 'PRAGMA user_version')" \
            "$days" "$(time_runs "$heed" trends --db "$copy" --day "$DAY" --now "${DAY}T23:59:59Z" --days "$days" --json)"
        echo
    done
done
