#!/usr/bin/env bash
# test_needs.sh - `heed train needs|intents` and `heed eval needs|intents` on tiny
# fixture files: training is deterministic, the trained models fit their
# training rows, malformed rows are reported with file:line, and broken or
# mismatched model files are clear errors (exit 2), never crashes.
. "$(dirname "$0")/lib.sh"
F=$DATA/../needs
DATAOPTS=(--banking77 "$F/b77.csv" --bitext "$F/bitext.csv" --extra "$F/extra.tsv")

"$HEED" train needs "${DATAOPTS[@]}" -o "$TMP/n1" --intents-out "$TMP/i1" >"$TMP/out" 2>"$TMP/err"
expect_eq "train exit (rows skipped: 1)" "$?" 1
expect_grep "bad csv row reported" "$TMP/err" "b77.csv:42: wrong number of fields"
expect_grep "bad tsv row reported" "$TMP/err" "extra.tsv:8: unknown need: nonsense"
expect_grep "bad rows counted" "$TMP/out" "malformed rows skipped: 2"
expect_grep "per-need table" "$TMP/out" "praise"
expect_grep "intents line" "$TMP/out" "intents: 77-way accuracy"

# same seed, same bytes; another seed, other bytes
"$HEED" train needs "${DATAOPTS[@]}" -o "$TMP/n2" >/dev/null 2>&1
expect_eq "deterministic" "$(cmp -s "$TMP/n1" "$TMP/n2" && echo same)" same
"$HEED" train needs "${DATAOPTS[@]}" -o "$TMP/n3" --seed 7 >/dev/null 2>&1
expect_eq "seed matters" "$(cmp -s "$TMP/n1" "$TMP/n3" && echo same || echo differ)" differ

# the models fit the rows they were trained on (a learner that learns nothing
# would be near 1/11 or 1/77 here)
"$HEED" eval needs --model "$TMP/n1" "${DATAOPTS[@]}" --split train >"$TMP/ev" 2>/dev/null
expect_eq "eval needs exit (rows skipped)" "$?" 1
acc=$(sed -n 's/^needs: top-1 accuracy \([0-9.]*\).*/\1/p' "$TMP/ev")
expect_eq "needs fit train rows" "$(awk -v a="$acc" 'BEGIN{print (a >= 0.9) ? "yes" : "no"}')" yes
expect_grep "needs counted rows" "$TMP/ev" "(59 train rows)"
"$HEED" eval intents --model "$TMP/i1" --banking77 "$F/b77.csv" --split all >"$TMP/ev" 2>/dev/null
expect_eq "eval intents exit (rows skipped)" "$?" 1
acc=$(sed -n 's/^intents: 77-way accuracy \([0-9.]*\).*/\1/p' "$TMP/ev")
expect_eq "intents fit rows" "$(awk -v a="$acc" 'BEGIN{print (a >= 0.9) ? "yes" : "no"}')" yes
expect_grep "intents macro-F1" "$TMP/ev" "macro-F1"

# train intents on its own gives the same model as --intents-out
"$HEED" train intents --banking77 "$F/b77.csv" -o "$TMP/i2" >/dev/null 2>&1
expect_eq "train intents" "$(cmp -s "$TMP/i1" "$TMP/i2" && echo same)" same

# the split written for a peer learner: train + dev rows = all good rows
"$HEED" eval intents --banking77 "$F/b77.csv" --split train --export-fasttext "$TMP/tr.ft" 2>/dev/null
expect_eq "export exit (rows skipped)" "$?" 1
"$HEED" eval intents --banking77 "$F/b77.csv" --split dev --export-fasttext "$TMP/dv.ft" 2>/dev/null
expect_eq "export rows" "$(cat "$TMP/tr.ft" "$TMP/dv.ft" | wc -l)" 40
expect_grep "export format" "$TMP/tr.ft" "__label__card_arrival my card has not come yet"
expect_eq "export labels" "$(grep -vc '^__label__[a-z_]* ' "$TMP/tr.ft")" 0

# broken and mismatched models
head -c 300 "$TMP/n1" >"$TMP/trunc"
"$HEED" eval needs --model "$TMP/trunc" "${DATAOPTS[@]}" >"$TMP/out" 2>"$TMP/err"
expect_eq "truncated model exit" "$?" 2
expect_grep "truncated model message" "$TMP/err" "trunc: needs model:"
printf 'not a model' >"$TMP/junk"
"$HEED" eval needs --model "$TMP/junk" "${DATAOPTS[@]}" >/dev/null 2>"$TMP/err"
expect_eq "junk model exit" "$?" 2
expect_grep "junk model message" "$TMP/err" "needs model:"
: >"$TMP/empty"
"$HEED" eval needs --model "$TMP/empty" "${DATAOPTS[@]}" >/dev/null 2>"$TMP/err"
expect_eq "empty model exit" "$?" 2
"$HEED" eval needs --model "$TMP/i1" "${DATAOPTS[@]}" >/dev/null 2>"$TMP/err"
expect_eq "intent model as needs model" "$?" 2
expect_grep "wrong outputs" "$TMP/err" "wrong number of outputs"
"$HEED" eval intents --model "$TMP/n1" --banking77 "$F/b77.csv" >/dev/null 2>"$TMP/err"
expect_eq "needs model as intent model" "$?" 2
expect_grep "not intents" "$TMP/err" "not a BANKING77 intent model"

# usage errors
"$HEED" train needs "${DATAOPTS[@]}" >/dev/null 2>&1
expect_eq "no -o" "$?" 2
"$HEED" eval needs --model "$TMP/n1" --split nope "${DATAOPTS[@]}" >/dev/null 2>&1
expect_eq "bad split" "$?" 2
"$HEED" eval intents --model "$TMP/i1" --banking77 "$F/missing.csv" >/dev/null 2>"$TMP/err"
expect_eq "missing file" "$?" 2
expect_grep "missing file message" "$TMP/err" "cannot open"
"$HEED" train needs --help >"$TMP/help"
expect_grep "help" "$TMP/help" "--intents-out"

finish
