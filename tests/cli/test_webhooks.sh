#!/usr/bin/env bash
# test_webhooks.sh - outgoing webhooks against a loopback receiver
# (tests/webhook_sink.c): `heed webhook add/list/remove/log`, a store of the
# bundled sample (samples/journey) with customers in the act-now queue and
# broken promises as of its end, `heed serve --now` posting queue.entered and
# promise.broken after an ingest: signatures verify, payloads have their
# shape, a 500 is retried and then delivered with both attempts logged, a
# second refresh announces nothing twice, and the ingest answers before any
# delivery.
. "$(dirname "$0")/lib.sh"

SINK=${HEED_WEBHOOK_SINK:?run through ctest}
SAMPLES=$(cd "$(dirname "$0")/../../samples/journey" && pwd)
NOW=2026-09-30T23:59:59Z
DB=$TMP/t.db
PID=
SPID=
cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    [ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

"$HEED" import dir --db "$DB" -q "$SAMPLES" >/dev/null 2>&1
INGEST=$("$HEED" key create --db "$DB" --role ingest 2>/dev/null)
ADMIN=$("$HEED" key create --db "$DB" --role admin 2>/dev/null)

# --- the receiver: the first request gets 500, every later one 200
mkdir "$TMP/in"
"$SINK" serve "$TMP/port" "$TMP/in" 500 &
SPID=$!
for _ in $(seq 1 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
PORT=$(cat "$TMP/port")

# --- the CLI: refusals, add, list, remove
"$HEED" webhook add https://127.0.0.1:$PORT/ --event queue.entered --db "$DB" 2>"$TMP/err"
expect_eq "https refused" "$?" 2
expect_grep "https: a relay" "$TMP/err" "no TLS client"
"$HEED" webhook add http://192.0.2.1/hook --event queue.entered --db "$DB" 2>"$TMP/err"
expect_eq "non-loopback refused" "$?" 2
expect_grep "non-loopback: --public" "$TMP/err" "--public"
"$HEED" webhook add http://127.0.0.1:$PORT/ --db "$DB" 2>/dev/null
expect_eq "no event" "$?" 2
"$HEED" webhook add http://127.0.0.1:$PORT/ --event nope --db "$DB" 2>/dev/null
expect_eq "bad event" "$?" 2
"$HEED" webhook add http://192.0.2.1/x --public --event promise.broken --secret 0123456789abcdef0123 \
    --db "$DB" >"$TMP/out" 2>/dev/null
expect_eq "public add" "$?" 0
expect_eq "given secret not printed" "$(cat "$TMP/out")" ""
"$HEED" webhook remove 1 --db "$DB" 2>/dev/null
expect_eq "remove" "$?" 0
"$HEED" webhook remove 1 --db "$DB" 2>/dev/null
expect_eq "remove again" "$?" 1
SECRET=$("$HEED" webhook add "http://127.0.0.1:$PORT/hook?x=1" --event queue.entered \
    --event promise.broken --db "$DB" 2>/dev/null)
expect_eq "secret printed" "${#SECRET}" 64
"$HEED" webhook list --db "$DB" >"$TMP/list"
expect_grep "list: removed" "$TMP/list" "(removed)"
expect_grep "list: events" "$TMP/list" "queue.entered,promise.broken"

# --- the server, detecting as of the sample's end, retrying after 300 ms
HEED_WEBHOOK_BACKOFF_MS=300 "$HEED" serve --db "$DB" --listen 127.0.0.1:0 --rate 0 --threads 2 \
    --quiet --now "$NOW" >"$TMP/s.out" 2>"$TMP/s.err" &
PID=$!
URL=
for _ in $(seq 1 300); do
    URL=$(sed -n 's/^heed serve: listening on \(http:.*\)$/\1/p' "$TMP/s.out")
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { bad "server did not start"; cat "$TMP/s.err" >&2; finish; exit 1; }
sleep 0.5
expect_eq "nothing posted before an ingest" "$(ls "$TMP/in" | wc -l)" 0

# ingest one new message, and a customer known by e-mail alone (no CRM row)
# whose refund promised for 2026-09-18 never came: the answer comes before
# any delivery
{
    head -1 "$SAMPLES/messages.jsonl" | jq -c '.id="wh-1"'
    echo '{"id":"wh-nc-1","conversation":"wh-nc","role":"customer","time":"2026-09-15T09:00:00Z","channel":"email","email":"no.crm@example.org","text":"My order arrived broken. I want a refund please."}'
    echo '{"id":"wh-nc-2","conversation":"wh-nc","role":"agent","agent":"agent-0001","time":"2026-09-15T10:00:00Z","channel":"email","text":"I am sorry about this. I will refund you by Friday."}'
} | jq -s '{source:"messages", messages:.}' >"$TMP/m.json"
ST=$(curl -s -m 20 -o "$TMP/p.body" -w '%{http_code}' -H "Authorization: Bearer $INGEST" \
    -H 'Content-Type: application/json' --data-binary "@$TMP/m.json" "$URL/v1/messages")
expect_eq "ingest" "$ST" 200
expect_eq "ingest answered before delivery" "$(ls "$TMP/in" | grep -c body)" 0

# wait until the log shows every delivery delivered (and at least one retry)
done_all() {
    "$HEED" webhook log --db "$DB" --limit 100000 >"$TMP/log" 2>/dev/null || return 1
    [ "$(awk 'NR>1' "$TMP/log" | wc -l)" -ge 2 ] || return 1
    ! awk 'NR>1 && $8 != "delivered"' "$TMP/log" | grep -q .
}
for _ in $(seq 1 150); do done_all && break; sleep 0.2; done
done_all || bad "deliveries not all done: $(cat "$TMP/log")"
N=$(ls "$TMP/in" | grep -c 'body$')
if [ "$N" -ge 3 ]; then ok; else bad "only $N requests"; fi

# the first request got 500; the same delivery came again and got 200
D1=$(sed -n 's/^X-Heed-Delivery: \([0-9]*\)\r$/\1/p' "$TMP/in/1.head")
AGAIN=$(grep -l "^X-Heed-Delivery: $D1"$'\r' "$TMP"/in/*.head | wc -l)
expect_eq "500 retried once" "$AGAIN" 2
expect_eq "log: both attempts" "$(awk -v d="$D1" 'NR>1 && $1==d {print $2":"$7}' "$TMP/log" | sort | tr '\n' ' ')" "1:500 2:200 "
expect_eq "log: one row per request" "$(awk 'NR>1' "$TMP/log" | wc -l)" "$N"

# every request: headers, signature, payload shape
sigbad=0 shapebad=0
for h in "$TMP"/in/*.head; do
    b=${h%.head}.body
    ts=$(sed -n 's/^X-Heed-Timestamp: \([0-9]*\)\r$/\1/p' "$h")
    sig=$(sed -n 's/^X-Heed-Signature: \(.*\)\r$/\1/p' "$h")
    ev=$(sed -n 's/^X-Heed-Event: \(.*\)\r$/\1/p' "$h")
    [ "$("$SINK" sign "$SECRET" "$ts" "$b")" = "$sig" ] || sigbad=$((sigbad + 1))
    grep -q $'^Content-Type: application/json\r$' "$h" || shapebad=$((shapebad + 1))
    grep -q '^POST /hook?x=1 HTTP/1.1' "$h" || shapebad=$((shapebad + 1))
    jq -e --arg ev "$ev" --arg now "$NOW" '.event == $ev and .at == $now and
        (.customer|type) == "number" and ((.crm|type) == "string" or .crm == null) and
        (.ref|type) == "string" and (.crm == null or .ref == .crm) and
        (if .event == "queue.entered" then .score >= 60 and (.reasons|length) > 0 and .promise == null
         else .promise.kind != null and (.promise.made|type) == "string" and
              (.promise.due|type) == "string" and (.promise.text|type) == "string" and
              (.promise.conversation|type) == "string" and (.promise.message|type) == "string" end)' \
        "$b" >/dev/null || shapebad=$((shapebad + 1))
done
expect_eq "signatures verify" "$sigbad" 0
expect_eq "payload shape" "$shapebad" 0
# a wrong secret does not verify
ts=$(sed -n 's/^X-Heed-Timestamp: \([0-9]*\)\r$/\1/p' "$TMP/in/1.head")
sig=$(sed -n 's/^X-Heed-Signature: \(.*\)\r$/\1/p' "$TMP/in/1.head")
if [ "$("$SINK" sign "x$SECRET" "$ts" "$TMP/in/1.body")" != "$sig" ]; then ok; else bad "wrong secret verifies"; fi

# what was announced: each queue customer once, each broken promise once
jq -s -c '[.[] | {event, customer, promise}] | unique | length' "$TMP"/in/[0-9]*.body >"$TMP/uniq"
expect_eq "distinct announcements = deliveries" "$(cat "$TMP/uniq")" "$(awk 'NR>1 && $2==1' "$TMP/log" | wc -l)"
expect_eq "queue.entered: the queue at 60+" \
    "$(jq -s '[.[]|select(.event=="queue.entered")|.customer]|unique|length' "$TMP"/in/[0-9]*.body)" \
    "$(curl -s -H "Authorization: Bearer $ADMIN" "$URL/v1/queue?all=true&limit=500" |
        jq '[.items[]|select(.score>=60)]|length')"
if [ "$(jq -s '[.[]|select(.event=="promise.broken")]|length' "$TMP"/in/[0-9]*.body)" -gt 0 ]; then ok; else
    bad "no promise.broken"; fi

# the customer without a CRM id is named by their conversation, which the API
# resolves to the same customer; the broken promise names the reply that made it
jq -c 'select(.event == "promise.broken" and .crm == null)' "$TMP"/in/[0-9]*.body | sort -u >"$TMP/nocrm"
expect_eq "no-CRM customer announced once" "$(wc -l <"$TMP/nocrm")" 1
expect_eq "no-CRM customer: ref is their conversation" "$(jq -r .ref "$TMP/nocrm")" wh-nc
expect_eq "no-CRM promise: conversation and message" \
    "$(jq -r '.promise.kind + " " + .promise.conversation + " " + .promise.message' "$TMP/nocrm")" \
    "refund wh-nc wh-nc-2"
expect_eq "the ref resolves to the customer" \
    "$(curl -s -H "Authorization: Bearer $ADMIN" "$URL/v1/customers/wh-nc/journey" | jq .customer)" \
    "$(jq .customer "$TMP/nocrm")"
# a customer with a CRM id: ref is it, and resolves too
jq -s -c '[.[] | select(.crm != null)][0]' "$TMP"/in/[0-9]*.body >"$TMP/withcrm"
expect_eq "CRM customer: the ref resolves" \
    "$(curl -s -H "Authorization: Bearer $ADMIN" "$URL/v1/customers/$(jq -r .ref "$TMP/withcrm")/journey" | jq .customer)" \
    "$(jq .customer "$TMP/withcrm")"

# a second ingest (a second refresh) announces nothing again
head -2 "$SAMPLES/messages.jsonl" | tail -1 | jq -c '.id="wh-2"' |
    jq -s '{source:"messages", messages:.}' >"$TMP/m2.json"
ST=$(curl -s -m 20 -o "$TMP/p2.body" -w '%{http_code}' -H "Authorization: Bearer $INGEST" \
    -H 'Content-Type: application/json' --data-binary "@$TMP/m2.json" "$URL/v1/messages")
expect_eq "second ingest" "$ST" 200
sleep 2
expect_eq "no duplicate announcements" "$(ls "$TMP/in" | grep -c 'body$')" "$N"

# metrics: N-1 ok, 1 failed
curl -s "$URL/metrics" >"$TMP/metrics"
expect_grep "metrics ok" "$TMP/metrics" "heed_webhook_deliveries_total{result=\"ok\"} $((N - 1))"
expect_grep "metrics failed" "$TMP/metrics" "heed_webhook_deliveries_total{result=\"failed\"} 1"

kill -TERM "$PID"
wait "$PID"
expect_eq "server stops cleanly" "$?" 0
PID=
finish
