#!/usr/bin/env bash
# test_empathy.sh - `heed train empathy` and `heed eval empathy` on a tiny
# EPITOME-shaped fixture (tests/data/empathy/epitome): malformed rows are
# reported with file:line, training is deterministic, the report has its
# table, broken models are clear errors (exit 2); and `heed analyze` gives an
# agent turn a reply.empathy object with the built-in model.
. "$(dirname "$0")/lib.sh"
E=$DATA/../empathy/epitome

"$HEED" train empathy --data "$E" -o "$TMP/m1" >"$TMP/out" 2>"$TMP/err"
expect_eq "train exit" "$?" 0
expect_grep "bad level reported" "$TMP/err" "emotional-reactions-reddit.csv:26: level is not 0, 1 or 2"
expect_grep "bad csv reported" "$TMP/err" "emotional-reactions-reddit.csv:27: malformed CSV"
expect_grep "bad rows counted" "$TMP/out" "malformed rows skipped: 2"
expect_grep "dev rows" "$TMP/out" "emotional_reaction      5 |"
expect_grep "anchors" "$TMP/out" ".79-.82"
expect_grep "span line" "$TMP/out" "exploration         span F1"

# same seed, same bytes; another seed, other bytes
"$HEED" train empathy --data "$E" -o "$TMP/m2" >/dev/null 2>&1
expect_eq "deterministic" "$(cmp -s "$TMP/m1" "$TMP/m2" && echo same)" same
"$HEED" train empathy --data "$E" -o "$TMP/m3" --seed 9 >/dev/null 2>&1
expect_eq "seed matters" "$(cmp -s "$TMP/m1" "$TMP/m3" && echo same || echo differ)" differ

# the model fits its training rows (a learner that learns nothing would sit
# at the majority class, 0.579 for emotional reaction here)
"$HEED" eval empathy --data "$E" --model "$TMP/m1" --split train >"$TMP/ev" 2>/dev/null
expect_eq "eval exit" "$?" 0
for m in emotional_reaction interpretation exploration; do
    acc=$(awk -v m="$m" '$1 == m && $3 == "|" {print $4; exit}' "$TMP/ev")
    expect_eq "$m fits train rows ($acc)" "$(awk -v a="$acc" 'BEGIN{print (a >= 0.9) ? "yes" : "no"}')" yes
done
expect_grep "train rows counted" "$TMP/ev" "emotional_reaction     19 |"

# the built-in model evaluates too
"$HEED" eval empathy --data "$E" >"$TMP/ev" 2>/dev/null
expect_eq "eval built-in exit" "$?" 0
expect_grep "built-in table" "$TMP/ev" "interpretation          5 |"

# broken models
head -c 200 "$TMP/m1" >"$TMP/trunc"
"$HEED" eval empathy --data "$E" --model "$TMP/trunc" >/dev/null 2>"$TMP/err"
expect_eq "truncated model exit" "$?" 2
expect_grep "truncated model message" "$TMP/err" "trunc: empathy model:"
printf 'not a model' >"$TMP/junk"
"$HEED" eval empathy --data "$E" --model "$TMP/junk" >/dev/null 2>"$TMP/err"
expect_eq "junk model exit" "$?" 2
expect_grep "junk model message" "$TMP/err" "bad magic"
: >"$TMP/empty"
"$HEED" eval empathy --data "$E" --model "$TMP/empty" >/dev/null 2>&1
expect_eq "empty model exit" "$?" 2

# usage errors
"$HEED" train empathy --data "$E" >/dev/null 2>&1
expect_eq "no -o" "$?" 2
"$HEED" eval empathy >/dev/null 2>&1
expect_eq "no data" "$?" 2
"$HEED" eval empathy --data "$TMP" >/dev/null 2>"$TMP/err"
expect_eq "missing files" "$?" 2
expect_grep "missing file message" "$TMP/err" "cannot open"
"$HEED" train empathy --help >"$TMP/help"
expect_grep "help" "$TMP/help" "--dim-bits"

# an agent turn with the customer message it answers gets reply.empathy
printf '%s\n' '{"role":"agent","customer":"My parcel has not arrived.","text":"I am so sorry to hear your parcel has not arrived. Could you tell me what happened when you tried to track it?"}' \
    '{"role":"customer","text":"My parcel has not arrived."}' >"$TMP/in.jsonl"
"$HEED" analyze -q "$TMP/in.jsonl" >"$TMP/an" 2>&1
expect_eq "analyze exit" "$?" 0
expect_grep "reply empathy" "$TMP/an" '"reply":{"empathy":{"emotional_reaction":{"level":'
expect_grep "span" "$TMP/an" '"mechanism":"exploration","what":"question"'
expect_eq "customer turn has no reply" "$(sed -n 2p "$TMP/an" | grep -c '"reply"')" 0

finish
