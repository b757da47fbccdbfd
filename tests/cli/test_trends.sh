#!/usr/bin/env bash
# test_trends.sh - `heed trends` on the bundled sample (samples/journey, ending
# 2026-09-30): the tables by week, channel and need against golden files, every
# grouping counting the customer messages the store holds in the period, the
# JSON's shape, the period options, and clear usage errors. Then the outcomes on
# a small hand-written store (tests/data/trends) where every figure is known.
# The JSON is compared byte for byte with GET /v1/trends in test_api_store.sh.
. "$(dirname "$0")/lib.sh"
SAMPLES=$(cd "$(dirname "$0")/../../samples/journey" && pwd)
DB=$TMP/t.db
"$HEED" import dir --db "$DB" -q "$SAMPLES" >/dev/null 2>&1
expect_eq "import" "$?" 0

# promises are decided as of --now: the sample's last record
N="--now data"
for by in week channel need; do
    "$HEED" trends --db "$DB" $N --day 2026-09-30 --by "$by" >"$TMP/$by.txt" 2>"$TMP/err"
    expect_eq "trends by $by exit" "$?" 0
    golden "trends_$by.txt" "$TMP/$by.txt"
    "$HEED" trends --db "$DB" $N --day 2026-09-30 --by "$by" --json >"$TMP/$by.json" 2>"$TMP/err"
    expect_eq "trends --json by $by exit" "$?" 0
    expect_eq "one JSON line" "$(wc -l <"$TMP/$by.json")" 1
    expect_eq "by $by named" "$(jq -r .by "$TMP/$by.json")" "$by"
    jq '[.rows[].messages]|add' "$TMP/$by.json" >>"$TMP/totals"
    # the table's total line is the JSON's sum
    expect_eq "table total by $by" "$(awk '$1=="total"{print $2}' "$TMP/$by.txt")" \
        "$(jq '[.rows[].messages]|add' "$TMP/$by.json")"
done
expect_eq "groupings agree" "$(sort -u "$TMP/totals" | wc -l)" 1
if command -v sqlite3 >/dev/null; then
    expect_eq "totals = store" "$(head -1 "$TMP/totals")" "$(sqlite3 "$DB" \
        "SELECT count(*) FROM message WHERE role = 1 AND time >= strftime('%s','2026-09-03')
         AND time < strftime('%s','2026-10-01')")"
fi
expect_eq "default by week" "$("$HEED" trends --db "$DB" $N --day 2026-09-30 --json)" \
    "$(cat "$TMP/week.json")"
expect_eq "--now data is the sample's last day" \
    "$("$HEED" trends --db "$DB" --now data --json)" "$(cat "$TMP/week.json")"
expect_eq "period" "$(jq -r '.from+" "+.to' "$TMP/week.json")" \
    "2026-09-03T00:00:00Z 2026-10-01T00:00:00Z"
"$HEED" trends --db "$DB" $N --day 2026-09-30 --days 7 --json >"$TMP/w7.json"
expect_eq "--days 7" "$(jq -r '.from+" "+([.rows[].key]|join(","))' "$TMP/w7.json")" \
    "2026-09-24T00:00:00Z 2026-W39,2026-W40"
# the week both periods hold whole (2026-W40: Sep 28 on) is the same in both
expect_eq "index and scan agree" "$(jq -c '.rows[]|select(.key=="2026-W40")' "$TMP/w7.json")" \
    "$(jq -c '.rows[]|select(.key=="2026-W40")' "$TMP/week.json")"
if command -v sqlite3 >/dev/null; then
    expect_eq "schema 17" "$(sqlite3 "$DB" 'PRAGMA user_version')" 17
    # the period's messages and promises each from one covering index, with
    # no lookup per row (the conversations are read once, in id order)
    sqlite3 "$DB" "EXPLAIN QUERY PLAN SELECT time, conversation, need, stress, channel
        FROM message WHERE time >= 1 AND time < 2 AND role = 1;
        EXPLAIN QUERY PLAN SELECT id, made, conversation FROM promise
        WHERE made >= 1 AND made < 2" >"$TMP/plan"
    expect_grep "messages read through an index" "$TMP/plan" \
        "SEARCH message USING COVERING INDEX message_customer_time (time>? AND time<?)"
    expect_grep "promises read through an index" "$TMP/plan" \
        "SEARCH promise USING COVERING INDEX promise_made (made>? AND made<?)"
    # --now data: the latest times of the customers' messages and the
    # events from one index seek each, the others' from meta
    # (heed_store_latest_time)
    sqlite3 "$DB" "EXPLAIN QUERY PLAN SELECT max(time) FROM message WHERE role = 1;
        EXPLAIN QUERY PLAN SELECT max(time) FROM event" >"$TMP/plan"
    expect_eq "latest times from indexes" "$(grep -c "SEARCH .* USING \(COVERING \)\?INDEX \(message_customer_time\|event_time\)$" "$TMP/plan")" 2
    expect_eq "the other messages' latest time kept" \
        "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'latest_other_time'")" \
        "$(sqlite3 "$DB" "SELECT max(time) FROM message WHERE role <> 1")"
fi
"$HEED" trends --db "$DB" --day 2026-01-31 >"$TMP/empty.txt"
expect_grep "empty period" "$TMP/empty.txt" \
    "no customer messages, surveys or promises of linked customers in this period"
expect_eq "empty period JSON" "$("$HEED" trends --db "$DB" --day 2026-01-31 --json | jq -c .rows)" "[]"

# --- outcomes on tests/data/trends, two ISO weeks (2026-09-28 to 2026-10-11)
# as of 2026-10-11 12:00, every figure known:
#   Rita (email): refund promise due 2 Oct, refund event 1 Oct -> kept; writes
#     again in a second conversation -> a repeat customer; CSAT 5; NPS 9 about
#     no conversation -> (none)
#   Carl (chat): two messages, technical_fault then billing (a tie: the
#     conversation's top need is the earlier, technical_fault); callback
#     promise due 1 Oct, callback event 3 Oct -> kept late; CSAT 2, CES 2
#   Ben (chat, technical_fault): replacement within 3 days from 6 Oct, no
#     event -> broken; NPS 10, CES 5
#   Pia (web, billing): refund by 16 Oct -> pending; NPS 3; a CSAT after the
#     period is not counted
FIX=$(cd "$(dirname "$0")/../data/trends" && pwd)
FDB=$TMP/f.db
"$HEED" import dir --db "$FDB" -q "$FIX" >/dev/null 2>&1
expect_eq "fixture import" "$?" 0
F="--db $FDB --day 2026-10-11 --days 14 --now 2026-10-11T12:00:00Z"
rows() { "$HEED" trends $F --by "$1" --json | jq -c '.rows[]|[.key,.messages,.customers,.outcomes]'; }
o() { echo "{\"conversations\":$1,\"repeat_customers\":$2,\"surveys\":{\"n\":$3,\"csat\":$4,\"nps\":$5,\"ces\":$6},\"promises\":{\"made\":$7,\"kept\":$8,\"kept_late\":$9,\"broken\":${10},\"pending\":${11}}}"; }
expect_eq "outcomes by week" "$(rows week)" \
"[\"2026-W40\",4,2,$(o 3 1 2 3.5 null null 2 1 1 0 0)]
[\"2026-W41\",2,2,$(o 2 0 5 null 33.3 3.5 2 0 0 1 1)]"
expect_eq "outcomes by channel" "$(rows channel)" \
"[\"(none)\",0,0,$(o 0 0 1 null 100 null 0 0 0 0 0)]
[\"chat\",3,2,$(o 2 0 4 2 100 3.5 2 0 1 1 0)]
[\"email\",2,1,$(o 2 1 1 5 null null 1 1 0 0 0)]
[\"web\",1,1,$(o 1 0 1 null -100 null 1 0 0 0 1)]"
expect_eq "outcomes by need" "$(rows need)" \
"[\"(none)\",0,0,$(o 0 0 1 null 100 null 0 0 0 0 0)]
[\"billing\",2,2,$(o 2 0 1 null -100 null 1 0 0 0 1)]
[\"refund\",2,1,$(o 2 1 1 5 null null 1 1 0 0 0)]
[\"technical_fault\",2,2,$(o 2 0 4 2 100 3.5 2 0 1 1 0)]"
"$HEED" trends $F --json >"$TMP/f.json"
expect_grep "survey figures as written" "$TMP/f.json" \
    '"surveys":{"n":5,"csat":null,"nps":33.3,"ces":3.50}'
# the statuses are the journey's, customer by customer
for c in T1 T2 T3 T4; do
    "$HEED" journey --db "$FDB" "$c" --now 2026-10-11T12:00:00Z --json | jq -r '.promises[].status'
done | sort | tr '\n' ' ' >"$TMP/jstatus"
expect_eq "statuses = the journeys'" "$(cat "$TMP/jstatus")" "broken kept kept_late pending "
# earlier, Pia's promise was not made yet and Ben's was still pending
expect_eq "as of 2026-10-08" "$("$HEED" trends --db "$FDB" --day 2026-10-11 --days 14 \
    --now 2026-10-08T00:00:00Z --json | jq -c '[.rows[].outcomes.promises]')" \
    '[{"made":2,"kept":1,"kept_late":1,"broken":0,"pending":0},{"made":1,"kept":0,"kept_late":0,"broken":0,"pending":1}]'
"$HEED" trends $F --by channel >"$TMP/f.txt"
golden "trends_outcomes.txt" "$TMP/f.txt"

# the queue refresh stores what decides each promise's status with every
# event and reply it knows (the due time and the time of what kept it), and
# trends read that, as of any time, while nothing came in since: the figures
# of deciding the customers again at every time, and (shown by overwriting
# them) really the stored ones; a stale queue or an import forgets them
TIMES="2026-10-11T12:00:00Z 2026-10-11T11:00:00Z 2026-10-08T00:00:00Z 2026-10-02T12:00:00Z 2026-10-20T00:00:00Z"
for t in $TIMES; do
    "$HEED" trends --db "$FDB" --day 2026-10-11 --days 14 --now "$t" --json >"$TMP/computed-$t.json"
done
"$HEED" queue --db "$FDB" --now 2026-10-11T12:00:00Z --refresh >/dev/null 2>&1
expect_eq "stored by the refresh: 4 promises, 2 kept (one late)" \
    "$(sqlite3 "$FDB" "SELECT count(*), count(kept), sum(kept > due) FROM promise_state")" "4|2|1"
for t in $TIMES; do
    "$HEED" trends --db "$FDB" --day 2026-10-11 --days 14 --now "$t" --json >"$TMP/stored.json"
    if cmp -s "$TMP/computed-$t.json" "$TMP/stored.json"; then ok; else
        bad "stored statuses as of $t: other figures than computed"
    fi
done
sqlite3 "$FDB" "UPDATE promise_state SET kept = NULL, due = 0"
broken() { "$HEED" trends --db "$FDB" --day 2026-10-11 --days 14 --now "$1" --json \
    | jq '[.rows[].outcomes.promises.broken]|add'; }
expect_eq "the stored rows are what is read" "$(broken 2026-10-11T12:00:00Z)" 4
expect_eq "the stored rows are read as of another time" "$(broken 2026-10-11T11:00:00Z)" 4
# a customer marked for deciding again (something came in for them since
# the refresh) is decided again, the others' rows are read: with Rita's
# (kept) and Ben's (broken) marked, Ben's is broken and the overwritten rows
# of Carl and Pia say broken: 3
sqlite3 "$FDB" "INSERT INTO queue_dirty SELECT DISTINCT person FROM party WHERE person IS NOT NULL"
expect_eq "every customer marked: decided again" "$(broken 2026-10-11T12:00:00Z)" 1
sqlite3 "$FDB" "DELETE FROM queue_dirty"
expect_eq "none marked: the stored rows" "$(broken 2026-10-11T12:00:00Z)" 4
sqlite3 "$FDB" "INSERT INTO queue_dirty SELECT p.person FROM party p JOIN customer c ON c.party = p.id
                WHERE c.ext_id IN ('T1', 'T3')"
expect_eq "two customers marked: theirs decided, the others' read" "$(broken 2026-10-11T12:00:00Z)" 3
sqlite3 "$FDB" "DELETE FROM queue_dirty"
expect_eq "fresh again: the stored rows" "$(broken 2026-10-11T12:00:00Z)" 4
# an import stopped right after its first commit (as by kill -9) forgets them
# as well: it clears the queue's time before it writes anything
"$HEED" queue --db "$FDB" --now 2026-10-11T12:00:00Z --refresh >/dev/null 2>&1
sqlite3 "$FDB" "UPDATE promise_state SET kept = NULL, due = 0"
expect_eq "refreshed, overwritten: the stored rows" "$(broken 2026-10-11T12:00:00Z)" 4
printf '{"id":"late-w","conversation":"zw","role":"customer","time":"2026-10-11T09:00:00Z","email":"zw@example.com","text":"Hi?"}\n' >"$TMP/zero.jsonl"
HEED_IMPORT_CRASH_AFTER=1 "$HEED" import messages "$TMP/zero.jsonl" --db "$FDB" -q 2>/dev/null
expect_eq "the import stopped after its commit" "$?" 137
expect_eq "stored: the message" "$(sqlite3 "$FDB" "SELECT count(*) FROM message WHERE ext_id = 'late-w'")" 1
expect_eq "after an import stopped half-way: decided again" "$(broken 2026-10-11T12:00:00Z)" 1
printf '{"id":"late-x","conversation":"zz","role":"customer","time":"2026-10-11T10:00:00Z","email":"zz@example.com","text":"Hello?"}\n' >"$TMP/one.jsonl"
"$HEED" import messages "$TMP/one.jsonl" --db "$FDB" -q
"$HEED" trends $F --json | jq -c '[.rows[].outcomes.promises]' >"$TMP/after-import"
expect_eq "after an import: decided again" "$(cat "$TMP/after-import")" \
    "$(jq -c '[.rows[].outcomes.promises]' "$TMP/computed-2026-10-11T12:00:00Z.json")"

# usage errors: exit 2 and a message that names the option
usage() {
    "$HEED" trends --db "$DB" "${@:2}" >/dev/null 2>"$TMP/uerr"
    expect_eq "$1 exit" "$?" 2
}
usage "bad --by" --by colour
expect_grep "bad --by message" "$TMP/uerr" "--by wants week, channel or need, not 'colour'"
usage "bad --days" --days 0
expect_grep "bad --days message" "$TMP/uerr" "--days wants a number of days from 1 to 366"
usage "too many --days" --days 367
usage "bad --day" --day tomorrow
expect_grep "bad --day message" "$TMP/uerr" "--day wants a date such as 2026-09-30"
usage "unknown option" --colour
usage "missing value" --by
"$HEED" trends --db "$TMP/none.db" >/dev/null 2>"$TMP/uerr"
expect_eq "no store exit" "$?" 2
"$HEED" trends --help >"$TMP/help"
expect_grep "help" "$TMP/help" "Usage: heed trends [OPTIONS]"
"$HEED" --help >"$TMP/help"
expect_grep "listed in heed --help" "$TMP/help" "  trends "
finish
