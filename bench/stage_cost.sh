#!/usr/bin/env bash
# stage_cost.sh - where the wall time of `heed analyze` (one thread, the run.sh
# corpus) goes, stage by stage: every run is all stages with one stage left
# out (--stages), and a stage's cost is the time it saves. The runs of one
# round go in turn, so a slow phase of the machine hits every configuration;
# the median of the rounds is reported. See bench/README.md ("Stage costs").
#
#   bench/stage_cost.sh [ROUNDS]        default 7 rounds
#
# Environment: HEED_BIN (default build-bench/heed, built with scripts/build.sh
# when missing), HEED_DATA and HEED_BENCH_COUNT as for run.sh (the corpus is
# made when bench/out/corpus.txt is missing).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT=$BENCH/out
DATA=${HEED_DATA:-$ROOT/../shared/data}
ROUNDS=${1:-7}
case $ROUNDS in '' | *[!0-9]* | 0) echo "stage_cost.sh: ROUNDS must be a positive number" >&2; exit 2 ;; esac

mkdir -p "$OUT"
HEED=${HEED_BIN:-$ROOT/build-bench/heed}
if [ ! -x "$HEED" ]; then
  [ -z "${HEED_BIN:-}" ] || { echo "stage_cost.sh: HEED_BIN=$HEED is not executable" >&2; exit 1; }
  echo "== building heed (scripts/build.sh build-bench)" >&2
  HEED_CMAKE_ARGS=-DHEED_WERROR=OFF bash "$ROOT/scripts/build.sh" "$ROOT/build-bench" heed \
    >"$OUT/cmake-build.log" 2>&1 || { tail -n 30 "$OUT/cmake-build.log" >&2; exit 1; }
fi
CORPUS=$OUT/corpus.txt
if [ ! -s "$CORPUS" ]; then
  echo "== making the corpus from $DATA" >&2
  python3 "$BENCH/make_corpus.py" --data "$DATA" --out "$OUT" --count "${HEED_BENCH_COUNT:-100000}"
fi

# name and --stages list; "all" first, each other one without one stage
configs=(
  "all|all"
  "valence only|valence"
  "no language|emotions,needs,intensity,stress"
  "no emotions|language,needs,intensity,stress"
  "no needs|language,emotions,intensity,stress"
  "no intensity|language,emotions,needs,stress"
  "no stress|language,emotions,needs,intensity"
)
declare -A ms
for ((r = 1; r <= ROUNDS; r++)); do
  for c in "${configs[@]}"; do
    name=${c%%|*} stages=${c#*|}
    s=$(date +%s%N)
    "$HEED" analyze --format text --threads 1 --stages "$stages" "$CORPUS" >"$OUT/stage_cost.out" \
      2>"$OUT/stage_cost.err" || { cat "$OUT/stage_cost.err" >&2; exit 1; }
    e=$(date +%s%N)
    ms[$name]+="$(((e - s) / 1000)) "
  done
done

bytes=$(wc -c <"$CORPUS")
lines=$(wc -l <"$CORPUS")
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "heed: $HEED; corpus: $CORPUS ($lines messages, $bytes bytes); $ROUNDS rounds, medians"
echo
for c in "${configs[@]}"; do echo "${c%%|*}|${ms[${c%%|*}]}"; done | python3 -c '
import sys, statistics
bytes_, lines = int(sys.argv[1]), int(sys.argv[2])
rows = [l.rstrip("\n").split("|") for l in sys.stdin]
med = {n: statistics.median(int(v) for v in t.split()) / 1000.0 for n, t in rows}
full = med["all"]
print("%-14s %8s %7s   stage cost (all - run)" % ("run", "ms", "MB/s"))
for n, _ in rows:
    mbs = bytes_ / 1e6 / (med[n] / 1000.0)
    extra = ""
    if n != "all":
        d = full - med[n]
        extra = f"{d:8.1f} ms  {d * 1000.0 / lines:6.2f} us/msg  {100.0 * d / full:5.1f} %"
    print(f"{n:<14} {med[n]:8.1f} {mbs:7.2f}   {extra}")
print("(\"valence only\": the cost is that of every stage after valence together;")
print(" stress reads the emotions, so \"no emotions\" also changes the stress stage;")
print(" without the language stage every text is taken as English, so the listening")
print(" stages also run on the texts it would have marked as another language;")
print(" a cost within a few ms of 0 is within the noise of one run)")
' "$bytes" "$lines"
