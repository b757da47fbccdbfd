#!/usr/bin/env bash
# test_privacy.sh - redaction on ingest (tests/data/journey): no raw e-mail,
# phone, Luhn-valid card number or IBAN of the fixture is anywhere in the
# store's bytes (database and WAL), while --no-redact keeps them; text
# carries [email:...] tokens equal to the identity keys, so the same e-mail in
# another case in two silos is one key and links one customer.
. "$(dirname "$0")/lib.sh"
J=$2/journey

import_all() { # DB [OPTIONS]
    local db=$1
    shift
    for f in customers.csv messages.jsonl events.jsonl; do
        k=${f%.*}
        "$HEED" import "$k" "$J/$f" --db "$db" -q "$@"
        expect_eq "import $k $*" "$?" 0
    done
}
# raw_count DB PATTERN: case-insensitive matches in the store's bytes
raw_count() { cat "$1" "$1-wal" 2>/dev/null | grep -a -c -i -F -- "$2"; }

RAW=("ida.link@example.com" "vera@example.com" "kim@example.org" "07700 900107"
    "+447700900107" "+44 7700 900101" "7700 900199" "4111 1111 1111 1111" "4111111111111111"
    "GB82 WEST 1234" "GB82WEST")

import_all "$TMP/r.db"
for s in "${RAW[@]}"; do expect_eq "redacted: $s" "$(raw_count "$TMP/r.db" "$s")" 0; done
# and after `heed queue` has written the queue (and checkpointed the WAL)
"$HEED" queue --db "$TMP/r.db" --now 2026-10-05T12:00:00Z >/dev/null 2>&1
for s in "${RAW[@]}"; do expect_eq "redacted after queue: $s" "$(raw_count "$TMP/r.db" "$s")" 0; done
# the rest of the text is kept
expect_eq "text kept" "$(raw_count "$TMP/r.db" "Please refund card")" 1

"$HEED" journey C700 --db "$TMP/r.db" --json >"$TMP/j.json" 2>/dev/null
expect_eq "journey exit" "$?" 0
tok=$(grep -o '\[email:[0-9a-f]\{16\}\]' "$TMP/j.json" | head -1)
ptok=$(grep -o '\[phone:[0-9a-f]\{16\}\]' "$TMP/j.json" | head -1)
if [ -n "$tok" ] && [ -n "$ptok" ]; then ok; else bad "no [email:] / [phone:] token in the journey"; fi
expect_grep "card token" "$TMP/j.json" "[card:"
expect_grep "iban token" "$TMP/j.json" "[iban:"
for s in "${RAW[@]}"; do expect_eq "journey: $s" "$(grep -c -i -F -- "$s" "$TMP/j.json")" 0; done

# Ida.Link@Example.COM (CRM) and ida.link@example.com (chat) are one key: the
# same token as the mention in the text
"$HEED" customer why C700 --db "$TMP/r.db" >"$TMP/why" 2>&1
t=${tok#\[email:}
t=${t%\]}
p=${ptok#\[phone:}
p=${p%\]}
expect_grep "email key = text token" "$TMP/why" "share email $t"
expect_grep "phone key = text token" "$TMP/why" "share phone $p"
expect_grep "CRM keys" "$TMP/why" "keys crm:C700, email:$t, phone:$p"

# --no-redact keeps the text as written (identity keys stay hashed)
import_all "$TMP/n.db" --no-redact
expect_eq "kept: e-mail" "$(raw_count "$TMP/n.db" "IDA.LINK@example.com")" 1
expect_eq "kept: card" "$(raw_count "$TMP/n.db" "4111 1111 1111 1111")" 1
expect_eq "kept: IBAN" "$(raw_count "$TMP/n.db" "GB82 WEST 1234 5698 7654 32")" 1
expect_eq "kept: phone" "$(raw_count "$TMP/n.db" "07700 900107")" 1
expect_eq "keys still hashed" "$(raw_count "$TMP/n.db" "vera@example.com")" 0
finish
