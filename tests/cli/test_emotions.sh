#!/usr/bin/env bash
# test_emotions.sh - `heed train emotions` and `heed eval emotions` on a tiny
# fixture (tests/data/emotions): bad lines reported as file:line and counted,
# deterministic training, the eval tables, and corrupt or mismatched models
# refused with a clear error.
. "$(dirname "$0")/lib.sh"
E=$(dirname "$DATA")/emotions
LM=$(dirname "$DATA")/../../fuzz/corpus/linmodel

# --- help and usage errors ----------------------------------------------------
"$HEED" train emotions --help >"$TMP/out"; expect_eq "train help exit" "$?" 0
expect_grep "train help" "$TMP/out" "Usage: heed train emotions"
"$HEED" eval emotions --help >"$TMP/out"; expect_eq "eval help exit" "$?" 0
expect_grep "eval help" "$TMP/out" "Usage: heed eval emotions"
"$HEED" train emotions --train "$E/train.tsv" -o "$TMP/m" 2>"$TMP/err"
expect_eq "missing --dev exit" "$?" 2
expect_grep "missing --dev" "$TMP/err" "--dev"
"$HEED" train emotions --train "$E/train.tsv" --dev "$E/dev.tsv" -o "$TMP/m" --balance odd 2>"$TMP/err"
expect_eq "bad --balance exit" "$?" 2
"$HEED" eval emotions "$TMP/none.tsv" --model "$TMP/none.model" 2>"$TMP/err"
expect_eq "missing model exit" "$?" 2
expect_grep "missing model" "$TMP/err" "none.model"

# --- training: bad lines reported, skipped, counted ----------------------------
T=(train emotions --train "$E/train.tsv" --dev "$E/dev.tsv" --bits 12 --epochs 12 -q)
"$HEED" "${T[@]}" -o "$TMP/a.model" >"$TMP/out" 2>"$TMP/err"
expect_eq "train exit (bad lines)" "$?" 1
expect_grep "no tab" "$TMP/err" "train.tsv:11: no TAB after the text; line skipped"
expect_grep "bad labels" "$TMP/err" "train.tsv:21: labels must be comma-separated ids 0..27"
expect_grep "label 28" "$TMP/err" "train.tsv:31: labels must be comma-separated ids 0..27"
expect_grep "empty line" "$TMP/err" "train.tsv:41: empty line"
expect_grep "bad line count" "$TMP/err" "4 bad lines skipped, 84 examples read"
expect_grep "train summary" "$TMP/out" "dev (thresholds tuned on it): macro-F1"
expect_eq "model written" "$(head -c 6 "$TMP/a.model")" "HEEDLM"

# --- determinism: same seed, same bytes; another seed, other bytes --------------
"$HEED" "${T[@]}" -o "$TMP/b.model" >/dev/null 2>&1
expect_eq "same seed same model" "$(cmp -s "$TMP/a.model" "$TMP/b.model" && echo same)" same
"$HEED" "${T[@]}" --seed 2 -o "$TMP/c.model" >/dev/null 2>&1
expect_eq "other seed other model" "$(cmp -s "$TMP/a.model" "$TMP/c.model" || echo differ)" differ

# --- eval: the three tables ------------------------------------------------------
"$HEED" eval emotions "$E/dev.tsv" --model "$TMP/a.model" >"$TMP/eval" 2>"$TMP/err"
expect_eq "eval exit" "$?" 0
expect_grep "eval header" "$TMP/eval" "42 examples (0 bad lines skipped)"
rows() { awk -v t="$1" '$0 == t {on = 1; next} on && /^macro-F1/ {exit} on && !/^label/ {n++} END {print n + 0}' "$TMP/eval"; }
expect_eq "28 label rows" "$(rows 'GoEmotions labels')" 28
expect_eq "7 Ekman rows" "$(rows 'Ekman groups')" 7
expect_eq "7 CX rows" "$(rows 'CX groups')" 7
expect_eq "three macro/micro lines" "$(grep -c '^macro-F1 [0-9.]*  micro-F1 [0-9.]*' "$TMP/eval")" 3
# The fixture is learnable: gratitude and anger are found (F1 column >= 0.8).
f1() { awk -v l="$1" '$1 == l {print ($4 >= 0.8) ? "learnt" : "not learnt: " $0; exit}' "$TMP/eval"; }
expect_eq "gratitude learnt" "$(f1 gratitude)" learnt
expect_eq "anger learnt" "$(f1 anger)" learnt
# Training's dev figure and eval's agree: the engine uses the trained thresholds.
tm=$(sed -n 's/^dev (thresholds tuned on it): macro-F1 \([0-9.]*\).*/\1/p' "$TMP/out")
em=$(sed -n '/^GoEmotions labels/,/^macro-F1/s/^macro-F1 \([0-9.]*\).*/\1/p' "$TMP/eval")
expect_eq "train and eval agree" "$em" "$tm"

# --- eval reports bad lines of its input too ---------------------------------------
"$HEED" eval emotions "$E/train.tsv" --model "$TMP/a.model" >"$TMP/out" 2>"$TMP/err"
expect_eq "eval exit (bad lines)" "$?" 1
expect_grep "eval bad line" "$TMP/err" "train.tsv:31: labels must be"

# --- corrupt and mismatched models: a clear error, never a crash ---------------------
size=$(stat -c %s "$TMP/a.model")
cp "$TMP/a.model" "$TMP/flip.model"
printf '\x55' | dd of="$TMP/flip.model" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$HEED" eval emotions "$E/dev.tsv" --model "$TMP/flip.model" >/dev/null 2>"$TMP/err"
expect_eq "corrupt model exit" "$?" 2
expect_grep "corrupt model" "$TMP/err" "model file byte"
head -c $((size - 5)) "$TMP/a.model" >"$TMP/short.model"
"$HEED" eval emotions "$E/dev.tsv" --model "$TMP/short.model" >/dev/null 2>"$TMP/err"
expect_eq "truncated model exit" "$?" 2
expect_grep "truncated model" "$TMP/err" "truncated"
"$HEED" eval emotions "$E/dev.tsv" --model "$LM/good_f32_multilabel" >/dev/null 2>"$TMP/err"
expect_eq "other model exit" "$?" 2
expect_grep "other model" "$TMP/err" "does not have the 28 GoEmotions outputs"
: >"$TMP/empty.model"
"$HEED" eval emotions "$E/dev.tsv" --model "$TMP/empty.model" >/dev/null 2>"$TMP/err"
expect_eq "empty model exit" "$?" 2
expect_grep "empty model" "$TMP/err" "truncated"

finish
