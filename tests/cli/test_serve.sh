#!/usr/bin/env bash
# test_serve.sh - `heed serve` and `heed key` against the real server on
# loopback: keys and roles (401, 403, revoke), analyze and check-reply
# byte-identical to the CLI, bad requests (malformed JSON with its offset,
# unknown field, wrong type, no length, wrong media type, too large, unknown
# route and method), a slow client dropped by the timeout while others are
# served, the rate limit, CORS, /metrics, every JSON body checked against
# docs/openapi.json, and a clean stop on SIGTERM.
. "$(dirname "$0")/lib.sh"

CHECK=${HEED_OPENAPI_CHECK:?run through ctest}
SPEC=${HEED_OPENAPI:?run through ctest}
DB=$TMP/t.db
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

ADMIN=$("$HEED" key create --db "$DB" --role admin --name ops 2>/dev/null)
AGENT=$("$HEED" key create --db "$DB" --role agent --agent a1 --name "agent one" 2>/dev/null)
LATER=$("$HEED" key create --db "$DB" --role lead --team t1 2>/dev/null)
expect_eq "key form" "$(printf '%s' "$ADMIN" | grep -cE '^heed_[a-z2-7]{52}$')" 1
if grep -qaF "$ADMIN" "$DB"; then bad "the store holds a key in clear"; else ok; fi
"$HEED" key list --db "$DB" >"$TMP/list" 2>&1
expect_grep "key list" "$TMP/list" "agent one"
if grep -qF "$AGENT" "$TMP/list"; then bad "key list shows a key"; else ok; fi

# req NAME METHOD PATH [CURL ARGS...]: body in $TMP/NAME.body, headers in
# $TMP/NAME.hdr, status in $ST
req() {
    local name=$1 method=$2 path=$3
    shift 3
    ST=$(curl -s -m 20 -X "$method" -o "$TMP/$name.body" -D "$TMP/$name.hdr" -w '%{http_code}' \
        "$@" "$URL$path")
}
json() { curl_args=(-H 'Content-Type: application/json' --data-binary "$1"); }

# valid NAME METHOD ROUTE: the body fits the document's schema for $ST
valid() {
    if "$CHECK" "$SPEC" "$2" "$3" "$ST" "$TMP/$1.body" 2>"$TMP/check.err"; then ok; else
        bad "$1: response does not fit docs/openapi.json: $(cat "$TMP/check.err")"
    fi
}

# the document lists every route the server answers, with its roles
doc_lists_routes "$SPEC"

start_server main --timeout 2 --max-body 4096 --max-batch 3 --rate 0 --threads 2

req health GET /healthz
expect_eq "healthz" "$ST" 200
valid health GET /healthz
req openapi GET /v1/openapi.json
expect_eq "openapi" "$ST" 200
if cmp -s "$TMP/openapi.body" "$SPEC"; then ok; else bad "served OpenAPI differs from docs/"; fi

# --- the dashboard's files: their content types are the document's
for f in / /ui/app.js /ui/app.css; do
    req www GET "$f"
    expect_eq "GET $f" "$ST" 200
    ct=$(tr -d '\r' <"$TMP/www.hdr" | sed -n 's/^[Cc]ontent-[Tt]ype: //p')
    route=$([ "$f" = / ] && echo / || echo '/ui/{file}')
    if jq -e --arg r "$route" --arg ct "$ct" '.paths[$r].get.responses["200"].content | has($ct)' \
        "$SPEC" >/dev/null; then ok; else bad "GET $f: content type '$ct' not in docs/openapi.json"; fi
done
req www GET /ui/nothing.js
expect_eq "unknown dashboard file" "$ST" 404
valid www GET '/ui/{file}'

# --- keys and roles
H_ADMIN=(-H "Authorization: Bearer $ADMIN")
H_AGENT=(-H "X-Heed-Key: $AGENT")
json '{"text":"hello"}'
req nokey POST /v1/analyze "${curl_args[@]}"
expect_eq "no key" "$ST" 401
valid nokey POST /v1/analyze
expect_grep "no key code" "$TMP/nokey.body" '"code":"unauthorized"'
req badkey POST /v1/analyze "${curl_args[@]}" -H "Authorization: Bearer heed_nope"
expect_eq "bad key" "$ST" 401
req agentkeys GET /v1/keys "${H_AGENT[@]}"
expect_eq "agent on admin route" "$ST" 403
valid agentkeys GET /v1/keys
req adminkeys GET /v1/keys "${H_ADMIN[@]}"
expect_eq "admin keys" "$ST" 200
valid adminkeys GET /v1/keys
expect_grep "keys list" "$TMP/adminkeys.body" '"role":"lead","team":"t1"'
if grep -qF "$ADMIN" "$TMP/adminkeys.body"; then bad "GET /v1/keys shows a key"; else ok; fi
req lead POST /v1/analyze -H "X-Heed-Key: $LATER" "${curl_args[@]}"
expect_eq "lead analyze" "$ST" 200
"$HEED" key revoke --db "$DB" 3 2>/dev/null
expect_eq "revoke exit" "$?" 0
"$HEED" key revoke --db "$DB" 3 2>/dev/null
expect_eq "revoke twice exit" "$?" 1
# the server reloads its keys every 2 s: the key stops working within a few
for _ in $(seq 1 50); do
    sleep 0.2
    req revoked POST /v1/analyze -H "X-Heed-Key: $LATER" "${curl_args[@]}"
    [ "$ST" = 401 ] && break
done
expect_eq "revoked key" "$ST" 401

# --- analyze: the same bytes as `heed analyze` for the same fields
TEXT='I have called THREE times and my refund still has not arrived! I need it by Friday.'
REC='{"id":"m1","text":"'"$TEXT"'","role":"customer","time":"2026-09-01T07:42:00Z"}'
printf '%s\n' "$REC" | "$HEED" analyze -q | sed 's/"line":1,//' >"$TMP/cli1"
json "$REC"
req one POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "analyze" "$ST" 200
valid one POST /v1/analyze
if cmp -s "$TMP/cli1" "$TMP/one.body"; then ok; else
    bad "analyze differs from the CLI"
    diff <(tr ',' '\n' <"$TMP/cli1") <(tr ',' '\n' <"$TMP/one.body") | head >&2
fi
REPLY='{"text":"I am so sorry. I have issued your refund of 49.99 today; you will see it by Friday.","role":"agent","stages":"valence,empathy,compassion,familiar"}'
printf '%s\n' "$REPLY" | "$HEED" analyze -q --stages valence,empathy,compassion,familiar |
    sed 's/"line":1,//; s/"stages":[^,]*,//' >"$TMP/cli2"
json "$REPLY"
req reply POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "analyze reply" "$ST" 200
if cmp -s "$TMP/cli2" "$TMP/reply.body"; then ok; else bad "agent analyze differs from the CLI"; fi
expect_grep "reply stages" "$TMP/reply.body" '"reply":{'

# a batch: the CLI's records for the same lines, in order
printf '%s\n%s\n' '{"text":"Thanks so much, that fixed it!"}' '{"text":"Where is my parcel??","role":"customer"}' |
    "$HEED" analyze -q | sed 's/"line":[0-9]*,//' >"$TMP/cli3"
{ printf '{"results":['; paste -sd, "$TMP/cli3" | tr -d '\n'; printf ']}\n'; } >"$TMP/cli3.batch"
json '{"messages":[{"text":"Thanks so much, that fixed it!"},{"text":"Where is my parcel??","role":"customer"}]}'
req batch POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "batch" "$ST" 200
valid batch POST /v1/analyze
if cmp -s "$TMP/cli3.batch" "$TMP/batch.body"; then ok; else bad "batch differs from the CLI"; fi
json '{"messages":[{"text":"fine"},{"text":7},{"text":"ok","mood":"x"}],"stages":["valence"]}'
req batchbad POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "batch with bad items" "$ST" 200
valid batchbad POST /v1/analyze
expect_eq "batch item 0" "$(jq -r '.results[0].valence|type' "$TMP/batchbad.body")" number
expect_eq "batch item 1" "$(jq -r '.results[1].error.field' "$TMP/batchbad.body")" "messages[1].text"
expect_eq "batch item 2" "$(jq -r '.results[2].error.code' "$TMP/batchbad.body")" unknown_field
json '{"messages":[{"text":"a"},{"text":"b"},{"text":"c"},{"text":"d"}]}'
req batchbig POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "batch over --max-batch" "$ST" 400
valid batchbig POST /v1/analyze
expect_grep "batch over code" "$TMP/batchbig.body" '"code":"batch_too_large"'

# --- check-reply: the same bytes as `heed check-reply --json`
CUST='Can I get a refund for order #77123? The blender arrived broken.'
DRAFT='Thanks for contacting us, we value your feedback.'
"$HEED" check-reply --json --customer "$CUST" --reply "$DRAFT" >"$TMP/cli4"
json '{"customer":"'"$CUST"'","reply":"'"$DRAFT"'"}'
req check POST /v1/check-reply "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "check-reply" "$ST" 200
valid check POST /v1/check-reply
if cmp -s "$TMP/cli4" "$TMP/check.body"; then ok; else bad "check-reply differs from the CLI"; fi
json '{"customer":"hi"}'
req checkmiss POST /v1/check-reply "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "check-reply missing" "$ST" 400
expect_eq "missing field" "$(jq -r .error.field "$TMP/checkmiss.body")" reply

# --- bad requests: clear 4xx, never a crash
json '{"text": "hi",, }'
req malformed POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "malformed" "$ST" 400
valid malformed POST /v1/analyze
expect_eq "malformed code" "$(jq -r .error.code "$TMP/malformed.body")" bad_json
# cJSON stops one byte past the second comma
expect_eq "malformed offset" "$(jq -r .error.offset "$TMP/malformed.body")" 15
json '{"text":"hi"} trailing'
req trailing POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "trailing offset" "$(jq -r .error.offset "$TMP/trailing.body")" 14
json ''
req empty POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "empty body" "$ST" 400
json '{"text":"hi","colour":"red"}'
req unknown POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "unknown field" "$ST" 400
valid unknown POST /v1/analyze
expect_eq "unknown field name" "$(jq -r .error.field "$TMP/unknown.body")" colour
json '{"text":["hi"]}'
req wrongtype POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "wrong type" "$ST" 400
valid wrongtype POST /v1/analyze
expect_grep "wrong type message" "$TMP/wrongtype.body" '"message":"text: expected a string","field":"text"'
json '{"text":"hi","role":"robot"}'
req badrole POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "bad role" "$(jq -r .error.code "$TMP/badrole.body")" invalid_value
json '[1,2]'
req array POST /v1/analyze "${H_AGENT[@]}" "${curl_args[@]}"
expect_eq "not an object" "$ST" 400
json '{"text":"hi"}'
req media POST /v1/analyze "${H_AGENT[@]}" --data-binary '{"text":"hi"}' -H 'Content-Type: text/plain'
expect_eq "wrong media type" "$ST" 415
valid media POST /v1/analyze
head -c 6000 /dev/zero | tr '\0' 'a' | sed 's/^/{"text":"/; s/$/"}/' >"$TMP/big.json"
req big POST /v1/analyze "${H_AGENT[@]}" -H 'Content-Type: application/json' --data-binary @"$TMP/big.json"
expect_eq "over --max-body" "$ST" 413
valid big POST /v1/analyze
req bigchunked POST /v1/analyze "${H_AGENT[@]}" -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big.json"
expect_eq "chunked over --max-body" "$ST" 413
req nopath GET /v1/nothing "${H_AGENT[@]}"
expect_eq "unknown route" "$ST" 404
req wrongmethod GET /v1/analyze "${H_AGENT[@]}"
expect_eq "wrong method" "$ST" 405
expect_grep "allow header" "$TMP/wrongmethod.hdr" "Allow: POST"
expect_grep "request id" "$TMP/wrongmethod.hdr" "X-Request-Id: "
if grep -qi "access-control" "$TMP/wrongmethod.hdr"; then bad "CORS headers without --cors"; else ok; fi
# no Content-Length and not chunked: 411 (raw HTTP, curl always frames)
PORT=${URL##*:}
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'POST /v1/analyze HTTP/1.1\r\nHost: x\r\nX-Heed-Key: %s\r\nConnection: close\r\n\r\n' "$AGENT" >&3
expect_eq "no length" "$(timeout 10 head -1 <&3 | tr -d '\r')" "HTTP/1.1 411 Length Required"
exec 3<&-

# --- a slow client (headers, then nothing) is dropped by --timeout 2 and
# blocks nobody meanwhile
exec 4<>"/dev/tcp/127.0.0.1/$PORT"
printf 'POST /v1/analyze HTTP/1.1\r\nHost: x\r\nX-Heed-Key: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":' "$AGENT" >&4
t0=$(date +%s%N)
req duringslow GET /healthz
t1=$(date +%s%N)
expect_eq "served during a slow client" "$ST" 200
if [ $(((t1 - t0) / 1000000)) -lt 1500 ]; then ok; else bad "healthz took $(((t1 - t0) / 1000000)) ms beside a slow client"; fi
t0=$(date +%s)
timeout 10 cat <&4 >/dev/null
t1=$(date +%s)
exec 4<&-
if [ $((t1 - t0)) -le 5 ]; then ok; else bad "slow client not dropped within 5 s"; fi

# --- metrics moved
req metrics GET /metrics
expect_eq "metrics" "$ST" 200
# every status answered so far on a route is one the document lists for it
doc_lists_statuses "$SPEC" "$TMP/metrics.body"
expect_grep "metrics requests" "$TMP/metrics.body" 'heed_http_requests_total{route="POST /v1/analyze",status="200"}'
expect_grep "metrics 413" "$TMP/metrics.body" 'heed_http_requests_total{route="POST /v1/analyze",status="413"}'
expect_grep "metrics timeout" "$TMP/metrics.body" 'heed_http_requests_total{route="POST /v1/analyze",status="408"}'
expect_grep "metrics histogram" "$TMP/metrics.body" 'heed_http_request_duration_seconds_bucket{route="POST /v1/analyze",le="+Inf"}'
A=$(sed -n 's/^heed_analyses_total \([0-9]*\)$/\1/p' "$TMP/metrics.body")
if [ "${A:-0}" -ge 5 ]; then ok; else bad "heed_analyses_total is '$A'"; fi
expect_grep "metrics in flight" "$TMP/metrics.body" 'heed_http_in_flight_requests '

# --- a clean stop on SIGTERM, and a log without bodies or keys
kill -TERM "$PID"
wait "$PID"
expect_eq "SIGTERM exit" "$?" 0
expect_grep "stopped" "$TMP/main.err" "heed serve: stopped"
expect_grep "access log" "$TMP/main.err" "POST /v1/analyze 200"
if grep -qF -e "refund" -e "$AGENT" -e "$ADMIN" "$TMP/main.err"; then bad "the log holds text or a key"; else ok; fi
"$HEED" key list --db "$DB" >"$TMP/list2" 2>&1
if grep -E '^1 .*admin' "$TMP/list2" | grep -q ' 20[0-9][0-9]-.* 20[0-9][0-9]-'; then ok; else
    bad "last use of key 1 not recorded"; cat "$TMP/list2" >&2
fi

# --- rate limit per key, and CORS when asked for
start_server limited --rate 0.2 --burst 2 --cors https://app.example --quiet
codes=
for _ in 1 2 3 4; do
    req rl POST /v1/analyze "${H_AGENT[@]}" -H 'Content-Type: application/json' --data-binary '{"text":"hi"}'
    codes="$codes $ST"
done
expect_eq "rate limit" "$codes" " 200 200 429 429"
valid rl POST /v1/analyze
if grep -qE '^Retry-After: [1-9][0-9]*' "$TMP/rl.hdr"; then ok; else bad "no Retry-After"; fi
req other POST /v1/analyze "${H_ADMIN[@]}" -H 'Content-Type: application/json' --data-binary '{"text":"hi"}'
expect_eq "another key is not limited" "$ST" 200
req pre OPTIONS /v1/analyze -H 'Origin: https://app.example' -H 'Access-Control-Request-Method: POST'
expect_eq "preflight" "$ST" 204
expect_grep "cors origin" "$TMP/pre.hdr" "Access-Control-Allow-Origin: https://app.example"
req corsget GET /healthz -H 'Origin: https://evil.example'
if grep -qi "access-control" "$TMP/corsget.hdr"; then bad "CORS for another origin"; else ok; fi
req metrics2 GET /metrics
doc_lists_statuses "$SPEC" "$TMP/metrics2.body"
kill -INT "$PID"
wait "$PID"
expect_eq "SIGINT exit" "$?" 0

# --- SIGTERM with keep-alive connections open: an ingest in flight (its body
# still arriving) is answered and stored; a request that begins on a kept-alive
# connection after the signal (here one that would stall the drain: headers,
# then half its body) is refused at once with 503 and Connection: close; the
# server exits as soon as the in-flight ingest is done, not at the 10 s drain
# limit, and the idle keep-alive connection is closed
INGEST=$("$HEED" key create --db "$DB" --role ingest --name stop 2>/dev/null)
start_server stop --rate 0 --threads 2 --quiet
PORT=${URL##*:}
exec 5<>"/dev/tcp/127.0.0.1/$PORT"           # a keep-alive connection, used once
printf 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n' >&5
first=
while IFS= read -r -t 5 line <&5; do
    [ -z "$first" ] && first=$line
    case $line in '{'*) break ;; esac
done
expect_eq "keep-alive request" "${first%$'\r'}" "HTTP/1.1 200 OK"
exec 6<>"/dev/tcp/127.0.0.1/$PORT"           # an idle keep-alive connection
printf 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n' >&6
while IFS= read -r -t 5 line <&6; do case $line in '{'*) break ;; esac; done
pad=$(head -c 3000 /dev/zero | tr '\0' 'x')
printf '{"id":"stop-1","conversation":"stop-c","role":"customer","time":"2026-09-30T09:00:00Z","text":"Where is my refund? %s"}' \
    "$pad" >"$TMP/slow.json"
# about 1.5 s to send its body
curl -s -m 30 -o "$TMP/slow.body" -w '%{http_code}' --limit-rate 2K -H "Authorization: Bearer $INGEST" \
    -H 'Content-Type: application/json' --data-binary "@$TMP/slow.json" "$URL/v1/messages" \
    >"$TMP/slow.status" &
SLOW=$!
sleep 0.4
t0=$(date +%s%N)
kill -TERM "$PID"
sleep 0.2
printf 'POST /v1/analyze HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":' \
    "$ADMIN" >&5
cat <&5 >"$TMP/late.txt" &                  # until the server closes it
LATE=$!
wait "$PID"
code=$?
t1=$(date +%s%N)
expect_eq "SIGTERM with keep-alive connections: exit" "$code" 0
ms=$(((t1 - t0) / 1000000))
if [ "$ms" -lt 4000 ]; then ok; else bad "the server took $ms ms to stop (the in-flight ingest needs about 1.5 s)"; fi
wait "$SLOW"
expect_eq "in-flight ingest answered" "$(cat "$TMP/slow.status")" 200
expect_grep "in-flight ingest imported" "$TMP/slow.body" '"status":"imported"'
if command -v sqlite3 >/dev/null; then
    expect_eq "in-flight ingest stored" \
        "$(sqlite3 "$DB" "SELECT count(*) FROM message WHERE ext_id = 'stop-1'")" 1
fi
wait "$LATE"
expect_grep "a request begun after SIGTERM: 503" "$TMP/late.txt" "HTTP/1.1 503"
expect_grep "... and the connection closed" "$TMP/late.txt" "Connection: close"
expect_grep "... saying why" "$TMP/late.txt" '"code":"unavailable"'
if timeout 2 cat <&6 >/dev/null; then ok; else bad "the idle keep-alive connection was left open"; fi
exec 5<&- 6<&-

# --- refuses a public address without --public; usage errors
"$HEED" serve --db "$DB" --listen 0.0.0.0:0 >/dev/null 2>"$TMP/pub.err"
expect_eq "public refused" "$?" 2
expect_grep "public message" "$TMP/pub.err" "--public"
"$HEED" key create --db "$DB" --role boss >/dev/null 2>&1
expect_eq "bad role exit" "$?" 2
[ -n "${HEED_TEST_KEEP:-}" ] && cp -r "$TMP" "$HEED_TEST_KEEP"
finish
