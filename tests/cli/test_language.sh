#!/usr/bin/env bash
# test_language.sh - language detection in `heed analyze` output: English is
# scored; German and Spanish carry their language, "unscored" and no valence;
# a short text and an English text quoting German stay English.
. "$(dirname "$0")/lib.sh"

"$HEED" analyze "$DATA/lang.jsonl" >"$TMP/out" 2>"$TMP/err"
expect_eq "lang exit" "$?" 0
golden lang.jsonl "$TMP/out"
expect_eq "records" "$(wc -l <"$TMP/out")" 5
line() { sed -n "$1p" "$TMP/out"; }
for n in 1 4 5; do
    expect_eq "line $n English" "$(line $n | grep -c '"language":{"code":"en"')" 1
    expect_eq "line $n scored" "$(line $n | grep -c '"unscored"')" 0
done
expect_eq "English valence negative" "$(line 1 | grep -c '"valence":-0\.')" 1
for n in 2 3; do
    expect_eq "line $n unscored" "$(line $n | grep -c '"unscored":true')" 1
    expect_eq "line $n no valence" "$(line $n | grep -c '"valence":0,')" 1
    expect_eq "line $n no evidence" "$(line $n | grep -c '"evidence":\[\]')" 1
done
expect_grep "German" "$TMP/out" '"id":"de1"'
expect_eq "German code" "$(line 2 | grep -c '"language":{"code":"de"')" 1
expect_eq "Spanish code" "$(line 3 | grep -c '"language":{"code":"es"')" 1
expect_grep "schema 2" "$TMP/out" '"schema":2'
finish
