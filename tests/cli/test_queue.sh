#!/usr/bin/env bash
# test_queue.sh - the act-now queue and one journey on a small constructed
# store (tests/data/journey, fixed times, --now): a vulnerable customer with a
# broken refund promise outranks an angry one-off; waiting 2 days outranks
# being answered an hour ago at the same stress; `heed queue done` hides a
# customer until they write again; reasons are plain words; the journey's
# promises are kept, kept_late, broken and pending from the events.
. "$(dirname "$0")/lib.sh"
J=$2/journey
DB=$TMP/q.db
NOW=2026-10-05T12:00:00Z

for f in customers.csv messages.jsonl events.jsonl; do
    k=${f%.*}
    "$HEED" import "$k" "$J/$f" --db "$DB" -q
    expect_eq "import $k" "$?" 0
done

"$HEED" queue --db "$DB" --now "$NOW" --json >"$TMP/q.json" 2>"$TMP/err"
expect_eq "queue exit" "$?" 0
# rank_of CRM: the line (= rank) of that customer in the JSON queue, or 0
rank_of() { grep -n "\"crm\":\"$1\"" "$2" | cut -d: -f1 | head -1 | grep . || echo 0; }
vera=$(rank_of C100 "$TMP/q.json") andy=$(rank_of C200 "$TMP/q.json")
wendy=$(rank_of C300 "$TMP/q.json") alan=$(rank_of C400 "$TMP/q.json")
expect_eq "vulnerable + broken refund first" "$vera" 1
if [ "$andy" -gt "$vera" ]; then ok; else bad "angry one-off ($andy) should rank below vera ($vera)"; fi
if [ "$wendy" -gt 0 ] && [ "$wendy" -lt "$alan" ]; then ok; else
    bad "waiting 2 days ($wendy) should outrank answered an hour ago ($alan)"; fi
# the rank field agrees with the order
expect_grep "rank field" "$TMP/q.json" '{"rank":1,"customer":1,"crm":"C100"'

# reasons in plain words
V=$TMP/vera.json
grep '"crm":"C100"' "$TMP/q.json" >"$V"
expect_grep "refund reason" "$V" '"a promised refund is 4 days overdue"'
expect_grep "vulnerable reason" "$V" '"vulnerable (flagged in the CRM)"'
expect_grep "vulnerable flag" "$V" '"vulnerable":true'
expect_grep "promises counted" "$V" '"promises":{"broken":1,"pending":0,"kept":0}'
grep '"crm":"C300"' "$TMP/q.json" >"$TMP/wendy.json"
expect_grep "waiting reason" "$TMP/wendy.json" '"waiting 2 days for a reply"'
expect_grep "waiting since" "$TMP/wendy.json" '"waiting_since":"2026-10-03T12:00:00Z"'
"$HEED" queue --db "$DB" --now "$NOW" >"$TMP/q.txt" 2>/dev/null
expect_grep "text queue" "$TMP/q.txt" "C100 Vera Vale  (customer 1)  stress 31, waiting 4 h"
expect_grep "text reason" "$TMP/q.txt" "       - a promised refund is 4 days overdue"

# done: Wendy leaves the queue until she writes again
"$HEED" queue done C300 --db "$DB" --now "$NOW" >"$TMP/done" 2>&1
expect_eq "done exit" "$?" 0
expect_grep "done message" "$TMP/done" "customer 3 marked done"
"$HEED" queue --db "$DB" --now "$NOW" --json >"$TMP/q2.json" 2>/dev/null
expect_eq "done: gone" "$(rank_of C300 "$TMP/q2.json")" 0
expect_eq "done: others stay" "$(rank_of C100 "$TMP/q2.json")" 1
"$HEED" queue --db "$DB" --now "$NOW" --json --all >"$TMP/q3.json" 2>/dev/null
if [ "$(rank_of C300 "$TMP/q3.json")" -gt 0 ]; then ok; else bad "--all should list C300"; fi
"$HEED" queue done nobody --db "$DB" --now "$NOW" >/dev/null 2>"$TMP/err"
expect_eq "done unknown exit" "$?" 2
expect_grep "done unknown" "$TMP/err" "no customer 'nobody'"
"$HEED" import messages "$J/wendy-again.jsonl" --db "$DB" -q
"$HEED" queue --db "$DB" --now 2026-10-05T13:00:00Z --json >"$TMP/q4.json" 2>/dev/null
if [ "$(rank_of C300 "$TMP/q4.json")" -gt 0 ]; then ok; else bad "C300 wrote again: back in the queue"; fi

# the journey: promise statuses from the events
"$HEED" journey C800 --db "$DB" --now "$NOW" --json >"$TMP/j.json" 2>"$TMP/err"
expect_eq "journey exit" "$?" 0
st() { grep -o "{\"kind\":\"$1\",\"status\":\"[a-z_]*\"" "$TMP/j.json" | cut -d'"' -f8; }
expect_eq "refund kept" "$(st refund)" kept
expect_eq "callback kept late" "$(st callback)" kept_late
expect_eq "replacement broken" "$(st replacement)" broken
expect_eq "follow-up pending" "$(st follow_up)" pending
expect_grep "journey customer" "$TMP/j.json" '{"customer":8,"crm":"C800","name":"Kim Promise"'
expect_grep "journey event" "$TMP/j.json" '"type":"event","event":"refund","id":"EV1"'
"$HEED" journey C800 --db "$DB" --now "$NOW" >"$TMP/j.txt" 2>&1
expect_grep "journey text" "$TMP/j.txt" "Promises (4):"
"$HEED" journey nobody --db "$DB" >/dev/null 2>&1
expect_eq "journey unknown exit" "$?" 2

# a full refresh reads the customers in parts (docs/store.md; $HEED_QUEUE_PART
# sets the customers per part): parts of 1 and of 3 write the rows that one
# part for everyone writes, and recompute every customer
if command -v sqlite3 >/dev/null; then
    state() {
        sqlite3 -separator '|' "$DB" "SELECT person, score, stress_now, waiting_since, broken,
            pending, kept, vulnerable, reasons, as_of, last_activity FROM person_state
            ORDER BY person; SELECT promise, due, kept FROM promise_state ORDER BY promise"
    }
    persons=$(sqlite3 "$DB" "SELECT count(DISTINCT person) FROM party")
    for k in 100000 1 3; do
        HEED_QUEUE_PART=$k "$HEED" queue --db "$DB" --now "$NOW" --refresh --top 1 >/dev/null 2>"$TMP/r$k.err"
        expect_eq "refresh in parts of $k exit" "$?" 0
        expect_grep "refresh in parts of $k: every customer" "$TMP/r$k.err" "queue recomputed for $persons customers"
        state >"$TMP/state$k"
    done
    expect_eq "the state has every customer and every promise" \
        "$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM person_state) || ' ' || (SELECT count(*) FROM promise_state)")" \
        "$persons $(sqlite3 "$DB" "SELECT count(*) FROM promise")"
    for k in 1 3; do
        if cmp -s "$TMP/state100000" "$TMP/state$k"; then ok; else
            bad "refresh in parts of $k wrote other rows"; diff "$TMP/state100000" "$TMP/state$k" >&2; fi
    done
fi

# an answer that cannot be written (a full disk) is an error, not exit 0
if [ -w /dev/full ]; then
    for c in "queue" "journey C100" "customer why C100" "agents" "trends"; do
        # shellcheck disable=SC2086
        "$HEED" $c --db "$DB" --now "$NOW" >/dev/full 2>"$TMP/err"
        expect_eq "$c into a full disk: exit" "$?" 2
        expect_grep "$c into a full disk: said" "$TMP/err" "write"
    done
fi
# ---- --now data: the store's latest time, a reply's or a customer's (two
# places hold them: the partial index message_customer_time and meta
# latest_other_time, kept by the commits)
L=$TMP/latest.db
printf '%s\n' '{"id":"l1","conversation":"lc","role":"customer","time":"2026-09-01T09:00:00Z","text":"Where is my parcel?"}' \
    '{"id":"l2","conversation":"lc","role":"agent","agent":"a1","time":"2026-09-01T10:00:00Z","text":"It arrives tomorrow."}' >"$TMP/l1.jsonl"
"$HEED" import messages "$TMP/l1.jsonl" --db "$L" -q
"$HEED" queue --db "$L" --refresh --now data >/dev/null 2>&1
expect_eq "--now data: the latest reply" "$(sqlite3 "$L" "SELECT DISTINCT as_of FROM person_state")" 1788256800
printf '%s\n' '{"id":"l3","conversation":"lc","role":"customer","time":"2026-09-01T11:00:00Z","text":"Thanks."}' >"$TMP/l2.jsonl"
"$HEED" import messages "$TMP/l2.jsonl" --db "$L" -q
"$HEED" queue --db "$L" --refresh --now data >/dev/null 2>&1
expect_eq "--now data: the latest customer message" "$(sqlite3 "$L" "SELECT DISTINCT as_of FROM person_state")" 1788260400
finish
