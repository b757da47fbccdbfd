#!/usr/bin/env bash
# heed throughput benchmark: heed analyze beside vader-sentiment and sentiment
# (AFINN), measured in the same run on the same corpus. See bench/README.md.
#
#   bench/run.sh                 build (Release, build-bench/), corpus, peers, measure
#
# Environment:
#   HEED_DATA=DIR         shared data folder (default: ../shared/data from the repo root)
#   HEED_BIN=PATH         use this heed binary instead of building build-bench/heed
#   HEED_BENCH_BUILD=DIR  build folder (default: <repo>/build-bench)
#   HEED_BENCH_RUNS=N     timed runs per command, the median is reported (default 3)
#   HEED_BENCH_COUNT=N    corpus size in messages (default 100000)
#   HEED_BENCH_SKIP=LIST  comma list of rows to skip: vader,afinn,jsonl,turns (default none)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT=$BENCH/out
DATA=${HEED_DATA:-$ROOT/../shared/data}
BUILD=${HEED_BENCH_BUILD:-$ROOT/build-bench}
RUNS=${HEED_BENCH_RUNS:-3}
COUNT=${HEED_BENCH_COUNT:-100000}
SKIP=",${HEED_BENCH_SKIP:-},"
NPROC=$(nproc)

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

mkdir -p "$OUT"

# --- tools -------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  say "installing GNU time (Debian package 'time')"
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q time >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
  else
    sudo apt-get install -y -q time >/dev/null
  fi
  [ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
fi
command -v python3 >/dev/null || die "python3 is required"
command -v node >/dev/null || die "node is required"
command -v npm >/dev/null || die "npm is required"

# --- heed, Release build --------------------------------------------------------
if [ -n "${HEED_BIN:-}" ]; then
  HEED=$HEED_BIN
  [ -x "$HEED" ] || die "HEED_BIN=$HEED is not executable"
  say "using prebuilt $HEED"
else
  say "building heed (Release, profile-guided: scripts/build.sh) in $BUILD"
  HEED_CMAKE_ARGS=-DHEED_WERROR=OFF bash "$ROOT/scripts/build.sh" "$BUILD" heed >"$OUT/cmake-build.log" 2>&1 ||
    { tail -n 30 "$OUT/cmake-build.log" >&2; die "build failed (see $OUT/cmake-build.log)"; }
  HEED=$BUILD/heed
  [ -x "$HEED" ] || die "no binary at $HEED after the build"
fi

# --- corpus -----------------------------------------------------------------------
say "making the corpus ($COUNT messages) from $DATA"
python3 "$BENCH/make_corpus.py" --data "$DATA" --out "$OUT" --count "$COUNT"

# --- peers ------------------------------------------------------------------------
PEERS=$BENCH/peers
if [ ! -d "$PEERS/node_modules/vader-sentiment" ] || [ ! -d "$PEERS/node_modules/sentiment" ] ||
   [ "$PEERS/package-lock.json" -nt "$PEERS/node_modules/.package-lock.json" ]; then
  say "installing peers (npm)"
  if [ -f "$PEERS/package-lock.json" ]; then
    (cd "$PEERS" && npm ci --no-audit --no-fund --loglevel=error) >&2
  else
    (cd "$PEERS" && npm install --no-audit --no-fund --loglevel=error) >&2
  fi
fi

# --- smoke test: does heed analyze run at all? ---------------------------------------
head -n 100 "$OUT/corpus.txt" >"$OUT/smoke.txt"
if ! "$HEED" analyze --format text --threads 1 "$OUT/smoke.txt" >"$OUT/smoke.out" 2>"$OUT/smoke.err"; then
  cat "$OUT/smoke.err" >&2; die "heed analyze failed on 100 corpus lines"
fi
[ "$(wc -l <"$OUT/smoke.out")" = 100 ] ||
  die "heed analyze wrote $(wc -l <"$OUT/smoke.out") lines for 100 messages"

# --- machine, compiler, flags -------------------------------------------------------
{
  echo "date	$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine	$(uname -srm), nproc $NPROC"
  echo "cpu	$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "load	$(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min load average before the runs)"
  if [ -z "${HEED_BIN:-}" ]; then
    cache=$BUILD/CMakeCache.txt
    cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$cache")
    echo "compiler	$cc: $("$cc" --version | head -n1)"
    cflags=$(sed -n 's/^CMAKE_C_FLAGS:[A-Z]*=//p' "$cache")
    rflags=$(sed -n 's/^CMAKE_C_FLAGS_RELEASE:[A-Z]*=//p' "$cache")
    tflags=$(sed -n 's/^C_FLAGS = //p' "$BUILD/CMakeFiles/heed_obj.dir/flags.make" 2>/dev/null | head -n1)
    pgo=$(sed -n 's/^HEED_PGO:[A-Z]*=//p' "$cache")
    echo "flags	CMAKE_BUILD_TYPE=Release; HEED_PGO=${pgo:-OFF} (scripts/build.sh); C flags of libheed: ${tflags:-$cflags $rflags}"
  else
    echo "compiler	(prebuilt binary $HEED_BIN)"
  fi
  echo "node	$(node --version); vader-sentiment $(node -p "require('$PEERS/node_modules/vader-sentiment/package.json').version"), sentiment $(node -p "require('$PEERS/node_modules/sentiment/package.json').version")"
  echo "corpus	$(wc -l <"$OUT/corpus.txt") messages; corpus.txt $(stat -c %s "$OUT/corpus.txt") bytes; corpus.jsonl $(stat -c %s "$OUT/corpus.jsonl") bytes; $(cut -c1-16 "$OUT/corpus.sha256" | head -n1 | sed 's/^/sha256 /')…"
  echo "runs	$RUNS per command, median wall time reported; peak RSS = max over the runs"
} >"$OUT/meta.tsv"

# --- measurements ---------------------------------------------------------------------
# measure ROW INPUT_FILE COMMAND...  (stdout -> out/ROW.out, stderr -> out/ROW.err)
: >"$OUT/measure.tsv"
measure() {
  local row=$1 input=$2; shift 2
  local i t0 t1 tv
  for i in $(seq 1 "$RUNS"); do
    say "run $i/$RUNS: $row"
    tv=$OUT/$row.time.$i
    t0=$(date +%s%N)
    if ! /usr/bin/time -v -o "$tv" "$@" >"$OUT/$row.out" 2>"$OUT/$row.err"; then
      tail -n 20 "$OUT/$row.err" >&2; die "$row failed: $*"
    fi
    t1=$(date +%s%N)
    printf '%s\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%s\n' "$row" "$i" "$((t1 - t0))" \
      "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tv")" \
      "$(sed -n 's/.*User time (seconds): //p' "$tv")" \
      "$(sed -n 's/.*System time (seconds): //p' "$tv")" \
      "$(wc -l <"$OUT/$row.out")" "$(stat -c %s "$input")" "$*" >>"$OUT/measure.tsv"
  done
}

measure heed-1-valence "$OUT/corpus.txt" "$HEED" analyze --format text --threads 1 --stages valence "$OUT/corpus.txt"
measure heed-1 "$OUT/corpus.txt" "$HEED" analyze --format text --threads 1 "$OUT/corpus.txt"
measure heed-all "$OUT/corpus.txt" "$HEED" analyze --format text --threads 0 "$OUT/corpus.txt"
case $SKIP in *,jsonl,*) ;; *)
  measure heed-1-jsonl "$OUT/corpus.jsonl" "$HEED" analyze --format jsonl --threads 1 "$OUT/corpus.jsonl" ;;
esac
case $SKIP in *,turns,*) ;; *)
  measure heed-1-turns "$OUT/corpus-turns.jsonl" "$HEED" analyze --format jsonl --threads 1 "$OUT/corpus-turns.jsonl" ;;
esac
case $SKIP in *,vader,*) ;; *)
  measure vader-sentiment "$OUT/corpus.txt" node "$PEERS/vader.js" "$OUT/corpus.txt" ;;
esac
case $SKIP in *,afinn,*) ;; *)
  measure sentiment "$OUT/corpus.txt" node "$PEERS/afinn.js" "$OUT/corpus.txt" ;;
esac

python3 "$BENCH/report.py" "$OUT"
