#!/usr/bin/env bash
# test_api_writer.sh - the server's ingest writer (src/server/writer.c) against
# a real server on loopback with one request thread: many concurrent ingest
# requests each get their own answer and are all stored; while another
# process holds the store's write lock, ingest requests wait for the writer
# and /v1/analyze and /metrics are still answered by that one thread; the
# waiting requests are committed in one transaction when the lock is let go,
# and one of them failing in the store (an injected trigger) fails alone;
# SIGTERM with requests waiting: they are answered and stored, the server
# exits 0. The checks are on answers and stored rows, never on time.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || { bad "sqlite3 is missing (scripts/deps.sh installs it)"; finish; exit 1; }
DB=$TMP/t.db
PID=
LOCK=
cleanup() {
    [ -n "$LOCK" ] && kill -KILL "$LOCK" 2>/dev/null
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

INGEST=$("$HEED" key create --db "$DB" --role ingest --name load 2>/dev/null)
AGENT=$("$HEED" key create --db "$DB" --role agent --name reader 2>/dev/null)
# a store failure for one message only: the id "boom" cannot be inserted
sqlite3 "$DB" "CREATE TRIGGER test_boom BEFORE INSERT ON message WHEN NEW.ext_id = 'boom'
    BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"

start_server s --rate 0 --threads 1 --quiet

# msg ID [CONV]: one customer message as a request body
msg() {
    printf '{"id":"%s","conversation":"%s","role":"customer","time":"2026-09-30T09:00:00Z","email":"%s@example.com","text":"Where is my refund for order %s? I asked twice."}' \
        "$1" "${2:-c-$1}" "$1" "$1"
}
# post NAME BODY: POST /v1/messages in the background; status and body in
# $TMP/NAME.st and $TMP/NAME.body
post() {
    curl -s -m 60 -o "$TMP/$1.body" -w '%{http_code}' -H "Authorization: Bearer $INGEST" \
        -H 'Content-Type: application/json' --data-binary "$2" "$URL/v1/messages" >"$TMP/$1.st" &
}
metric() { curl -s -m 20 "$URL/metrics" | sed -n "s/^$1 //p"; }
stored() { sqlite3 "$DB" "SELECT count(*) FROM message WHERE source = 'api' AND ext_id LIKE '$1'"; }

# --- many concurrent requests, singles and batches: each its own answer
pids=()
for i in $(seq 1 30); do
    post "c$i" "$(msg "con-$i")"
    pids+=($!)
done
for i in $(seq 1 5); do
    post "b$i" "{\"messages\":[$(msg "bat-$i-a"),$(msg "bat-$i-b" "c-bat-$i-a"),{\"id\":\"bat-$i-bad\",\"role\":\"customer\"}]}"
    pids+=($!)
done
wait "${pids[@]}"
good=0
for i in $(seq 1 30); do
    [ "$(cat "$TMP/c$i.st")" = 200 ] && [ "$(jq -c '[.results[]|[.index,.status]]' "$TMP/c$i.body")" = '[[0,"imported"]]' ] &&
        good=$((good + 1))
done
expect_eq "30 concurrent singles: each answered imported" "$good" 30
good=0
for i in $(seq 1 5); do
    [ "$(cat "$TMP/b$i.st")" = 200 ] &&
        [ "$(jq -c '[.results[]|[.index,.status,.error.field]]' "$TMP/b$i.body")" = '[[0,"imported",null],[1,"imported",null],[2,"rejected","text"]]' ] &&
        good=$((good + 1))
done
expect_eq "5 concurrent batches: their own results, the bad item rejected" "$good" 5
expect_eq "count in = count stored" "$(stored 'con-%')/$(stored 'bat-%')" "30/10"
expect_eq "metrics: every request committed" "$(metric heed_ingest_committed_requests_total)" 35
expect_eq "metrics: records ingested" "$(metric heed_ingested_total)" 40
expect_eq "metrics: nothing waiting" "$(metric heed_ingest_waiting_requests)" 0

# --- again: already there, answered per request
post again "$(msg con-1)"
wait $!
expect_eq "again: already_there" "$(jq -r '.results[0].status' "$TMP/again.body")" already_there

# lock_store: another process takes the store's write lock and holds it until
# unlock_store (sqlite3 reading its statements from a fifo)
lock_store() {
    mkfifo "$TMP/lock.fifo"
    sqlite3 "$DB" <"$TMP/lock.fifo" >"$TMP/lock.out" 2>&1 &
    LOCK=$!
    exec 3>"$TMP/lock.fifo"
    echo "BEGIN IMMEDIATE; SELECT 'locked';" >&3
    for _ in $(seq 1 100); do
        grep -q locked "$TMP/lock.out" && return
        sleep 0.1
    done
    bad "sqlite3 did not take the write lock"
}
unlock_store() {
    echo "COMMIT;" >&3
    exec 3>&-
    wait "$LOCK"
    LOCK=
    rm -f "$TMP/lock.fifo"
}
# wait_waiting N: until N ingest requests wait for the writer (asked through
# /metrics, which the request thread answers meanwhile)
wait_waiting() {
    local w=
    for _ in $(seq 1 100); do
        w=$(metric heed_ingest_waiting_requests)
        [ "$w" = "$1" ] && return
        sleep 0.1
    done
    bad "waiting requests: got '$w', want $1"
}

# --- the store locked by another process: ingests wait, analyze is answered
C0=$(metric heed_ingest_commits_total)
R0=$(metric heed_ingest_committed_requests_total)
lock_store
pids=()
for i in $(seq 1 6); do
    post "l$i" "$(msg "lock-$i")"
    pids+=($!)
done
post lboom "$(msg boom)"
pids+=($!)
wait_waiting 7
ST=$(curl -s -m 20 -o "$TMP/an.body" -w '%{http_code}' -H "Authorization: Bearer $AGENT" \
    -H 'Content-Type: application/json' --data-binary '{"text":"Thanks, that fixed it.","role":"customer"}' \
    "$URL/v1/analyze")
expect_eq "analyze answered while ingests wait for the lock" "$ST" 200
expect_eq "analyze's answer" "$(jq -r 'has("valence")' "$TMP/an.body")" true
expect_eq "the ingests still wait" "$(metric heed_ingest_waiting_requests)" 7
expect_eq "nothing answered yet" "$(cat "$TMP"/l*.st | tr -d '\n')" ""
unlock_store
wait "${pids[@]}"
good=0
for i in $(seq 1 6); do
    [ "$(cat "$TMP/l$i.st")" = 200 ] && [ "$(jq -r '.results[0].status' "$TMP/l$i.body")" = imported ] &&
        good=$((good + 1))
done
expect_eq "after the lock: each ingest imported" "$good" 6
expect_eq "the failing request fails alone: 503" "$(cat "$TMP/lboom.st")" 503
expect_eq "its error" "$(jq -r .error.code "$TMP/lboom.body")" unavailable
expect_eq "stored: the six, not the failed one" "$(stored 'lock-%')/$(stored boom)" "6/0"
expect_eq "one transaction for the six" \
    "$(($(metric heed_ingest_commits_total) - C0))/$(($(metric heed_ingest_committed_requests_total) - R0))" "1/6"

# --- SIGTERM while requests wait for the writer: answered, stored, exit 0
lock_store
pids=()
for i in $(seq 1 3); do
    post "t$i" "$(msg "term-$i")"
    pids+=($!)
done
wait_waiting 3
kill -TERM "$PID"
sleep 0.5 # the stop has begun (not a measure: the answers are checked below)
unlock_store
wait "${pids[@]}"
wait "$PID"
expect_eq "SIGTERM with waiting requests: exit" "$?" 0
PID=
good=0
for i in $(seq 1 3); do
    [ "$(cat "$TMP/t$i.st")" = 200 ] && [ "$(jq -r '.results[0].status' "$TMP/t$i.body")" = imported ] &&
        good=$((good + 1))
done
expect_eq "SIGTERM: the waiting requests answered imported" "$good" 3
expect_eq "SIGTERM: and stored" "$(stored 'term-%')" 3
finish
