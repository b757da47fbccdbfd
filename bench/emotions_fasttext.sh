#!/usr/bin/env bash
# emotions_fasttext.sh - heed's emotion model beside fastText on GoEmotions, in
# one run: both trained on the same train.tsv, both scored on dev.tsv with the
# same macro-F1 (28 labels, each label's threshold tuned on dev; also the 2-fold
# estimate that never scores a line on the thresholds it tuned), then heed's
# prediction speed (bench/emotions_speed.c, one thread). Prints a table and the
# heed/fastText ratios. Installs the Debian package fasttext when missing.
#
#   bench/emotions_fasttext.sh [GOEMOTIONS_DIR]   (default ../shared/data/goemotions)
#
# Takes 2-4 minutes on 2 cores (fastText is run twice: word bigrams, and word
# bigrams + character 3-5-grams; the better one is compared).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=${1:-$ROOT/../shared/data/goemotions}
OUT=$ROOT/bench/out/emotions
BUILD=$ROOT/build-bench
mkdir -p "$OUT"
say() { printf '== %s\n' "$*" >&2; }
die() { printf 'emotions_fasttext.sh: %s\n' "$*" >&2; exit 1; }
[ -f "$DATA/train.tsv" ] && [ -f "$DATA/dev.tsv" ] || die "no train.tsv/dev.tsv in $DATA"
command -v python3 >/dev/null || die "python3 is required"

if ! command -v fasttext >/dev/null; then
  say "installing fastText (Debian package 'fasttext')"
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q fasttext >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q fasttext >/dev/null; }
  else
    sudo apt-get install -y -q fasttext >/dev/null
  fi
  command -v fasttext >/dev/null || die "fasttext is missing (apt-get install fasttext)"
fi

say "building heed (Release) in build-bench/"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DHEED_TESTS=OFF -DHEED_WERROR=OFF >/dev/null
cmake --build "$BUILD" --target heed -j2 >/dev/null
CFLAGS_SPEED="-O2"
cc $CFLAGS_SPEED -Iinclude bench/emotions_speed.c "$BUILD/libheed.a" \
  $(pkg-config --libs libutf8proc) -lm -o "$OUT/emotions_speed"
HEED=$BUILD/heed

now() { date +%s.%N; }

say "heed: train (the command of models/README.md) and eval on dev"
t0=$(now)
"$HEED" train emotions --train "$DATA/train.tsv" --dev "$DATA/dev.tsv" -o "$OUT/heed.model" -q \
  >"$OUT/heed_train.txt"
t1=$(now)
"$HEED" eval emotions "$DATA/dev.tsv" --model "$OUT/heed.model" >"$OUT/heed_eval.txt"
heed_tuned=$(sed -n 's/^dev (thresholds tuned on it): macro-F1 \([0-9.]*\)  micro-F1 \([0-9.]*\).*/\1 \2/p' "$OUT/heed_train.txt")
heed_2fold=$(sed -n 's/^dev 2-fold.*macro-F1 \([0-9.]*\)/\1/p' "$OUT/heed_train.txt")
heed_secs=$(python3 -c "print('%.1f' % ($t1 - $t0))")
if cmp -s "$OUT/heed.model" models/emotions.model; then same="yes"; else same="no"; fi

say "fastText: prepare, train twice, predict dev"
python3 bench/emotions_fasttext.py prep "$DATA/train.tsv" "$OUT/ft_train.txt"
python3 bench/emotions_fasttext.py prep "$DATA/dev.tsv" "$OUT/ft_dev.txt"
declare -A FT_ARGS=(
  [words]="-wordNgrams 2"
  [chars]="-wordNgrams 2 -minn 3 -maxn 5"
)
declare -A FT_EPOCH=([words]=25 [chars]=10)
declare -A FT_NAME=([words]="fastText ova, word 1-2g, 25 ep" [chars]="fastText ova, +char 3-5g, 10 ep")
best=""; best_macro=0
for cfg in words chars; do
  t0=$(now)
  # shellcheck disable=SC2086
  fasttext supervised -input "$OUT/ft_train.txt" -output "$OUT/ft_$cfg" -loss ova -dim 50 \
    -lr 0.5 -epoch "${FT_EPOCH[$cfg]}" ${FT_ARGS[$cfg]} -thread 2 -verbose 0
  t1=$(now)
  fasttext predict-prob "$OUT/ft_$cfg.bin" "$OUT/ft_dev.txt" -1 0 >"$OUT/ft_$cfg.probs"
  python3 bench/emotions_fasttext.py score "$DATA/dev.tsv" "$OUT/ft_$cfg.probs" >"$OUT/ft_$cfg.score"
  secs=$(python3 -c "print('%.1f' % ($t1 - $t0))")
  echo "$secs" >"$OUT/ft_$cfg.secs"
  m=$(awk '{print $2}' "$OUT/ft_$cfg.score")
  if python3 -c "import sys; sys.exit(0 if $m > $best_macro else 1)"; then best=$cfg; best_macro=$m; fi
done

say "heed: prediction speed (one thread, dev texts, best of 3)"
"$OUT/emotions_speed" "$DATA/dev.tsv" "$OUT/heed.model" 5 >"$OUT/speed.txt" 2>/dev/null

echo
echo "GoEmotions dev ($(wc -l <"$DATA/dev.tsv") lines), 28 labels; machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); $(cc --version | head -1)"
printf '%-34s %10s %10s %14s %9s\n' "system" "macro-F1" "micro-F1" "2-fold macro" "train s"
read -r hm hmi <<<"$heed_tuned"
printf '%-34s %10s %10s %14s %9s\n' "heed (linear, word+char4 hashes)" "$hm" "$hmi" "$heed_2fold" "$heed_secs"
for cfg in words chars; do
  read -r _ fm _ fmi _ _ f2 <<<"$(cat "$OUT/ft_$cfg.score")"
  printf '%-34s %10s %10s %14s %9s\n' "${FT_NAME[$cfg]}" "$fm" "$fmi" "$f2" "$(cat "$OUT/ft_$cfg.secs")"
done
printf '%-34s %10s\n' "BERT-base (GoEmotions paper, test)" "0.46"
read -r _ bm _ bmi _ _ b2 <<<"$(cat "$OUT/ft_$best.score")"
python3 -c "print('ratio heed / best fastText (%s): macro-F1 %.3f, 2-fold macro-F1 %.3f' % ('$best', $hm / $bm, $heed_2fold / $b2))"
echo "heed model reproduces models/emotions.model byte for byte: $same"
echo
cat "$OUT/speed.txt"
