#!/usr/bin/env bash
# test_import_pool.sh - `heed import`'s analysis workers: any number of
# threads, any batch size, store exactly what one thread stores (every table,
# every column), report the bad records in file order, and leave an import
# that is run again with nothing to add. The files have agent replies whose
# context is the row before, a row further back (conversations interleaved)
# and several rows (a customer writing twice), and more rows than one batch.
# The workers run at nice + 10, the reader and the writer at the nice heed
# was started with.
. "$(dirname "$0")/lib.sh"
export HEED_SECRET=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
if ! command -v sqlite3 >/dev/null; then bad "sqlite3 is missing (scripts/deps.sh installs it)"; fi
G=$TMP/gen
# about 2,200 messages: more than one default batch (2000 records)
"$HEED" generate --out "$G" --customers 320 --seed 5 >/dev/null 2>&1
expect_eq "generate" "$?" 0

# interleaved conversations and bad records, then the generated messages
{
    i=0
    for c in a b c d e f g h; do
        i=$((i + 1))
        echo "{\"id\":\"$c-1\",\"conversation\":\"$c\",\"role\":\"customer\",\"time\":\"2026-09-0${i}T10:00:00Z\",\"text\":\"My order $c$i never arrived and nobody answers my emails. I am really upset.\"}"
        echo "{\"id\":\"$c-2\",\"conversation\":\"$c\",\"role\":\"customer\",\"time\":\"2026-09-0${i}T10:01:00Z\",\"text\":\"Can you please refund it by Friday?\"}"
    done
    echo '{"id":"","text":"no id"}'
    for c in a b c d e f g h; do
        echo "{\"id\":\"$c-3\",\"conversation\":\"$c\",\"role\":\"agent\",\"agent\":\"ann\",\"time\":\"2026-09-09T11:00:00Z\",\"text\":\"I'm so sorry your order never arrived. I will refund it today and email you by Friday.\"}"
        echo "{\"id\":\"$c-4\",\"conversation\":\"$c\",\"role\":\"agent\",\"agent\":\"bob\",\"time\":\"2026-09-09T11:05:00Z\",\"text\":\"The refund is done.\"}"
    done
    echo '{"id":"x","role":"robot","time":"2026-09-09T11:05:00Z","text":"an unknown role"}'
    cat "$G/messages.jsonl"
} >"$TMP/m.jsonl"
rows=$(grep -c . "$TMP/m.jsonl")

# every table, rows in full and ordered by all columns; the wall-clock
# columns (import_file.updated, meta 'created') left out
dump() {
    local t cols vals w
    for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
        cols=$(sqlite3 "$1" "SELECT group_concat('\"' || name || '\"', ',')
            FROM pragma_table_info('$t')")
        # quote(): reals in full precision
        vals=$(sqlite3 "$1" "SELECT group_concat('quote(\"' || name || '\")', ' || ''|'' || ')
            FROM pragma_table_info('$t') WHERE NOT ('$t' = 'import_file' AND name = 'updated')")
        w=
        [ "$t" = meta ] && w="WHERE key <> 'created'"
        echo "== $t"
        sqlite3 "$1" "SELECT $vals FROM \"$t\" $w ORDER BY $cols"
    done
}

"$HEED" import messages "$TMP/m.jsonl" --db "$TMP/one.db" -j 1 --rejects "$TMP/rej-one" \
    2>"$TMP/e-one"
expect_eq "-j 1: some rejected" "$?" 1
expect_grep "-j 1: counts" "$TMP/e-one" "$rows read = $((rows - 2)) imported + 0 already there + 2 rejected"
expect_grep "-j 1: file:line" "$TMP/e-one" "m.jsonl:17: the 'id' field is missing or empty"
dump "$TMP/one.db" >"$TMP/d-one"
replies=$(sqlite3 "$TMP/one.db" "SELECT count(*) FROM message WHERE role = 2 AND er IS NOT NULL")
if [ "${replies:-0}" -gt 100 ]; then ok; else bad "only '$replies' replies scored with a context"; fi
grep -v ' records/s$' "$TMP/e-one" >"$TMP/e-one.r"

# THREADS:BATCH - runs and batches end anywhere, even between a customer
# message and its reply
for tb in 2:2000 2:1 2:13 3:50 4:2000 2:100000; do
    j=${tb%%:*} n=${tb#*:}
    db=$TMP/j$j-b$n.db
    "$HEED" import messages "$TMP/m.jsonl" --db "$db" -j "$j" --batch "$n" \
        --rejects "$TMP/rej-$j-$n" 2>"$TMP/e-$j-$n"
    expect_eq "-j $j --batch $n: some rejected" "$?" 1
    dump "$db" >"$TMP/d-$j-$n"
    if [ -s "$TMP/d-one" ] && cmp -s "$TMP/d-one" "$TMP/d-$j-$n"; then ok; else
        bad "-j $j --batch $n: the store differs from -j 1's"
        diff "$TMP/d-one" "$TMP/d-$j-$n" | head -6 >&2
    fi
    grep -v ' records/s$' "$TMP/e-$j-$n" >"$TMP/e.r"
    if cmp -s "$TMP/e-one.r" "$TMP/e.r"; then ok; else
        bad "-j $j --batch $n: the report differs"
        diff "$TMP/e-one.r" "$TMP/e.r" | head -4 >&2
    fi
    if cmp -s "$TMP/rej-one" "$TMP/rej-$j-$n"; then ok; else bad "-j $j --batch $n: rejects differ"; fi
done

# again: nothing new (through a pipe, so nothing is skipped as done)
cat "$TMP/m.jsonl" | "$HEED" import messages - --db "$TMP/j2-b13.db" -j 2 --batch 13 2>"$TMP/e-again"
expect_eq "again: the two bad records" "$?" 1
expect_grep "again: all there" "$TMP/e-again" "$rows read = 0 imported + $((rows - 2)) already there + 2 rejected"
dump "$TMP/j2-b13.db" >"$TMP/d-again"
if cmp -s "$TMP/d-one" "$TMP/d-again"; then ok; else bad "again: the store changed"; fi

# the other kinds go through the same workers (nothing to analyse but surveys)
"$HEED" import dir "$G" --db "$TMP/dir1.db" -j 1 --agent-domain northwind.example.com -q
expect_eq "dir -j 1" "$?" 0
"$HEED" import dir "$G" --db "$TMP/dir2.db" -j 2 --batch 97 --agent-domain northwind.example.com -q
expect_eq "dir -j 2" "$?" 0
dump "$TMP/dir1.db" >"$TMP/dd1"
dump "$TMP/dir2.db" >"$TMP/dd2"
if [ -s "$TMP/dd1" ] && cmp -s "$TMP/dd1" "$TMP/dd2"; then ok; else
    bad "dir: -j 2 --batch 97 differs from -j 1"
    diff "$TMP/dd1" "$TMP/dd2" | head -6 >&2
fi
# the analysis workers run at a lower priority (nice + 10) than the reader
# and the writer: read from a pipe that stays open, the import's threads are
# all there while it waits for input
if [ -d /proc/self/task ]; then
    mkfifo "$TMP/fifo"
    "$HEED" import messages -j 2 -q --db "$TMP/nice.db" <"$TMP/fifo" &
    pid=$!
    exec 3>"$TMP/fifo"
    head -n 5 "$G/messages.jsonl" >&3
    nices=""
    for _ in $(seq 1 200); do
        if [ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -ge 4 ]; then
            nices=$(cat /proc/$pid/task/*/stat 2>/dev/null | awk '{print $19}' | sort -n | tr '\n' ' ')
            break
        fi
        sleep 0.05
    done
    exec 3>&-
    wait "$pid"
    base=$(awk '{print $19}' /proc/self/stat)
    low=$((base + 10 < 19 ? base + 10 : 19))
    expect_eq "workers at nice + 10, the reader and the writer not" "$nices" \
        "$base $base $low $low "
fi

finish
