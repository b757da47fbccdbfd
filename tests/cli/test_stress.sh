#!/usr/bin/env bash
# test_stress.sh - the stress object in `heed analyze` output: golden lines
# covering each component, suppressed cues and the bands, plus checks that do
# not depend on exact weights (band order, suppressed flag, cue spans).
. "$(dirname "$0")/lib.sh"

"$HEED" analyze "$DATA/stress.jsonl" >"$TMP/out" 2>"$TMP/err"
expect_eq "stress exit" "$?" 0
golden stress.jsonl "$TMP/out"
expect_eq "stress lines" "$(wc -l <"$TMP/out")" 6

band() { sed -n "$1p" "$TMP/out" | grep -o '"band":"[a-z_]*"'; }
expect_eq "bereaved, repeat, deadline" "$(band 1)" '"band":"act_now"'
expect_eq "polite question" "$(band 2)" '"band":"calm"'
expect_eq "negated cues" "$(band 3)" '"band":"calm"'
expect_eq "effort and distress" "$(band 4)" '"band":"act_now"'
expect_eq "conditional threat" "$(band 5)" '"band":"act_now"'

# every component name is printed; suppressed cues carry the flag and no weight
expect_grep "components" "$TMP/out" '"components":{"distress":'
sed -n 3p "$TMP/out" >"$TMP/s3"
expect_grep "suppressed cancel" "$TMP/s3" '"text":"going to cancel","start":8,"end":23,"component":"escalation","what":"cancel threat","weight":0,"suppressed":true'
expect_grep "suppressed urgent" "$TMP/s3" '"component":"urgency","what":"urgent","weight":0,"suppressed":true'
# spans are byte offsets into the text: "third time" in line 1
sed -n 1p "$TMP/out" >"$TMP/s1"
expect_grep "span" "$TMP/s1" '{"text":"third time","start":48,"end":58,"component":"effort","what":"repeat contact"'
# "cancel my order" is a need, not a threat; a battery that died is no bereavement
sed -n 6p "$TMP/out" >"$TMP/s6"
expect_grep "no escalation" "$TMP/s6" '"escalation":0'
expect_grep "no vulnerability" "$TMP/s6" '"vulnerability":0'

finish
