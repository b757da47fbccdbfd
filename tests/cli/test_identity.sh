#!/usr/bin/env bash
# test_identity.sh - linking records across silos (tests/data/journey): a CRM
# row, a chat carrying only the e-mail (other case) and events carrying only
# the phone (other formats) are one customer, and `heed customer why` says
# by which keys; two CRM customers sharing a switchboard number stay apart;
# `heed customer unmerge` splits a wrong link for good and recomputes the queue.
. "$(dirname "$0")/lib.sh"
J=$2/journey
DB=$TMP/id.db
NOW=2026-10-05T12:00:00Z

for f in customers.csv messages.jsonl events.jsonl; do
    k=${f%.*}
    "$HEED" import "$k" "$J/$f" --db "$DB" -q
    expect_eq "import $k" "$?" 0
done

# record_of LABEL FILE: the record number `why` gives a record's label
record_of() { sed -n "s/^  record \([0-9]*\): [a-z]* $1\( .*\)\{0,1\};.*/\1/p" "$2" | head -1; }

"$HEED" customer why C700 --db "$DB" >"$TMP/why" 2>"$TMP/err"
expect_eq "why exit" "$?" 0
expect_grep "why header" "$TMP/why" "Customer 7 is these records:"
crm=$(record_of C700 "$TMP/why") chat=$(record_of ida-chat "$TMP/why")
ev3=$(record_of EV3 "$TMP/why") ev4=$(record_of EV4 "$TMP/why")
expect_eq "crm record" "$crm" 7
if [ -n "$chat" ] && [ -n "$ev3" ] && [ -n "$ev4" ]; then ok; else
    bad "chat ($chat), EV3 ($ev3), EV4 ($ev4) should be records of C700"; cat "$TMP/why" >&2; fi
expect_grep "linked by e-mail" "$TMP/why" "record 7 and record $chat share email "
expect_grep "linked by phone" "$TMP/why" "record 7 and record $ev3 share phone "
expect_grep "linked by phone (E.164)" "$TMP/why" "record 7 and record $ev4 share phone "
expect_eq "4 records" "$(grep -c '^  record [0-9]*:' "$TMP/why")" 4
# keys are tokens, never the contact
expect_eq "no raw e-mail in why" "$(grep -ci 'ida.link@example.com' "$TMP/why")" 0
# the chat is found by its conversation id, as the same customer
"$HEED" customer why ida-chat --db "$DB" >"$TMP/why2" 2>&1
expect_grep "by conversation" "$TMP/why2" "Customer 7 is these records:"

# a switchboard number shared by two CRM customers links nothing between them
"$HEED" customer why C500 --db "$DB" >"$TMP/sw" 2>&1
c6=$("$HEED" customer why C600 --db "$DB" 2>&1 | sed -n 's/^Customer \([0-9]*\) is.*/\1/p')
c5=$(sed -n 's/^Customer \([0-9]*\) is.*/\1/p' "$TMP/sw")
if [ -n "$c5" ] && [ -n "$c6" ] && [ "$c5" != "$c6" ]; then ok; else bad "C500 ($c5) and C600 ($c6) merged"; fi
expect_grep "switchboard not linked" "$TMP/sw" "is shared by 3 records of 2 customers (e.g. a switchboard): not used"
expect_eq "C600 not among C500's records" "$(grep -c ': customer C600' "$TMP/sw")" 0

# unmerge the chat from the CRM row
"$HEED" customer unmerge 7 "$chat" --db "$DB" --now "$NOW" >"$TMP/un" 2>"$TMP/unerr"
expect_eq "unmerge exit" "$?" 0
expect_grep "unmerge message" "$TMP/un" "records 7 and $chat will not be the same customer again"
expect_grep "unmerge relinks" "$TMP/unerr" "heed customer: 20 records linked into 10 customers"
expect_grep "unmerge recomputes the queue" "$TMP/unerr" "heed customer: queue recomputed for 10 customers"
"$HEED" customer why C700 --db "$DB" >"$TMP/why3" 2>&1
expect_eq "chat gone from C700" "$(record_of ida-chat "$TMP/why3")" ""
expect_grep "shown as not linked" "$TMP/why3" "record 7 and record $chat share email"
expect_grep "by hand" "$TMP/why3" "but were unmerged by hand"
expect_grep "events stay" "$TMP/why3" "record 7 and record $ev3 share phone "
"$HEED" customer why ida-chat --db "$DB" >"$TMP/why4" 2>&1
expect_grep "chat is its own customer" "$TMP/why4" "Customer $chat is these records:"
# the queue has the split-off chat as a customer without a CRM row
"$HEED" queue --db "$DB" --now "$NOW" --json --top 50 >"$TMP/q.json" 2>/dev/null
expect_grep "queue after unmerge" "$TMP/q.json" "\"customer\":$chat,\"crm\":null"
# the rule survives another import
"$HEED" import messages "$J/wendy-again.jsonl" --db "$DB" -q
"$HEED" customer why C700 --db "$DB" >"$TMP/why5" 2>&1
expect_eq "still unmerged after import" "$(record_of ida-chat "$TMP/why5")" ""

# bad use
"$HEED" customer unmerge 7 7 --db "$DB" >/dev/null 2>&1
expect_eq "unmerge same record" "$?" 2
"$HEED" customer unmerge 7 99999 --db "$DB" >/dev/null 2>"$TMP/err"
expect_eq "unmerge unknown record" "$?" 2
finish
