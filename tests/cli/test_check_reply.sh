#!/usr/bin/env bash
# test_check_reply.sh - `heed check-reply`: the readable report and --json on a
# fixture pair, the ways to pass the texts (TEXT, @FILE, stdin), usage errors.
. "$(dirname "$0")/lib.sh"

CUST="Can I get a refund for order #77123? The blender arrived broken."
DRAFT="Thanks for contacting us, we value your feedback."

"$HEED" check-reply --customer "$CUST" --reply "$DRAFT" >"$TMP/out" 2>"$TMP/err"
expect_eq "exit" "$?" 0
expect_grep "header" "$TMP/out" "most important first"
expect_grep "ignored ask" "$TMP/out" '1. [fix] Answer what they asked: "Can I get a refund for order #77123?"'
expect_grep "reference" "$TMP/out" "Mention their reference #77123"
expect_grep "customer line" "$TMP/out" "needs refund"
expect_grep "scores" "$TMP/out" "addressed: ignored"

# the same through files and stdin, as JSON
printf '%s' "$CUST" >"$TMP/cust.txt"
printf '%s' "$DRAFT" | "$HEED" check-reply --json --customer @"$TMP/cust.txt" >"$TMP/json" 2>"$TMP/err"
expect_eq "json exit" "$?" 0
expect_eq "one line" "$(wc -l <"$TMP/json")" 1
expect_grep "json code" "$TMP/json" '{"code":"answer_question","priority":1,"text":"Answer what they asked: \"Can I get a refund for order #77123?\"","in":"customer","evidence":"Can I get a refund for order #77123?","start":0,"end":36}'
expect_grep "json draft" "$TMP/json" '"draft":{"valence":'
expect_grep "json customer" "$TMP/json" '"customer":{"valence":'
expect_grep "json addressed" "$TMP/json" '"addressed":{"status":"ignored"'

# usage errors: exit 2 with a message
"$HEED" check-reply --reply "$DRAFT" >/dev/null 2>"$TMP/err"
expect_eq "no customer exit" "$?" 2
expect_grep "no customer msg" "$TMP/err" "--customer is required"
"$HEED" check-reply --customer @"$TMP/missing.txt" --reply x >/dev/null 2>"$TMP/err"
expect_eq "missing file exit" "$?" 2
expect_grep "missing file msg" "$TMP/err" "missing.txt"
"$HEED" check-reply --customer x --reply y --time tomorrow >/dev/null 2>"$TMP/err"
expect_eq "bad time exit" "$?" 2
expect_grep "bad time msg" "$TMP/err" "--time wants ISO 8601"
printf 'bad \377' >"$TMP/bad.txt"
"$HEED" check-reply --customer @"$TMP/bad.txt" --reply y >/dev/null 2>"$TMP/err"
expect_eq "bad utf8 exit" "$?" 2
expect_grep "bad utf8 msg" "$TMP/err" "customer message: invalid UTF-8 at byte 4"
"$HEED" check-reply --help >"$TMP/out"
expect_eq "help exit" "$?" 0
expect_grep "help" "$TMP/out" "Usage: heed check-reply"
"$HEED" --help >"$TMP/out"
expect_grep "listed" "$TMP/out" "check-reply"
finish
