#!/usr/bin/env bash
# test_queue_incr.sh - the act-now queue kept current without deciding every
# customer after each ingest (docs/api.md, "The queue"): on a generated set
# decided as of T1, ingests as of T2 (new messages, a new customer, an event
# keeping a promise, a record that merges a customer into another) are
# followed by a refresh of only the customers they touched, whose rows equal
# those of a full refresh as of T2 byte for byte while every other row is
# left as it was; the periodic pass brings every customer to T2 with no
# ingest (a promise falling due is broken), webhook detection finds a
# promise that fell due between passes, and ingests during passes made of
# small parts are neither lost nor overwritten.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 missing: skipped"; exit 0; }

T1=2026-09-28T00:00:00Z
T2=2026-09-30T18:00:00Z
T1S=$(date -u -d "$T1" +%s)
T2S=$(date -u -d "$T2" +%s)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

post() { # post NAME PATH FILE
    ST=$(curl -s -m 30 -o "$TMP/$1.body" -w '%{http_code}' -H "Authorization: Bearer $INGEST" \
        -H 'Content-Type: application/json' --data-binary "@$3" "$URL$2")
}
get() { # get NAME PATH
    ST=$(curl -s -m 30 -o "$TMP/$1.body" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" "$URL$2")
}
metric() { # metric NAME: its value in /metrics
    curl -s "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
stop() {
    kill -TERM "$PID"
    wait "$PID"
    expect_eq "$1: stops cleanly" "$?" 0
}
# every state row: person, score, stress, waiting, promises, vulnerable,
# reasons (one line), as_of, last activity
rows() {
    sqlite3 -separator '|' "$1" "SELECT person, score, stress_now, waiting_since, broken, pending,
        kept, vulnerable, replace(reasons, char(10), ' / '), as_of, last_activity
        FROM person_state ${2:-} ORDER BY person"
}
proms() { sqlite3 -separator '|' "$1" "SELECT promise, due, kept FROM promise_state ORDER BY promise"; }
person_of_crm() {
    sqlite3 "$1" "SELECT p.person FROM party p JOIN customer c ON c.party = p.id WHERE c.ext_id = '$2'"
}

# ---- the store: a generated set and a customer known by e-mail alone,
# decided as of T1
"$HEED" generate --customers 300 --seed 5 --out "$TMP/g" >/dev/null 2>&1
expect_eq "generate" "$?" 0
DB0=$TMP/t1.db
"$HEED" import dir --db "$DB0" -q "$TMP/g" >/dev/null 2>&1
expect_eq "import" "$?" 0
echo '{"id":"solo-1","conversation":"solo-c","role":"customer","time":"2026-09-20T10:00:00Z","channel":"email","email":"solo@example.net","text":"Where is my parcel? Nobody answers and I am really upset."}' >"$TMP/solo.jsonl"
"$HEED" import messages --db "$DB0" -q "$TMP/solo.jsonl" >/dev/null 2>&1
"$HEED" queue --db "$DB0" --now "$T1" --refresh >/dev/null 2>&1
expect_eq "decided as of T1" "$(sqlite3 "$DB0" "SELECT count(*) > 250, min(as_of) = max(as_of),
    min(as_of) = $T1S FROM person_state; SELECT count(*) FROM queue_dirty")" "1|1|1
0"
ADMIN=$("$HEED" key create --db "$DB0" --role admin 2>/dev/null)
INGEST=$("$HEED" key create --db "$DB0" --role ingest 2>/dev/null)

# ---- 1. ingests, then the refresh of only the customers they touched
DB=$TMP/incr.db
cp "$DB0" "$DB"
rows "$DB" >"$TMP/rows.t1"
# A writes again; B's pending refund is kept by a refund event; a new
# customer; a record with E's CRM id and the solo customer's e-mail merges
# the solo customer into E
A=$(person_of_crm "$DB" cust-000001)
read -r B BCRM <<<"$(sqlite3 -separator ' ' "$DB" "SELECT p.person, cu.ext_id FROM promise_state ps
    JOIN promise pr ON pr.id = ps.promise JOIN conversation c ON c.id = pr.conversation
    JOIN party p ON p.id = c.party JOIN party q ON q.person = p.person
    JOIN customer cu ON cu.party = q.id WHERE pr.kind = 0 AND ps.kept IS NULL
    AND pr.made < $T2S - 3600 AND p.person <> $A ORDER BY p.person LIMIT 1")"
E=$(person_of_crm "$DB" cust-000010)
S=$(sqlite3 "$DB" "SELECT p.person FROM party p JOIN conversation c ON c.party = p.id WHERE c.ext_id = 'solo-c'")
expect_eq "the customers picked" "$([ -n "$A" ] && [ -n "$B" ] && [ -n "$E" ] && [ -n "$S" ] &&
    [ "$B" != "$E" ] && [ "$A" != "$E" ] && echo yes)" yes
start_server incr --rate 0 --threads 2 --quiet --now "$T2"
cat >"$TMP/m.json" <<J
{"source":"messages","messages":[
 {"id":"incr-a1","conversation":"conv-0000001","customer":"cust-000001","role":"customer","time":"2026-09-30T10:00:00Z","channel":"chat","text":"Third time I write: this is a disgrace and I want my money back now."},
 {"id":"incr-n1","conversation":"incr-new","customer":"C-INCR-NEW","role":"customer","time":"2026-09-30T11:00:00Z","channel":"email","email":"incr.new@example.com","text":"My father passed away and I need to close his account, please help."},
 {"id":"incr-m1","conversation":"incr-merge","customer":"cust-000010","role":"customer","time":"2026-09-30T12:00:00Z","channel":"email","email":"solo@example.net","text":"Still nothing about my parcel."}
]}
J
post m /v1/messages "$TMP/m.json"
expect_eq "messages" "$(jq -r '[.results[].status]|join(",")' "$TMP/m.body")" "imported,imported,imported"
echo "{\"events\":[{\"id\":\"incr-e1\",\"type\":\"refund\",\"customer\":\"$BCRM\",\"time\":\"2026-09-30T09:00:00Z\",\"amount\":20,\"currency\":\"GBP\"}]}" >"$TMP/e.json"
post e /v1/events "$TMP/e.json"
expect_eq "event" "$(jq -r '.results[0].status' "$TMP/e.body")" imported
get q "/v1/queue?all=true&limit=500"
expect_eq "queue" "$ST" 200
get c "/v1/conversations/incr-new"
NEW=$(jq .customer "$TMP/c.body")
expect_eq "the new customer is in the queue" \
    "$(jq --argjson c "$NEW" '[.items[]|select(.customer == $c)]|length' "$TMP/q.body")" 1
expect_eq "the answer: as of the oldest decision, T1; the newest T2" \
    "$(jq -r '.as_of + " " + .as_of_newest' "$TMP/q.body")" "$T1 $T2"
expect_eq "no full refresh" "$(metric 'heed_queue_refreshes_total{kind="full"}')" 0
expect_eq "one incremental refresh" "$(metric 'heed_queue_refreshes_total{kind="incremental"}')" 1
expect_eq "of the four customers touched" "$(metric heed_queue_incremental_customers_total)" 4
get q2 "/v1/queue?all=true&limit=500"
expect_eq "the next read refreshes nothing" \
    "$(metric 'heed_queue_refreshes_total{kind="incremental"}') $(cmp -s "$TMP/q.body" "$TMP/q2.body" && echo same)" "1 same"
stop "incremental"
expect_eq "nothing left marked" "$(sqlite3 "$DB" "SELECT count(*) FROM queue_dirty")" 0
expect_eq "the customers decided again: A, B, the new one, E" \
    "$(sqlite3 "$DB" "SELECT group_concat(person, ' ') FROM (SELECT person FROM person_state
        WHERE as_of = $T2S ORDER BY person)")" "$(printf '%s\n' "$A" "$B" "$NEW" "$E" | sort -n | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the merged customer's row went" "$(sqlite3 "$DB" "SELECT count(*) FROM person_state WHERE person = $S")" 0
expect_eq "B's refund kept" "$(sqlite3 "$DB" "SELECT kept > 0 FROM person_state WHERE person = $B")" 1
# the same store refreshed fully as of T2
cp "$DB" "$TMP/full.db"
"$HEED" queue --db "$TMP/full.db" --now "$T2" --refresh >/dev/null 2>&1
rows "$DB" "WHERE as_of = $T2S" >"$TMP/rows.incr"
rows "$TMP/full.db" "WHERE person IN ($(cut -d'|' -f1 "$TMP/rows.incr" | paste -sd,))" >"$TMP/rows.full"
expect_eq "decided again: 4 rows" "$(wc -l <"$TMP/rows.incr")" 4
if cmp -s "$TMP/rows.incr" "$TMP/rows.full"; then ok; else
    bad "the rows decided again differ from a full refresh as of T2:"
    diff "$TMP/rows.full" "$TMP/rows.incr" | head -10 | cut -c1-300 >&2
fi
expect_eq "the same customers as a full refresh" \
    "$(sqlite3 "$DB" "SELECT group_concat(person) FROM (SELECT person FROM person_state ORDER BY person)")" \
    "$(sqlite3 "$TMP/full.db" "SELECT group_concat(person) FROM (SELECT person FROM person_state ORDER BY person)")"
rows "$DB" "WHERE as_of = $T1S" >"$TMP/rows.kept"
rows "$DB0" "WHERE person IN ($(cut -d'|' -f1 "$TMP/rows.kept" | paste -sd,))" >"$TMP/rows.before"
expect_eq "the others' rows left as they were" "$(wc -l <"$TMP/rows.kept") $(cmp -s "$TMP/rows.kept" "$TMP/rows.before" && echo same)" \
    "$(($(wc -l <"$TMP/rows.t1") - 4)) same"
if cmp -s <(proms "$DB") <(proms "$TMP/full.db"); then ok; else
    bad "the stored promise rows differ from a full refresh's"
    diff <(proms "$TMP/full.db") <(proms "$DB") | head -6 >&2
fi
# the rows differ from the full refresh as of T2 where time moved them (the
# others are current as of T1), so the comparison above is not trivial
expect_eq "time moved other rows" "$(rows "$TMP/full.db" "WHERE as_of = $T2S" | cmp -s - <(rows "$DB") && echo same || echo moved)" moved
# trends read the stored promise rows again: the figures of deciding again,
# and (shown by overwriting them) really the stored ones
"$HEED" trends --db "$DB" --now "$T2" --days 28 --by need --json >"$TMP/tr.stored"
cp "$DB" "$TMP/forgot.db"
sqlite3 "$TMP/forgot.db" "UPDATE meta SET value = '' WHERE key = 'queue_as_of'"
"$HEED" trends --db "$TMP/forgot.db" --now "$T2" --days 28 --by need --json >"$TMP/tr.computed"
if cmp -s "$TMP/tr.stored" "$TMP/tr.computed"; then ok; else bad "trends from the stored rows differ from deciding again"; fi
sqlite3 "$TMP/forgot.db" "UPDATE meta SET value = '$T1S' WHERE key = 'queue_as_of';
                          UPDATE promise_state SET kept = NULL, due = 0"
expect_eq "trends read the stored rows" \
    "$("$HEED" trends --db "$TMP/forgot.db" --now "$T2" --days 28 --json | jq '[.rows[].outcomes.promises.broken]|add')" \
    "$("$HEED" trends --db "$TMP/forgot.db" --now "$T2" --days 28 --json | jq '[.rows[].outcomes.promises.made]|add')"

# ---- 2. no ingest: the periodic pass (every second, in parts of 7) brings
# every customer to T2; a promise that fell due between T1 and T2 is broken
DB=$TMP/pass.db
cp "$DB0" "$DB"
FELL=$(sqlite3 "$DB" "SELECT count(*) FROM promise_state WHERE due >= $T1S AND due < $T2S AND kept IS NULL")
if [ "$FELL" -gt 0 ]; then ok; else bad "no promise falls due between T1 and T2"; fi
start_server pass --rate 0 --threads 2 --quiet --now "$T2" --queue-interval 1 --queue-chunk 7
for _ in $(seq 1 100); do
    [ "$(metric heed_queue_passes_total)" -ge 1 ] 2>/dev/null && break
    sleep 0.1
done
expect_eq "a pass ran" "$(metric heed_queue_passes_total | awk '{print ($1 >= 1)}')" 1
expect_eq "in parts" "$(metric 'heed_queue_refreshes_total{kind="chunk"}' | awk '{print ($1 >= 43)}')" 1
get q "/v1/queue?all=true&limit=500"
expect_eq "every customer as of T2" "$(jq -r '.as_of + " " + .as_of_newest' "$TMP/q.body")" "$T2 $T2"
expect_eq "no full refresh, no incremental" \
    "$(metric 'heed_queue_refreshes_total{kind="full"}') $(metric 'heed_queue_refreshes_total{kind="incremental"}')" "0 0"
stop "pass"
cp "$DB0" "$TMP/full2.db"
"$HEED" queue --db "$TMP/full2.db" --now "$T2" --refresh --json --all --top 500 2>/dev/null | jq -c . >"$TMP/full2.items"
jq -c '.items[]' "$TMP/q.body" >"$TMP/pass.items"
if cmp -s "$TMP/pass.items" "$TMP/full2.items"; then ok; else
    bad "the queue after the pass differs from a full refresh as of T2"
    diff "$TMP/full2.items" "$TMP/pass.items" | head -4 | cut -c1-300 >&2
fi
expect_eq "the promises that fell due are broken" \
    "$(sqlite3 "$DB" "SELECT count(*) FROM person_state s WHERE s.broken = 0 AND s.person IN (SELECT
        p.person FROM promise_state ps JOIN promise pr ON pr.id = ps.promise JOIN conversation c
        ON c.id = pr.conversation JOIN party p ON p.id = c.party WHERE ps.due >= $T1S
        AND ps.due < $T2S AND ps.kept IS NULL)")" 0
expect_eq "same rows and promise rows as the full refresh" \
    "$(cmp -s <(rows "$DB") <(rows "$TMP/full2.db") && cmp -s <(proms "$DB") <(proms "$TMP/full2.db") && echo same)" same

# ---- 3. webhook detection between passes (the pass an hour away): the
# customers whose promise fell due since they were decided are decided
# again, and every promise broken as of T2 is announced
DB=$TMP/wh.db
cp "$DB0" "$DB"
"$HEED" webhook add http://127.0.0.1:9/hook --event promise.broken --db "$DB" >/dev/null 2>&1
start_server wh --rate 0 --threads 2 --quiet --now "$T2" --webhook-interval 1 --queue-interval 3600
announced() { sqlite3 "$DB" "SELECT count(*) FROM webhook_delivery WHERE event = 'promise.broken'"; }
WANT=$(sqlite3 "$DB" "SELECT count(*) FROM promise_state WHERE $T2S > due AND NOT (kept IS NOT NULL AND kept <= $T2S)")
for _ in $(seq 1 100); do
    [ "$(announced)" -ge "$WANT" ] && break
    sleep 0.1
done
expect_eq "every promise broken as of T2 announced" "$(announced)" "$WANT"
expect_eq "with no pass and no full refresh" \
    "$(metric heed_queue_passes_total) $(metric 'heed_queue_refreshes_total{kind="full"}')" "0 0"
expect_eq "the customers whose promise fell due decided again" \
    "$(sqlite3 "$DB" "SELECT count(*) FROM person_state s WHERE s.as_of = $T1S AND s.person IN
        (SELECT p.person FROM promise_state ps JOIN promise pr ON pr.id = ps.promise
        JOIN conversation c ON c.id = pr.conversation JOIN party p ON p.id = c.party
        WHERE ps.due >= $T1S AND ps.due < $T2S AND ps.kept IS NULL)")" 0
stop "webhooks"

# ---- 4. ingests while passes in parts of 3 run back to back: none is lost
# or overwritten by a decision made before it (each part reads and writes
# under the writers' lock): the queue read right after them equals a full
# refresh as of T2 of the same records
DB=$TMP/race.db
cp "$DB0" "$DB"
# a conversation of each customer, so that every message is linked at once
mapfile -t CONVS < <(sqlite3 "$DB" "SELECT c.ext_id FROM conversation c JOIN party p ON p.id = c.party
    WHERE c.source = 'messages' GROUP BY p.person ORDER BY p.person")
start_server race --rate 0 --threads 2 --quiet --now "$T2" --queue-interval 1 --queue-chunk 1
# post until a pass has ended, then on until three posts in a row came while
# one pass was under way (its parts counted, no pass ended): the queue is
# read then, before the next pass decides everyone again
i=0 midpass=0
while [ "$i" -lt 600 ]; do
    i=$((i + 1))
    p0=$(metric heed_queue_passes_total)
    c0=$(metric 'heed_queue_refreshes_total{kind="chunk"}')
    conv=${CONVS[$(( (i * 37) % ${#CONVS[@]} ))]}
    printf '{"source":"messages","messages":[{"id":"race-%d","conversation":"%s","role":"customer","time":"2026-09-30T%02d:%02d:00Z","channel":"chat","text":"Third time I ask, this is unacceptable and I am furious."}]}' \
        "$i" "$conv" $((i % 17)) $((i % 60)) >"$TMP/r.json"
    post r /v1/messages "$TMP/r.json"
    [ "$p0" -ge 1 ] || continue
    if [ "$(metric heed_queue_passes_total)" = "$p0" ] &&
        [ "$(metric 'heed_queue_refreshes_total{kind="chunk"}')" -gt "$c0" ]; then
        midpass=$((midpass + 1))
    else
        midpass=0
    fi
    [ "$midpass" -ge 3 ] && break
done
expect_eq "ingests during a pass" "$midpass" 3
get q "/v1/queue?all=true&limit=500"
stop "race"
jq -c '.items[]' "$TMP/q.body" >"$TMP/race.items"
cp "$DB" "$TMP/full4.db"
"$HEED" queue --db "$TMP/full4.db" --now "$T2" --refresh --json --all --top 500 2>/dev/null | jq -c . >"$TMP/full4.items"
if cmp -s "$TMP/race.items" "$TMP/full4.items"; then ok; else
    bad "ingests during the pass: the queue differs from a full refresh as of T2"
    diff "$TMP/full4.items" "$TMP/race.items" | head -4 | cut -c1-300 >&2
fi

# ---- the CLI: a queue current but for customers marked by the server is
# completed for those only
DB=$TMP/cli.db
cp "$DB0" "$DB"
sqlite3 "$DB" "INSERT INTO queue_dirty VALUES ($A)"
"$HEED" queue --db "$DB" --now "$T1" --json --all --top 500 >/dev/null 2>&1
expect_eq "heed queue: the marked customer only" \
    "$(sqlite3 "$DB" "SELECT count(*) FROM queue_dirty; SELECT count(*) FROM person_state WHERE as_of <> $T1S")" "0
0"
"$HEED" serve --help | grep -q -- "--queue-interval SECONDS"
expect_eq "--queue-interval in the help" "$?" 0
finish
