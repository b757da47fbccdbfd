#!/usr/bin/env bash
# test_generate.sh - `heed generate`: deterministic output, the files and their
# headers, messages readable by `heed analyze`, scaling, every event type, the
# bundled samples/journey equal to a fresh run, usage errors.
. "$(dirname "$0")/lib.sh"
SAMPLES=$2/../../samples/journey

"$HEED" generate --out "$TMP/a" --customers 60 --seed 7 2>"$TMP/err"
expect_eq "exit" "$?" 0
expect_grep "summary" "$TMP/err" "heed generate: 60 customers"
"$HEED" generate --out "$TMP/b" --customers 60 --seed 7 2>/dev/null
if diff -r "$TMP/a" "$TMP/b" >/dev/null; then ok; else bad "two runs with the same seed differ"; fi
"$HEED" generate --out "$TMP/c" --customers 60 --seed 8 2>/dev/null
if cmp -s "$TMP/a/messages.jsonl" "$TMP/c/messages.jsonl"; then bad "another seed gives the same messages"; else ok; fi

for f in customers.csv agents.csv shifts.csv messages.jsonl events.jsonl surveys.csv mail.mbox tickets.json; do
    if [ -s "$TMP/a/$f" ]; then ok; else bad "$f missing or empty"; fi
done
expect_eq "customers header" "$(head -1 "$TMP/a/customers.csv")" "id,name,email,phone,handle,vulnerable,segment,created"
expect_eq "agents header" "$(head -1 "$TMP/a/agents.csv")" "id,name,team,email,aliases"
expect_eq "shifts header" "$(head -1 "$TMP/a/shifts.csv")" "id,agent,start,end,team"
expect_eq "surveys header" "$(head -1 "$TMP/a/surveys.csv")" "id,customer,email,time,kind,score,comment,conversation"
expect_eq "customer rows" "$(($(wc -l <"$TMP/a/customers.csv") - 1))" 60
expect_grep "event fields" "$TMP/a/events.jsonl" '{"id":"ev-00000001","type":"'
expect_grep "ticket shape" "$TMP/a/tickets.json" '"via":{"channel":"web"},"requester":{"id":'
expect_grep "private note" "$TMP/a/tickets.json" '"public":false'
expect_grep "mbox from line" "$TMP/a/mail.mbox" "From "
expect_grep "mbox threading" "$TMP/a/mail.mbox" "In-Reply-To: <"
expect_grep "mbox references" "$TMP/a/mail.mbox" "References: <"
expect_grep "mbox qp" "$TMP/a/mail.mbox" "Content-Transfer-Encoding: quoted-printable"
expect_grep "mbox base64 latin-1" "$TMP/a/mail.mbox" "charset=ISO-8859-1"
expect_grep "mbox quoted reply" "$TMP/a/mail.mbox" "wrote:"
expect_grep "mbox signature" "$TMP/a/mail.mbox" "-- "
expect_grep "switchboard" "$TMP/a/customers.csv" "+44 7700 900999,,0,business"
if grep -qvE '@example\.(com|org|net)|@northwind\.example\.com|^[^@]*$' "$TMP/a/customers.csv"; then
    bad "an e-mail outside the example domains"
else ok; fi

# every message line is read by heed analyze, none rejected
"$HEED" analyze "$TMP/a/messages.jsonl" >/dev/null 2>"$TMP/aerr"
expect_eq "analyze exit" "$?" 0
n=$(wc -l <"$TMP/a/messages.jsonl")
expect_eq "analyze counts" "$(summary_counts "$TMP/aerr")" "$n $n 0"

# more customers, more messages; a medium run has every event type
"$HEED" generate --out "$TMP/m" --customers 600 --seed 3 2>/dev/null
m=$(wc -l <"$TMP/m/messages.jsonl")
if [ "$m" -gt $((n * 5)) ]; then ok; else bad "600 customers: $m messages, 60: $n"; fi
for t in order shipment delivery delivery_failed refund payment payment_failed callback replacement repair message_sent; do
    expect_grep "event $t" "$TMP/m/events.jsonl" "\"type\":\"$t\""
done

# --messages-per-customer raises the mix; the default run is unchanged by it
"$HEED" generate --out "$TMP/p" --customers 600 --seed 3 --messages-per-customer 14 2>/dev/null
p=$(wc -l <"$TMP/p/messages.jsonl")
if [ "$p" -gt $((m * 3 / 2)) ]; then ok; else bad "--messages-per-customer 14: $p messages, default $m"; fi
"$HEED" generate --out "$TMP/x" --messages-per-customer 0 >/dev/null 2>"$TMP/err"
expect_eq "bad per-customer exit" "$?" 2
# phones are unique apart from the shared switchboard
if [ "$(cut -d, -f4 "$TMP/m/customers.csv" | grep . | sort | uniq -d)" = "+44 7700 900999" ]; then ok; else
    bad "a phone number repeats"; fi

# the bundled sample is exactly the documented command's output
"$HEED" generate --out "$TMP/journey" --customers 60 --seed 1 2>/dev/null
if diff -r "$SAMPLES" "$TMP/journey" >"$TMP/sdiff"; then ok; else
    bad "samples/journey differs from 'heed generate --out samples/journey --customers 60 --seed 1'"
    head -20 "$TMP/sdiff" >&2
fi

# usage errors: exit 2 and a message
"$HEED" generate --customers 5 >/dev/null 2>"$TMP/err"
expect_eq "no out exit" "$?" 2
expect_grep "no out msg" "$TMP/err" "--out DIR is required"
"$HEED" generate --out "$TMP/x" --customers abc >/dev/null 2>"$TMP/err"
expect_eq "bad customers exit" "$?" 2
expect_grep "bad customers msg" "$TMP/err" "--customers wants a whole number"
"$HEED" generate --out "$TMP/x" --start 2026-02-30 >/dev/null 2>"$TMP/err"
expect_eq "bad start exit" "$?" 2
expect_grep "bad start msg" "$TMP/err" "--start wants a date YYYY-MM-DD"
"$HEED" generate --out "$TMP/x" --days 0 >/dev/null 2>"$TMP/err"
expect_eq "bad days exit" "$?" 2
"$HEED" generate --out "$TMP/x" --frobnicate 1 >/dev/null 2>"$TMP/err"
expect_eq "unknown option exit" "$?" 2
expect_grep "unknown option msg" "$TMP/err" "unknown option: --frobnicate"
"$HEED" generate --out "$TMP/x" --seed >/dev/null 2>"$TMP/err"
expect_eq "missing value exit" "$?" 2
"$HEED" generate --help >"$TMP/out"
expect_eq "help exit" "$?" 0
expect_grep "help" "$TMP/out" "Usage: heed generate"
"$HEED" --help >"$TMP/out"
expect_grep "listed" "$TMP/out" "generate"
finish
