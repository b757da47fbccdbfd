#!/usr/bin/env bash
# test_compassion.sh - compassion and promises in `heed analyze` output for agent
# turns (due times resolved from the record's time and offset, none without a
# time, nothing on customer turns), and `heed eval compassion` on a tiny set.
. "$(dirname "$0")/lib.sh"

"$HEED" analyze "$DATA/compassion.jsonl" >"$TMP/out" 2>"$TMP/err"
expect_eq "analyze exit" "$?" 0
expect_eq "analyze lines" "$(wc -l <"$TMP/out")" 4
sed -n 1p "$TMP/out" >"$TMP/a1"
expect_grep "signals" "$TMP/a1" '"signals":["ownership","action","time_frame"]'
expect_grep "action cue" "$TMP/a1" '{"text":"I'"'"'ve issued","start":0,"end":11,"signal":"action","what":"refund issued"}'
expect_grep "refund promise" "$TMP/a1" '{"kind":"refund","text":"I'"'"'ve issued a refund of €49.99"'
expect_grep "object" "$TMP/a1" '"object":"a refund of €49.99"'
expect_grep "working days due" "$TMP/a1" '"due_text":"within 3 working days","due_text_start":55,"due_text_end":76,"due":"2026-09-04T23:59:59Z"'
expect_grep "callback due" "$TMP/a1" '"due_text":"tomorrow before 1pm","due_text_start":92,"due_text_end":111,"due":"2026-09-02T13:00:00Z"'
# +02:00: Friday 23:59:59 local is 21:59:59 UTC
sed -n 2p "$TMP/out" >"$TMP/a2"
expect_grep "offset due" "$TMP/a2" '"kind":"information"'
expect_grep "offset due" "$TMP/a2" '"due_text":"by Friday","due_text_start":34,"due_text_end":43,"due":"2026-09-04T21:59:59Z"'
# no time on the record, and a negated promise: suppressed cues, no promise
sed -n 3p "$TMP/out" >"$TMP/a3"
expect_grep "negated" "$TMP/a3" '"signal":"action","what":"refund issued","suppressed":true'
expect_grep "no promise" "$TMP/a3" '"promises":[]'
sed -n 4p "$TMP/out" >"$TMP/c1"
if grep -q '"compassion"' "$TMP/c1"; then bad "customer turn has compassion"; else ok; fi

"$HEED" eval compassion --data "$2/compassion" >"$TMP/eval" 2>"$TMP/err"
expect_eq "eval exit" "$?" 0
expect_grep "dev header" "$TMP/eval" "dev: 3 replies"
expect_grep "test header" "$TMP/eval" "test: 2 replies"
expect_grep "ownership row" "$TMP/eval" "  ownership             1.000  1.000  1.000      1      1"
expect_grep "promise row" "$TMP/eval" "  promise kind + due    1.000  1.000  1.000      1      1"
"$HEED" eval compassion --data "$2/compassion" --split test >"$TMP/eval2" 2>/dev/null
if grep -q "^dev:" "$TMP/eval2"; then bad "--split test printed dev"; else ok; fi
"$HEED" eval compassion --data "$TMP/none" >/dev/null 2>"$TMP/err"
expect_eq "missing data exit" "$?" 2
# bad records among good ones: reported with file and line, skipped,
# counted, exit 1; the good ones still scored
mkdir -p "$TMP/bad"
cp "$2/compassion/test.jsonl" "$TMP/bad/"
{ cat "$2/compassion/dev.jsonl"; echo '{"text": "I will call you", "signals": ["nonsense"], "promises": []}'
    echo 'not json'; } >"$TMP/bad/dev.jsonl"
n=$(grep -c . "$2/compassion/dev.jsonl")
"$HEED" eval compassion --data "$TMP/bad" >"$TMP/evalb" 2>"$TMP/errb"
expect_eq "bad records: exit" "$?" 1
expect_grep "bad records: the signal named" "$TMP/errb" "dev.jsonl:$((n + 1)): unknown signal"
expect_grep "bad records: the line named" "$TMP/errb" "dev.jsonl:$((n + 2)): not a JSON object"
expect_grep "bad records: counted" "$TMP/evalb" "malformed records skipped: 2"
expect_grep "bad records: the good ones scored" "$TMP/evalb" "dev: 3 replies"
expect_grep "bad records: test still scored" "$TMP/evalb" "test: 2 replies"

finish
