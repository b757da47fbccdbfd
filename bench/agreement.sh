#!/usr/bin/env bash
# Agreement of heed (valence) and vader-sentiment (compound) with the human
# ratings of VADER's four sentence sets: Pearson r per set, side by side.
# See bench/README.md.
#
#   bench/agreement.sh
#
# Environment:
#   HEED_DATA=DIR         shared data folder (default: ../shared/data from the repo root)
#   HEED_BIN=PATH         heed binary (default: build-bench/heed, built in Release
#                         if missing; run.sh builds the same one)
#   HEED_BENCH_BUILD=DIR  build folder (default: <repo>/build-bench)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
DATA=${HEED_DATA:-$ROOT/../shared/data}
BUILD=${HEED_BENCH_BUILD:-$ROOT/build-bench}
OUT=$BENCH/out/agreement
PEERS=$BENCH/peers
SETS="tweets movieReviewSnippets nytEditorialSnippets amazonReviewSnippets"

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'agreement.sh: %s\n' "$*" >&2; exit 1; }

mkdir -p "$OUT"
[ -d "$DATA/vader" ] || die "no vader data under $DATA (set HEED_DATA)"

if [ -n "${HEED_BIN:-}" ]; then
  HEED=$HEED_BIN
else
  HEED=$BUILD/heed
  say "building heed (Release) in $BUILD"
  HEED_CMAKE_ARGS=-DHEED_WERROR=OFF bash "$ROOT/scripts/build.sh" "$BUILD" heed >"$OUT/cmake-build.log" 2>&1 ||
    { tail -n 30 "$OUT/cmake-build.log" >&2; die "build failed (see $OUT/cmake-build.log)"; }
fi
[ -x "$HEED" ] || die "no heed binary at $HEED"

if [ ! -d "$PEERS/node_modules/vader-sentiment" ] ||
   [ "$PEERS/package-lock.json" -nt "$PEERS/node_modules/.package-lock.json" ]; then
  say "installing peers (npm ci)"
  (cd "$PEERS" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

python3 "$BENCH/agreement.py" prepare "$DATA/vader" "$OUT"
for s in $SETS; do
  say "scoring $s"
  "$HEED" analyze --format jsonl --threads 0 "$OUT/$s.jsonl" >"$OUT/$s.heed" 2>"$OUT/$s.heed.err" ||
    { tail -n 20 "$OUT/$s.heed.err" >&2; die "heed analyze failed on $s"; }
  node "$PEERS/vader.js" "$OUT/$s.txt" >"$OUT/$s.vader" 2>"$OUT/$s.vader.err" ||
    { cat "$OUT/$s.vader.err" >&2; die "vader-sentiment failed on $s"; }
done

echo "heed: $HEED"
echo "vader-sentiment $(node -p "require('$PEERS/node_modules/vader-sentiment/package.json').version") (node $(node --version))"
python3 "$BENCH/agreement.py" report "$OUT"
