#!/usr/bin/env bash
# BANKING77 77-way intent accuracy: heed's linear learner beside fastText
# (Debian package `fasttext`), trained on the same training rows and tested on
# the same dev rows in the same run. The split is heed's dev rule
# (docs/needs.md), written out for fastText by `heed eval intents
# --export-fasttext`. See docs/needs.md for the figures.
#
#   bench/intents_fasttext.sh
#
# Environment:
#   HEED_DATA=DIR   shared data folder (default: ../shared/data from the repo root)
#   HEED_BIN=PATH   use this heed binary instead of building build-bench/heed
#   HEED_SEED=N     seed for both learners (default 1)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT=$BENCH/out/intents
DATA=${HEED_DATA:-$ROOT/../shared/data}
SEED=${HEED_SEED:-1}
say() { printf '== %s\n' "$*" >&2; }
die() { printf 'intents_fasttext.sh: %s\n' "$*" >&2; exit 1; }
mkdir -p "$OUT"

# --- tools -------------------------------------------------------------------
if ! command -v fasttext >/dev/null; then
  say "installing fastText (Debian package 'fasttext')"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -q fasttext >/dev/null 2>&1 ||
    { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q fasttext >/dev/null; }
  command -v fasttext >/dev/null || die "fasttext is missing (apt-get install fasttext)"
fi
if [ -n "${HEED_BIN:-}" ]; then
  HEED=$HEED_BIN
else
  say "building heed (Release, build-bench/)"
  cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release -DHEED_TESTS=OFF >/dev/null
  cmake --build "$ROOT/build-bench" -j2 --target heed >/dev/null
  HEED=$ROOT/build-bench/heed
fi
[ -f "$DATA/banking77/train.csv" ] || die "no $DATA/banking77/train.csv (set HEED_DATA)"

# --- the same rows for both --------------------------------------------------
B77=(--banking77 "$DATA/banking77/train.csv")
"$HEED" eval intents "${B77[@]}" --split train --export-fasttext "$OUT/train.raw" 2>/dev/null
"$HEED" eval intents "${B77[@]}" --split dev --export-fasttext "$OUT/dev.raw" 2>/dev/null
# fastText's usual preprocessing: lower case, punctuation split off as tokens.
prep() { sed -e 's/\([.!?,;:()"]\)/ \1 /g' -e 's/  */ /g' "$1" | awk '{ l = $1; $1 = ""; print l tolower($0) }'; }
prep "$OUT/train.raw" >"$OUT/train.txt"
prep "$OUT/dev.raw" >"$OUT/dev.txt"
n_train=$(wc -l <"$OUT/train.txt")
n_dev=$(wc -l <"$OUT/dev.txt")

# --- heed ----------------------------------------------------------------------
say "heed: training the intent model"
t0=$(date +%s.%N)
"$HEED" train intents "${B77[@]}" -o "$OUT/heed_intents.model" --seed "$SEED" >"$OUT/heed.txt" 2>"$OUT/heed.log"
t1=$(date +%s.%N)
heed_acc=$(sed -n 's/^intents: 77-way accuracy \([0-9.]*\).*/\1/p' "$OUT/heed.txt")
heed_f1=$(sed -n 's/.*macro-F1 \([0-9.]*\).*/\1/p' "$OUT/heed.txt")
[ -n "$heed_acc" ] || die "heed printed no accuracy (see $OUT/heed.txt)"

# --- fastText ------------------------------------------------------------------
# Two settings: fastText's defaults, and the best of a few common short-text
# settings tried on this split (50 epochs, lr 1.0, word bigrams, character
# 3-5-grams like heed's features). 1 thread, fixed seed: deterministic.
FT_DEFAULT=(-thread 1 -seed "$SEED" -verbose 0)
FT_TUNED=(-epoch 50 -lr 1.0 -wordNgrams 2 -minn 3 -maxn 5 -dim 100 -thread 1 -seed "$SEED" -verbose 0)
ft_run() { # NAME ARGS... -> prints "accuracy seconds"
  local name=$1; shift
  local s e
  s=$(date +%s.%N)
  fasttext supervised -input "$OUT/train.txt" -output "$OUT/$name" "$@" >"$OUT/$name.log" 2>&1
  e=$(date +%s.%N)
  local acc
  acc=$(fasttext test "$OUT/$name.bin" "$OUT/dev.txt" 1 | sed -n 's/^P@1[[:space:]]*\([0-9.]*\).*/\1/p')
  [ -n "$acc" ] || die "fastText printed no P@1 (see $OUT/$name.log)"
  echo "$acc $(awk -v a="$s" -v b="$e" 'BEGIN{print b - a}')"
}
say "fastText: defaults (${FT_DEFAULT[*]})"
read -r ftd_acc ftd_s < <(ft_run ft_default "${FT_DEFAULT[@]}")
say "fastText: tuned (${FT_TUNED[*]})"
read -r ft_acc ft_s < <(ft_run ft_tuned "${FT_TUNED[@]}")

# --- report --------------------------------------------------------------------
echo "BANKING77 77-way intent accuracy, heed dev split (train $n_train rows, dev $n_dev rows)"
echo "machine: $(uname -m), $(nproc) cores; fasttext $(dpkg-query -W -f '${Version}' fasttext 2>/dev/null || echo '?')"
printf '%-18s %9s %9s %10s\n' learner accuracy macro-F1 train_s
printf '%-18s %9.4f %9s %10.1f\n' heed "$heed_acc" "$heed_f1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')"
printf '%-18s %9.4f %9s %10.1f\n' "fastText defaults" "$ftd_acc" "-" "$ftd_s"
printf '%-18s %9.4f %9s %10.1f\n' "fastText tuned" "$ft_acc" "-" "$ft_s"
printf 'difference (heed - fastText tuned): %+.4f\n' "$(awk -v a="$heed_acc" -v b="$ft_acc" 'BEGIN{print a - b}')"
echo "heed train_s includes analysing every text (tokenizer, valence, features)."
