#!/usr/bin/env bash
# test_api_ingest.sh - POST /v1/messages and /v1/events against a real server
# on loopback: single and batch, idempotence, bad items rejected with the rest
# stored, the same store as `heed import` of the same records, the ingest role
# (posts, reads nothing) and the agent role (cannot post); every body checked
# against docs/openapi.json.
. "$(dirname "$0")/lib.sh"

CHECK=${HEED_OPENAPI_CHECK:?run through ctest}
SPEC=${HEED_OPENAPI:?run through ctest}
SAMPLES=$(cd "$(dirname "$0")/../../samples/journey" && pwd)
DB=$TMP/t.db
PID=
cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

ADMIN=$("$HEED" key create --db "$DB" --role admin 2>/dev/null)
INGEST=$("$HEED" key create --db "$DB" --role ingest --name helpdesk 2>/dev/null)
AGENT=$("$HEED" key create --db "$DB" --role agent --agent agent-0001 2>/dev/null)

start_server s --rate 0 --threads 2 --quiet

# post NAME KEY PATH FILE: body in $TMP/NAME.body, status in $ST
post() {
    ST=$(curl -s -m 20 -o "$TMP/$1.body" -w '%{http_code}' -H "Authorization: Bearer $2" \
        -H 'Content-Type: application/json' --data-binary "@$4" "$URL$3")
}
get() {
    local name=$1 key=$2 path=$3
    shift 3
    ST=$(curl -s -m 20 -o "$TMP/$name.body" -w '%{http_code}' -H "Authorization: Bearer $key" \
        "$@" "$URL$path")
}
valid() {
    if "$CHECK" "$SPEC" "$2" "$3" "$ST" "$TMP/$1.body" 2>"$TMP/check.err"; then ok; else
        bad "$1: response does not fit docs/openapi.json: $(cat "$TMP/check.err")"
    fi
}
statuses() { jq -r '[.results[].status]|join(",")' "$TMP/$1.body"; }

# --- a batch of the sample's first conversations, under the import's source
head -40 "$SAMPLES/messages.jsonl" >"$TMP/m40.jsonl"
N=$(wc -l <"$TMP/m40.jsonl")
jq -s '{source:"messages", messages:.}' "$TMP/m40.jsonl" >"$TMP/batch.json"
post b1 "$INGEST" /v1/messages "$TMP/batch.json"
expect_eq "batch" "$ST" 200
valid b1 POST /v1/messages
expect_eq "batch all imported" "$(jq '[.results[]|select(.status=="imported")]|length' "$TMP/b1.body")" "$N"
expect_eq "batch indexes" "$(jq -c '[.results[].index]' "$TMP/b1.body")" "$(jq -c '[range(0;'"$N"')]' -n)"
post b2 "$INGEST" /v1/messages "$TMP/batch.json"
expect_eq "batch again: already there" \
    "$(jq '[.results[]|select(.status=="already_there")]|length' "$TMP/b2.body")" "$N"

# --- the same records through `heed import`: the same analysis, keys, links
"$HEED" import messages --db "$TMP/cli.db" -q "$TMP/m40.jsonl" >/dev/null 2>&1
CONV=$(head -1 "$TMP/m40.jsonl" | jq -r .conversation)
for _ in $(seq 1 50); do # the identity pass runs in the background
    get c "$ADMIN" "/v1/conversations/$CONV"
    [ "$ST" = 200 ] && break
    sleep 0.1
done
expect_eq "conversation linked" "$ST" 200
valid c GET "/v1/conversations/{id}"
expect_eq "count in = count stored" "$(jq '.messages|length' "$TMP/c.body")" \
    "$(jq -r .conversation "$TMP/m40.jsonl" | grep -cx "$CONV")"
"$HEED" journey --db "$TMP/cli.db" "$CONV" --json --now 2026-09-30T18:00:00Z >"$TMP/cli_j" 2>/dev/null
get j "$ADMIN" "/v1/customers/$CONV/journey?now=2026-09-30T18:00:00Z"
if cmp -s "$TMP/j.body" "$TMP/cli_j"; then ok; else bad "journey differs from the CLI import's"; diff "$TMP/j.body" "$TMP/cli_j" | head -5 >&2; fi
# what trends read instead of recomputing (schema 9: each conversation's top
# need, each promise's conversation) is kept by the ingest as by the import
if command -v sqlite3 >/dev/null; then
    for d in "$DB" "$TMP/cli.db"; do
        expect_eq "top needs and promise conversations kept in $(basename "$d")" \
            "$(sqlite3 "$d" "SELECT count(*) FROM conversation c WHERE c.top_need IS NOT
                (SELECT x.need FROM message x WHERE x.conversation = c.id AND x.role = 1
                 AND x.need IS NOT NULL GROUP BY x.need ORDER BY count(*) DESC, min(x.time),
                 min(x.id) LIMIT 1);
              SELECT count(*) FROM promise p WHERE p.conversation IS NOT
                (SELECT m.conversation FROM message m WHERE m.id = p.message);
              SELECT count(top_need) > 0 FROM conversation;
              SELECT count(*) > 0 FROM promise" | tr '\n' ' ')" "0 0 1 1 "
    done
fi
get tr "$ADMIN" "/v1/trends?day=2026-09-30&days=28&by=need&now=2026-09-30T18:00:00Z"
expect_eq "trends = the CLI import's" "$(cat "$TMP/tr.body")" \
    "$("$HEED" trends --db "$TMP/cli.db" --day 2026-09-30 --days 28 --by need \
        --now 2026-09-30T18:00:00Z --json)"

# --- one record; a reply scored against the stored customer turns
cat >"$TMP/one.json" <<'J'
{"id":"api-1","conversation":"api-c1","role":"customer","time":"2026-09-30T09:00:00Z","customer":"C-API-1","email":"api1@example.com","text":"Third time I ask: where is my refund for order #55123?"}
J
post one "$INGEST" /v1/messages "$TMP/one.json"
expect_eq "single" "$ST" 200
valid one POST /v1/messages
expect_eq "single imported" "$(statuses one)" imported
cat >"$TMP/reply.json" <<'J'
{"id":"api-2","conversation":"api-c1","role":"agent","agent":"agent-0001","time":"2026-09-30T09:05:00Z","text":"I am sorry you had to ask again. I have checked order #55123: the refund was sent today and will reach you by Friday."}
J
post reply "$INGEST" /v1/messages "$TMP/reply.json"
expect_eq "reply imported" "$(statuses reply)" imported
# the reply's context came from the store: the same as importing both at once
cat "$TMP/one.json" "$TMP/reply.json" | jq -c . >"$TMP/two.jsonl"
"$HEED" import messages --db "$TMP/cli2.db" --source api -q "$TMP/two.jsonl" >/dev/null 2>&1
"$HEED" journey --db "$TMP/cli2.db" api-c1 --json --now 2026-09-30T18:00:00Z >"$TMP/cli_j2" 2>/dev/null
for _ in $(seq 1 50); do
    get j2 "$ADMIN" "/v1/customers/api-c1/journey?now=2026-09-30T18:00:00Z"
    [ "$ST" = 200 ] && break
    sleep 0.1
done
expect_eq "reply scored against the stored turns" "$(jq -c 'del(.customer)' "$TMP/j2.body")" \
    "$(jq -c 'del(.customer)' "$TMP/cli_j2")"

# --- after an ingest the queue is refreshed once: the refresh runs the
# pending identity pass first (the new customer is in it, linked), and the
# background pass that follows finds nothing to re-link and leaves the queue
# as refreshed (before, it marked the queue stale again: a second refresh)
cat >"$TMP/q1.json" <<'J'
{"id":"api-q1","conversation":"api-cq","role":"customer","time":"2026-09-30T11:00:00Z","customer":"C-API-Q","email":"apiq@example.com","text":"This is the fourth time I write. Nobody answers and I am desperate."}
J
post q1 "$INGEST" /v1/messages "$TMP/q1.json"
expect_eq "queue probe imported" "$(statuses q1)" imported
get q "$ADMIN" "/v1/queue?all=1&limit=500&now=2026-09-30T12:00:00Z"
expect_eq "queue after the ingest" "$ST" 200
get qc "$ADMIN" "/v1/conversations/api-cq"
expect_eq "the new conversation has its customer" "$(jq '.customer | type' "$TMP/qc.body")" '"number"'
expect_eq "the new customer is in the queue" \
    "$(jq --argjson c "$(jq .customer "$TMP/qc.body")" '[.items[] | select(.customer == $c)] | length' "$TMP/q.body")" 1
if command -v sqlite3 >/dev/null; then
    sleep 1 # the background pass runs 200 ms after the ingest
    expect_eq "the background pass leaves the refreshed queue" \
        "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'queue_stale'")" 0
fi

# --- bad items are rejected, the rest stored
cat >"$TMP/mixed.json" <<'J'
{"messages":[
 {"id":"m-ok","role":"customer","time":"2026-09-30T10:00:00Z","customer":"C-API-2","text":"Hello, my parcel is late."},
 {"id":"m-notext","role":"customer","time":"2026-09-30T10:00:00Z","customer":"C-API-2"},
 {"id":"m-role","role":"robot","time":"2026-09-30T10:00:00Z","text":"beep"},
 {"id":"m-time","role":"customer","time":"yesterday-ish","text":"when?"},
 7,
 {"id":"m-src","source":"","role":"customer","time":"2026-09-30T10:00:00Z","text":"x"}
]}
J
post mixed "$INGEST" /v1/messages "$TMP/mixed.json"
expect_eq "mixed" "$ST" 200
valid mixed POST /v1/messages
expect_eq "mixed statuses" "$(statuses mixed)" "imported,rejected,rejected,rejected,rejected,rejected"
expect_eq "missing text named" "$(jq -r '.results[1].error.field' "$TMP/mixed.body")" text
expect_eq "not an object" "$(jq -r '.results[4].error.code' "$TMP/mixed.body")" wrong_type

# --- events
cat >"$TMP/ev.json" <<'J'
{"events":[
 {"id":"e-1","type":"refund","customer":"C-API-1","time":"2026-09-30T11:00:00Z","amount":"12.50","currency":"GBP"},
 {"id":"e-2","type":"teleport","customer":"C-API-1","time":"2026-09-30T11:00:00Z"}
]}
J
post ev "$INGEST" /v1/events "$TMP/ev.json"
expect_eq "events" "$ST" 200
valid ev POST /v1/events
expect_eq "events statuses" "$(statuses ev)" "imported,rejected"
post ev2 "$ADMIN" /v1/events "$TMP/ev.json"
expect_eq "admin may post; idempotent" "$(statuses ev2)" "already_there,rejected"

# --- whole-request errors and roles
printf '{"messages":[]}' >"$TMP/empty.json"
post e1 "$INGEST" /v1/messages "$TMP/empty.json"
expect_eq "empty batch" "$ST" 400
valid e1 POST /v1/messages
jq -n '{messages:[range(0;101)|{id:"x\(.)",text:"hi",role:"customer",time:"2026-09-30T10:00:00Z"}]}' >"$TMP/big.json"
post e2 "$INGEST" /v1/messages "$TMP/big.json"
expect_eq "batch too large" "$(jq -r .error.code "$TMP/e2.body")" batch_too_large
post ag "$AGENT" /v1/messages "$TMP/one.json"
expect_eq "agent cannot ingest" "$ST" 403
get rd "$INGEST" "/v1/queue"
expect_eq "ingest key cannot read" "$ST" 403
get rd2 "$INGEST" "/v1/conversations/api-c1"
expect_eq "ingest key cannot read a conversation" "$ST" 403

# every status answered on a route is one docs/openapi.json lists for it
get metrics "" /metrics
doc_lists_statuses "$SPEC" "$TMP/metrics.body"

kill -TERM "$PID"
wait "$PID"
expect_eq "clean stop" "$?" 0
PID=
finish
