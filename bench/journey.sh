#!/usr/bin/env bash
# Store and journey benchmark: heed import (full analysis into SQLite) beside
# the sqlite3 CLI's raw .import and heed analyze of the same messages, the
# latency of heed queue / journey / agents / agent on the resulting store, and
# the peak RSS of imports of two sizes. See bench/README.md, "Store and journey".
#
#   bench/journey.sh            quick run: 20,000 customers (~137k messages)
#   bench/journey.sh --full     150,000 customers (~1.03M messages; several minutes)
#
# Environment:
#   HEED_JBENCH_CUSTOMERS=N   customers of the full-size set (default 20000; --full: 150000)
#   HEED_JBENCH_RUNS=N        timed runs per query command, after 2 warm-ups (default 20)
#   HEED_BIN=PATH             use this heed binary instead of building build-bench/heed
#   HEED_BENCH_BUILD=DIR      build folder (default: <repo>/build-bench)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT=$BENCH/out/journey
BUILD=${HEED_BENCH_BUILD:-$ROOT/build-bench}
RUNS=${HEED_JBENCH_RUNS:-20}
NPROC=$(nproc)
CUSTOMERS=${HEED_JBENCH_CUSTOMERS:-20000}
for a in "$@"; do
  case $a in
    --full) CUSTOMERS=${HEED_JBENCH_CUSTOMERS:-150000} ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "journey.sh: unknown option '$a' (--full, --help)" >&2; exit 2 ;;
  esac
done
QUARTER=$((CUSTOMERS / 4))

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'journey.sh: %s\n' "$*" >&2; exit 1; }

mkdir -p "$OUT"

# --- tools ----------------------------------------------------------------------
apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q "$@" >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
  else
    sudo apt-get install -y -q "$@" >/dev/null
  fi
}
[ -x /usr/bin/time ] || { say "installing GNU time (Debian package 'time')"; apt_install time; }
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
command -v sqlite3 >/dev/null || { say "installing the sqlite3 CLI (Debian package 'sqlite3')"; apt_install sqlite3; }
command -v sqlite3 >/dev/null || die "sqlite3 is missing (apt-get install sqlite3)"
command -v python3 >/dev/null || die "python3 is required"

# --- heed, Release build -----------------------------------------------------------
if [ -n "${HEED_BIN:-}" ]; then
  HEED=$HEED_BIN
  [ -x "$HEED" ] || die "HEED_BIN=$HEED is not executable"
else
  say "building heed (Release) in $BUILD"
  HEED_CMAKE_ARGS=-DHEED_WERROR=OFF bash "$ROOT/scripts/build.sh" "$BUILD" heed >"$OUT/cmake-build.log" 2>&1 ||
    { tail -n 30 "$OUT/cmake-build.log" >&2; die "build failed (see $OUT/cmake-build.log)"; }
  HEED=$BUILD/heed
fi

# --- data -----------------------------------------------------------------------------
# gen N: heed generate into $OUT/data-N (kept between runs: the output is deterministic)
gen() {
  local dir=$OUT/data-$1
  if [ ! -s "$dir/messages.jsonl" ] || [ ! -s "$dir/.done" ]; then
    say "generating $1 customers into $dir"
    rm -rf "$dir"
    "$HEED" generate --out "$dir" --customers "$1" --seed 1 2>"$dir.log" ||
      { cat "$dir.log" >&2; die "heed generate failed"; }
    cat "$dir.log" >"$dir/.done"
  fi
}
gen "$CUSTOMERS"
gen "$QUARTER"
FULL=$OUT/data-$CUSTOMERS
QDIR=$OUT/data-$QUARTER
# the quarter set's next month (another seed, from the day its period ends):
# what a monthly import adds to a store that holds the month before
NDIR=$OUT/data-$QUARTER-next
if [ ! -s "$NDIR/messages.jsonl" ] || [ ! -s "$NDIR/.done" ]; then
  say "generating the next month of $QUARTER customers into $NDIR"
  rm -rf "$NDIR"
  "$HEED" generate --out "$NDIR" --customers "$QUARTER" --seed 2 --start 2026-10-01 2>"$NDIR.log" ||
    { cat "$NDIR.log" >&2; die "heed generate failed"; }
  cat "$NDIR.log" >"$NDIR/.done"
fi
# the messages as CSV, for the sqlite3 peer (converted once, not timed)
if [ ! -s "$QDIR/messages.csv" ]; then
  python3 - "$QDIR/messages.jsonl" "$QDIR/messages.csv" <<'EOF'
import csv, json, sys
cols = ["id", "conversation", "role", "agent", "customer", "time", "channel", "text", "status"]
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", newline="", encoding="utf-8") as o:
    w = csv.writer(o)
    w.writerow(cols)
    for line in f:
        r = json.loads(line)
        w.writerow([r.get(c, "") for c in cols])
EOF
fi

# --- machine ------------------------------------------------------------------------
{
  echo "date	$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine	$(uname -srm), nproc $NPROC"
  echo "cpu	$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "load	$(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min load average before the runs)"
  if [ -z "${HEED_BIN:-}" ]; then
    cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
    echo "compiler	$("$cc" --version | head -n1); CMAKE_BUILD_TYPE=Release ($(sed -n 's/^CMAKE_C_FLAGS_RELEASE:[A-Z]*=//p' "$BUILD/CMakeCache.txt"))"
  fi
  echo "sqlite	$(sqlite3 --version | cut -d' ' -f1) (CLI); heed links $(pkg-config --modversion sqlite3 2>/dev/null || echo '?')"
  echo "full	$(sed 's/^heed generate: //' "$FULL/.done")"
  echo "quarter	$(sed 's/^heed generate: //' "$QDIR/.done")"
} >"$OUT/meta.tsv"

# --- timed runs -----------------------------------------------------------------------
# measure ROW FILE_FOR_BYTES COMMAND...: one run under /usr/bin/time -v;
# appends row, wall ns, peak RSS KB, user s, sys s, messages/s by heed, bytes, command
: >"$OUT/measure.tsv"
measure() {
  local row=$1 input=$2; shift 2
  local t0 t1 tv=$OUT/$row.time
  say "$row: $*"
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$tv" "$@" >"$OUT/$row.out" 2>"$OUT/$row.err" ||
    { tail -n 20 "$OUT/$row.err" >&2; die "$row failed: $*"; }
  t1=$(date +%s%N)
  local rate
  rate=$(sed -n 's/.*messages.jsonl (messages): \([0-9]*\) read.*; \([0-9]*\) records\/s.*/\1 \2/p' "$OUT/$row.err" | head -n1)
  printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$((t1 - t0))" \
    "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tv")" \
    "$(sed -n 's/.*User time (seconds): //p' "$tv")" \
    "$(sed -n 's/.*System time (seconds): //p' "$tv")" \
    "${rate:-}" "$(stat -c %s "$input")" "$*" >>"$OUT/measure.tsv"
}

# import rate and the peers, on the quarter set (messages only)
QM=$QDIR/messages.jsonl
rm -f "$OUT"/q*.db*
measure import-msg-1 "$QM" "$HEED" import messages -q -j 1 --db "$OUT/q1.db" "$QM"
measure import-msg-all "$QM" "$HEED" import messages -q -j "$NPROC" --db "$OUT/qn.db" "$QM"
# into a store that already holds messages: the next month (a copy of the
# store the row above made), and the same messages again under another
# source (new ids, conversations and parties; the same customers' keys, the
# same weeks: every index in time order takes them among its entries)
rm -f "$OUT"/qnext.db*
for f in "$OUT"/qn.db*; do cp "$f" "$OUT/qnext.db${f#"$OUT"/qn.db}"; done
measure import-msg-next "$NDIR/messages.jsonl" "$HEED" import messages -q -j "$NPROC" --source next --db "$OUT/qnext.db" "$NDIR/messages.jsonl"
measure import-msg-populated "$QM" "$HEED" import messages -q -j "$NPROC" --source again --db "$OUT/qn.db" "$QM"
measure analyze-1 "$QM" sh -c "'$HEED' analyze --threads 1 '$QM' >/dev/null"
measure analyze-all "$QM" sh -c "'$HEED' analyze --threads $NPROC '$QM' >/dev/null"
rm -f "$OUT/sq.db"*
measure sqlite3-import "$QDIR/messages.csv" sqlite3 "$OUT/sq.db" \
  "PRAGMA journal_mode=WAL" "PRAGMA synchronous=NORMAL" \
  "CREATE TABLE message(id TEXT, conversation TEXT, role TEXT, agent TEXT, customer TEXT, time TEXT, channel TEXT, text TEXT, status TEXT)" \
  ".import --csv --skip 1 '$QDIR/messages.csv' message"
# memory: import dir at two sizes (the full one is the store for the queries)
rm -f "$OUT"/store.db* "$OUT"/store-*.db*
measure import-dir-quarter "$QM" "$HEED" import dir -j "$NPROC" --db "$OUT/store-q.db" "$QDIR"
measure import-dir-full "$FULL/messages.jsonl" "$HEED" import dir -j "$NPROC" --db "$OUT/store.db" "$FULL"
# the identity pass after every import reads every party of the store: 10 new
# messages into each store show its share of the peak RSS
head -n 10 "$QM" >"$OUT/tiny.jsonl"
measure import-tiny-quarter "$OUT/tiny.jsonl" "$HEED" import messages --source tiny -j "$NPROC" --db "$OUT/store-q.db" "$OUT/tiny.jsonl"
measure import-tiny-full "$OUT/tiny.jsonl" "$HEED" import messages --source tiny -j "$NPROC" --db "$OUT/store.db" "$OUT/tiny.jsonl"
DB=$OUT/store.db
sqlite3 "$DB" "SELECT 'store', (SELECT count(*) FROM message), (SELECT count(DISTINCT person) FROM party), (SELECT count(*) FROM customer), (SELECT count(*) FROM event)" |
  tr '|' '\t' >>"$OUT/meta.tsv"

# --- query latency -------------------------------------------------------------------
# lat ROW COMMAND...: 2 warm-up runs, then RUNS timed runs (whole process each)
: >"$OUT/latency.tsv"
lat() {
  local row=$1 i t0 t1; shift
  say "latency $row: $*"
  "$@" >"$OUT/lat-$row.out" 2>&1 || { cat "$OUT/lat-$row.out" >&2; die "$row failed: $*"; }
  "$@" >/dev/null 2>&1
  for i in $(seq 1 "$RUNS"); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    printf '%s\t%d\t%s\n' "$row" "$((t1 - t0))" "$*" >>"$OUT/latency.tsv"
  done
}
# the queue is recomputed once (import leaves it to be); timed on its own
t0=$(date +%s%N)
"$HEED" queue --db "$DB" --refresh --top 20 >"$OUT/refresh.out" 2>"$OUT/refresh.err"
t1=$(date +%s%N)
printf 'refresh\t%d\theed queue --refresh --top 20\n' "$((t1 - t0))" >"$OUT/refresh.tsv"

DAY=$(sqlite3 "$DB" "SELECT date(max(time), 'unixepoch') FROM message")
# customers: the first CRM id, one from the middle, and the person with the most
# messages (the heaviest journey in the store)
FIRST=$(sqlite3 "$DB" "SELECT ext_id FROM customer ORDER BY id LIMIT 1")
MID=$(sqlite3 "$DB" "SELECT ext_id FROM customer ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM customer)")
HEAVY=$(sqlite3 "$DB" "SELECT p.person FROM conversation c JOIN party p ON p.id = c.party GROUP BY p.person ORDER BY sum(c.n_messages) DESC LIMIT 1")
HEAVY_N=$(sqlite3 "$DB" "SELECT sum(c.n_messages) FROM conversation c JOIN party p ON p.id = c.party WHERE p.person = $HEAVY")
# agents: the one with the median number of replies, and the one with the most
AGENTS="SELECT agent, count(*) n FROM message WHERE agent IS NOT NULL AND role = 2 GROUP BY agent"
AGENT=$(sqlite3 "$DB" "SELECT agent FROM ($AGENTS) ORDER BY n LIMIT 1 OFFSET (SELECT count(*) / 2 FROM ($AGENTS))")
AGENT_N=$(sqlite3 "$DB" "SELECT n FROM ($AGENTS) WHERE agent = '$AGENT'")
AGENT_H=$(sqlite3 "$DB" "SELECT agent FROM ($AGENTS) ORDER BY n DESC LIMIT 1")
AGENT_HN=$(sqlite3 "$DB" "SELECT n FROM ($AGENTS) WHERE agent = '$AGENT_H'")
printf 'picked\tday %s; journeys %s, %s, %s (heaviest: %s messages); agents %s (median: %s replies), %s (most: %s replies)\n' \
  "$DAY" "$FIRST" "$MID" "$HEAVY" "$HEAVY_N" "$AGENT" "$AGENT_N" "$AGENT_H" "$AGENT_HN" >>"$OUT/meta.tsv"

lat queue "$HEED" queue --db "$DB" --top 20
lat journey-first "$HEED" journey --db "$DB" "$FIRST"
lat journey-mid "$HEED" journey --db "$DB" "$MID"
lat journey-heavy "$HEED" journey --db "$DB" "$HEAVY"
lat agents "$HEED" agents --db "$DB" --day "$DAY"
lat agent "$HEED" agent --db "$DB" "$AGENT" --day "$DAY"
lat agent-heavy "$HEED" agent --db "$DB" "$AGENT_H" --day "$DAY"
lat startup "$HEED" queue --help

python3 "$BENCH/journey_report.py" "$OUT"
