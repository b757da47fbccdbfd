#!/usr/bin/env bash
# test_intensity.sh - `heed train intensity` and `heed eval intensity` on small
# fixture files (tests/data/intensity, written for heed): training writes a
# model that eval loads, is deterministic, learns the fixture's obvious signal;
# corrupt, truncated or foreign model files and bad data are clear errors.
. "$(dirname "$0")/lib.sh"
IDATA=$(dirname "$DATA")/intensity
EB=$IDATA/emobank.csv
ER=$IDATA/empathic.csv

"$HEED" train intensity --emobank "$EB" --empathic "$ER" -o "$TMP/m1" --epochs 30 >"$TMP/out" 2>"$TMP/err"
expect_eq "train exit" "$?" 0
expect_grep "train reports rows" "$TMP/err" "22 + 20 rows, 0 + 0 skipped"
"$HEED" train intensity --emobank "$EB" --empathic "$ER" -o "$TMP/m2" --epochs 30 >/dev/null 2>&1
expect_eq "deterministic" "$(cmp -s "$TMP/m1" "$TMP/m2" && echo same)" same
"$HEED" train intensity --emobank "$EB" --empathic "$ER" -o "$TMP/m3" --epochs 30 --seed 7 >/dev/null 2>&1
expect_eq "seed matters" "$(cmp -s "$TMP/m1" "$TMP/m3" && echo same)" ""

"$HEED" eval intensity --emobank "$EB" --empathic "$ER" --model "$TMP/m1" >"$TMP/eval" 2>"$TMP/err"
expect_eq "eval exit" "$?" 0
expect_eq "eval rows" "$(grep -cE '^(valence|arousal|distress) ' "$TMP/eval")" 3
# dev sizes: EmoBank rows marked dev, Empathic Reactions by the response_id hash
expect_eq "valence dev n" "$(awk '$1=="valence"{print $4}' "$TMP/eval")" 5
expect_eq "distress dev n" "$(awk '$1=="distress"{print $6}' "$TMP/eval")" 4
# the fixture's dev texts share their words with train: the model must learn them
r=$(awk '$1=="valence"{print $5}' "$TMP/eval")
expect_eq "valence r > 0.8 ($r)" "$(awk -v r="$r" 'BEGIN{print (r > 0.8)}')" 1
r=$(awk '$1=="distress"{print $7}' "$TMP/eval")
expect_eq "distress r > 0.8 ($r)" "$(awk -v r="$r" 'BEGIN{print (r > 0.8)}')" 1
# eval of one dataset only
"$HEED" eval intensity --emobank "$EB" --model "$TMP/m1" >"$TMP/eval1" 2>/dev/null
expect_eq "emobank only" "$(grep -cE '^(valence|arousal|distress) ' "$TMP/eval1")" 2

# --- broken model files: exit 2 and a message naming the problem ---------------
size=$(wc -c <"$TMP/m1")
head -c $((size / 2)) "$TMP/m1" >"$TMP/trunc"
cp "$TMP/m1" "$TMP/flip"
printf '\x55' | dd of="$TMP/flip" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
printf 'HEEDLM not an intensity model' >"$TMP/foreign"
cp "$TMP/m1" "$TMP/trail" && printf 'x' >>"$TMP/trail"
for f in trunc flip foreign trail; do
    "$HEED" eval intensity --emobank "$EB" --model "$TMP/$f" >"$TMP/out" 2>"$TMP/err"
    expect_eq "$f exit" "$?" 2
    expect_grep "$f message" "$TMP/err" "intensity model: "
    expect_eq "$f no table" "$(wc -c <"$TMP/out")" 0
done
"$HEED" eval intensity --emobank "$EB" --model "$TMP/missing" >/dev/null 2>"$TMP/err"
expect_eq "missing model exit" "$?" 2

# --- bad data and usage ----------------------------------------------------------
printf 'id,split,text\nx,train,hello\n' >"$TMP/nocol.csv"
"$HEED" train intensity --emobank "$TMP/nocol.csv" --empathic "$ER" -o "$TMP/m4" >/dev/null 2>"$TMP/err"
expect_eq "missing columns exit" "$?" 2
expect_grep "missing columns reported" "$TMP/err" "nocol.csv:2: missing or bad split, V or A"
expect_eq "no model written" "$(test -e "$TMP/m4" && echo yes)" ""
# a bad row among good ones: reported, skipped, counted, exit 1 (every train
# and eval task: done with rows skipped)
{ cat "$EB"; printf 'fx99,train,high,3.0,3.0,"not a number"\n'; } >"$TMP/onebad.csv"
"$HEED" train intensity --emobank "$TMP/onebad.csv" --empathic "$ER" -o "$TMP/m7" --epochs 30 \
    >/dev/null 2>"$TMP/err"
expect_eq "one bad row: train exit" "$?" 1
expect_grep "one bad row: reported" "$TMP/err" "onebad.csv:24: missing or bad split, V or A"
expect_grep "one bad row: counted" "$TMP/err" "22 + 20 rows, 1 + 0 skipped"
"$HEED" eval intensity --emobank "$TMP/onebad.csv" --model "$TMP/m7" >/dev/null 2>"$TMP/err"
expect_eq "one bad row: eval exit" "$?" 1
"$HEED" train intensity --emobank "$EB" -o "$TMP/m5" >/dev/null 2>"$TMP/err"
expect_eq "usage exit" "$?" 2
"$HEED" train intensity --emobank "$EB" --empathic "$ER" -o "$TMP/m6" --bits 99 >/dev/null 2>&1
expect_eq "bad bits exit" "$?" 2
finish
