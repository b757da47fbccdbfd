#!/usr/bin/env bash
# serve_queue.sh - the act-now queue of `heed serve` on a large store
# (bench/README.md, "The act-now queue after an ingest"):
#   bench/serve_queue.sh ingest HEED NAME [serve options]
#       copies $HEED_BENCH_STORE (default /tmp/full.db) to $W/NAME.db, starts
#       the server on it and times GET /v1/queue before one POST /v1/messages,
#       right after it and the next one; the server is left running ($W/NAME.pid)
#   bench/serve_queue.sh pass HEED DB CHUNK
#       the periodic pass over every customer (--queue-interval 5, parts of
#       CHUNK) on the store DB, and POST /v1/messages's latency before and
#       during it
# $W is $HEED_BENCH_DIR (default /tmp/heed-queue-bench). The store copied is
# never written.
set -u
W=${HEED_BENCH_DIR:-/tmp/heed-queue-bench}
mkdir -p "$W"
mode=$1
shift
if [ "$mode" = ingest ]; then
H=$1; N=$2; shift 2
D=$W/$N.db
rm -f "$D" "$D-wal" "$D-shm"
cp "${HEED_BENCH_STORE:-/tmp/full.db}" "$D"
A=$("$H" key create --db "$D" --role admin 2>/dev/null)
I=$("$H" key create --db "$D" --role ingest 2>/dev/null)
read -r CONV SRC < <(sqlite3 -separator ' ' "$D" "SELECT ext_id, source FROM conversation WHERE source='messages' ORDER BY id DESC LIMIT 1")
"$H" serve --db "$D" --listen 127.0.0.1:0 --threads 2 --quiet "$@" >$W/$N.out 2>$W/$N.err &
P=$!
for _ in $(seq 1 600); do U=$(sed -n 's/^heed serve: listening on \(http:.*\)$/\1/p' $W/$N.out); [ -n "$U" ] && break; sleep 0.1; done
t() { curl -s -o $W/$N.body -w '%{http_code} %{time_total}s' -H "Authorization: Bearer $A" "$U$1"; }
echo "$N: GET /v1/queue before ingest: $(t /v1/queue)"
echo "$N: GET /v1/queue again: $(t /v1/queue)"
printf '{"source":"%s","messages":[{"id":"bench-1","conversation":"%s","role":"customer","time":"2026-09-30T23:00:00Z","text":"Third time I ask: where is my refund? This is unacceptable."}]}' "$SRC" "$CONV" >$W/$N.post
echo "$N: POST /v1/messages: $(curl -s -o /dev/null -w '%{http_code} %{time_total}s' -H "Authorization: Bearer $I" -H 'Content-Type: application/json' --data-binary @$W/$N.post "$U/v1/messages")"
echo "$N: GET /v1/queue right after: $(t /v1/queue)"
echo "$N: GET /v1/queue next: $(t /v1/queue)"
sleep 1
echo "$N: GET /v1/queue after the identity pass: $(t /v1/queue)"
curl -s "$U/metrics" | grep '^heed_queue' | sed "s/^/$N: /"
echo "$P" >$W/$N.pid
echo "$N: URL $U"
else
H=$1; D=$2; C=$3
A=$("$H" key create --db "$D" --role admin 2>/dev/null)
I=$("$H" key create --db "$D" --role ingest 2>/dev/null)
read -r CONV SRC < <(sqlite3 -separator ' ' "$D" "SELECT ext_id, source FROM conversation WHERE source='messages' ORDER BY id DESC LIMIT 1")
"$H" serve --db "$D" --listen 127.0.0.1:0 --threads 2 --quiet --queue-interval 5 --queue-chunk "$C" >$W/pass.out 2>$W/pass.err &
P=$!
for _ in $(seq 1 600); do U=$(sed -n 's/^heed serve: listening on \(http:.*\)$/\1/p' $W/pass.out); [ -n "$U" ] && break; sleep 0.1; done
m() { curl -s "$U/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
post() { printf '{"source":"%s","messages":[{"id":"pass-%s","conversation":"%s","role":"customer","time":"2026-09-30T23:00:00Z","text":"Still waiting for my refund."}]}' "$SRC" "$1" "$CONV" |
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $I" -H 'Content-Type: application/json' --data-binary @- "$U/v1/messages"; }
: >$W/idle.lat; : >$W/during.lat
for i in $(seq 1 20); do post idle-$C-$i >>$W/idle.lat; sleep 0.05; done
while [ "$(m 'heed_queue_refreshes_total{kind="chunk"}')" = 0 ]; do sleep 0.05; done
t0=$(date +%s.%N); i=0
while [ "$(m heed_queue_passes_total)" = 0 ]; do i=$((i+1)); post during-$C-$i >>$W/during.lat; sleep 0.05; done
t1=$(date +%s.%N)
echo "chunk $C: pass took about $(echo "$t1 - $t0" | bc) s (wall, from the first part seen)"
curl -s "$U/metrics" | grep '^heed_queue'
q() { sort -n "$1" | awk '{v[NR]=$1} END {printf "n=%d p50=%.4f p95=%.4f max=%.4f\n", NR, v[int(NR*0.5)+1], v[int(NR*0.95)+1], v[NR]}'; }
echo "POST latency idle:        $(q $W/idle.lat)"
echo "POST latency during pass: $(q $W/during.lat)"
echo "GET /v1/queue after the pass: $(curl -s -o /dev/null -w '%{time_total}s' -H "Authorization: Bearer $A" "$U/v1/queue")"
kill -TERM $P; wait $P
fi
