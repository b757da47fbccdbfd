#!/usr/bin/env bash
# test_bulk_index.sh - the indexes a message import into a store without
# messages builds once at its end instead of row by row
# (heed_store_defer_indexes, docs/store.md "Imports"): a run that dies
# mid-import leaves a correct store without them, whose readers answer as
# with them; an open that cannot write (another connection holds the lock)
# leaves them missing, the next one that can builds them again with the
# schema of a store that never lost them; an import into a store that holds
# messages keeps them.
. "$(dirname "$0")/lib.sh"
NOW=data
# one key for every store, so redaction tokens compare equal
export HEED_SECRET=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
G=$TMP/gen
"$HEED" generate --out "$G" --customers 150 --seed 5 >/dev/null 2>&1
expect_eq "generate" "$?" 0
if ! command -v sqlite3 >/dev/null; then bad "sqlite3 is missing (scripts/deps.sh installs it)"; fi

# the deferred indexes (DEFERRED, src/store/store.c)
IDX="'message_agent', 'message_customer_time', 'promise_message',
  'promise_made', 'agent_conv_start', 'agent_conv_agent', 'conversation_party',
  'conversation_ext', 'party_crm', 'party_key_token'"
n_idx() { sqlite3 "$1" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ($IDX)"; }
schema() { sqlite3 "$1" "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"; }
# same_schema WHAT DB: DB's schema is the clean import's
same_schema() {
    schema "$TMP/clean.db" >"$TMP/sa"
    schema "$2" >"$TMP/sb"
    if cmp -s "$TMP/sa" "$TMP/sb"; then ok; else
        bad "$1: the schema differs from the clean import's"
        diff "$TMP/sa" "$TMP/sb" | head -5 >&2
    fi
}
DUMP="SELECT m.source, m.ext_id, c.ext_id, m.role, m.agent, m.time, m.text, m.stress, m.need,
  m.er, m.compassion, p.person FROM message m JOIN conversation c ON c.id = m.conversation
  JOIN party p ON p.id = c.party ORDER BY m.source, m.ext_id;
  SELECT * FROM agent_conv ORDER BY agent, conversation;
  SELECT * FROM agent_reply ORDER BY agent, time, message;
  SELECT id, message, kind, made, due, conversation FROM promise ORDER BY id;
  SELECT id, source, ext_id, party, channel, status, first_time, last_time, n_messages,
  top_need FROM conversation ORDER BY id;"

# reads DB OUT: what readers of every deferred index answer (read only)
reads() {
    {
        "$HEED" trends --db "$1" --now "$NOW" --days 366 --json 2>&1
        "$HEED" trends --db "$1" --now "$NOW" --days 366 --by need --json 2>&1
        "$HEED" agents --db "$1" --now "$NOW" --days 366 --json 2>&1
        local c
        for c in $(grep -o '"conversation":"[^"]*"' "$G/messages.jsonl" | cut -d'"' -f4 |
            sort -u | awk 'NR % 40 == 1'); do
            "$HEED" journey "$c" --db "$1" --now "$NOW" --json 2>&1
        done
    } >"$2"
}

"$HEED" import messages "$G/messages.jsonl" --db "$TMP/clean.db" -q
expect_eq "clean import" "$?" 0
expect_eq "clean import: every index" "$(n_idx "$TMP/clean.db")" 10

# ---- dies (like kill -9) right after its 2nd commit
HEED_IMPORT_CRASH_AFTER=2 "$HEED" import messages "$G/messages.jsonl" --db "$TMP/crash.db" \
    --batch 200 -q 2>/dev/null
expect_eq "crashed" "$?" 137
expect_eq "crashed: without the deferred indexes" "$(n_idx "$TMP/crash.db")" 0
expect_eq "crashed: its mark" \
    "$(sqlite3 "$TMP/crash.db" "SELECT count(*) FROM meta WHERE key = 'indexes_deferred'")" 1
expect_eq "crashed: integrity" "$(sqlite3 "$TMP/crash.db" 'PRAGMA integrity_check')" ok

# ---- readers of a store without them (the state an import leaves while it
# runs: a complete store with the indexes dropped by hand) while another
# connection holds the write lock: their open does not wait for the lock,
# builds nothing, and they answer as the store with the indexes
cp "$TMP/clean.db" "$TMP/drop.db"
sqlite3 "$TMP/drop.db" "$(echo "$IDX" | tr -d "' \n" | tr ',' '\n' | sed 's/.*/DROP INDEX &;/')"
expect_eq "dropped by hand" "$(n_idx "$TMP/drop.db")" 0
(printf 'BEGIN IMMEDIATE;\n'; sleep 4; printf 'COMMIT;\n') | sqlite3 "$TMP/drop.db" &
lock=$!
sleep 0.5
t0=$(date +%s)
reads "$TMP/drop.db" "$TMP/r-without"
t1=$(date +%s)
expect_eq "locked: still without them" "$(n_idx "$TMP/drop.db")" 0
wait "$lock"
if [ $((t1 - t0)) -lt 10 ]; then ok; else bad "the readers waited for the lock ($((t1 - t0)) s)"; fi
reads "$TMP/clean.db" "$TMP/r-with"
if [ -s "$TMP/r-with" ] && cmp -s "$TMP/r-without" "$TMP/r-with"; then ok; else
    bad "readers answer differently without the indexes"
    diff "$TMP/r-without" "$TMP/r-with" | head -5 >&2
fi
expect_grep "the readers read rows" "$TMP/r-with" '"customer":'
expect_grep "the readers read trends" "$TMP/r-with" '"messages":'
expect_grep "the readers read agents" "$TMP/r-with" '"conversations":'
# an import still running (meta indexes_deferred names a live process) is
# left to build them itself; one that died is not
sqlite3 "$TMP/drop.db" "INSERT INTO meta(key, value) VALUES('indexes_deferred', '$$')"
reads "$TMP/drop.db" "$TMP/r-live"
expect_eq "import alive: still without them" "$(n_idx "$TMP/drop.db")" 0
if cmp -s "$TMP/r-live" "$TMP/r-with"; then ok; else bad "readers differ (import alive)"; fi
sleep 0 &
dead=$!
wait "$dead"
sqlite3 "$TMP/drop.db" "UPDATE meta SET value = '$dead' WHERE key = 'indexes_deferred'"
"$HEED" trends --db "$TMP/drop.db" --now "$NOW" --json >/dev/null 2>&1
expect_eq "import dead: built again" "$(n_idx "$TMP/drop.db")" 10
expect_eq "import dead: mark gone" \
    "$(sqlite3 "$TMP/drop.db" "SELECT count(*) FROM meta WHERE key = 'indexes_deferred'")" 0
same_schema "after the build" "$TMP/drop.db"

# ---- the next open that can write builds them; the import resumes with them
"$HEED" import messages "$G/messages.jsonl" --db "$TMP/crash.db" --batch 200 -q 2>/dev/null
expect_eq "resumed" "$?" 0
expect_eq "resumed: every index" "$(n_idx "$TMP/crash.db")" 10
expect_eq "resumed: no mark" \
    "$(sqlite3 "$TMP/crash.db" "SELECT count(*) FROM meta WHERE key = 'indexes_deferred'")" 0
same_schema "resumed" "$TMP/crash.db"
sqlite3 "$TMP/clean.db" "$DUMP" >"$TMP/da"
sqlite3 "$TMP/crash.db" "$DUMP" >"$TMP/db"
if [ -s "$TMP/da" ] && cmp -s "$TMP/da" "$TMP/db"; then ok; else
    bad "stored rows differ from the clean import"
    diff "$TMP/da" "$TMP/db" | head -5 >&2
fi
reads "$TMP/crash.db" "$TMP/r-resumed"
if cmp -s "$TMP/r-with" "$TMP/r-resumed"; then ok; else bad "readers differ after resuming"; fi
expect_eq "resumed: integrity" "$(sqlite3 "$TMP/crash.db" 'PRAGMA integrity_check')" ok

# ---- a server running while an import dies: its periodic queue pass builds
# them (not left to whichever request thread opens the store next), and
# leaves them to an import that is still alive
cp "$TMP/clean.db" "$TMP/srv.db"
DB=$TMP/srv.db
PIDS=()
start_server srv --rate 0 --threads 2 --quiet --queue-interval 1
sqlite3 "$DB" "$(echo "$IDX" | tr -d "' \n" | tr ',' '\n' | sed 's/.*/DROP INDEX &;/')
               INSERT INTO meta(key, value) VALUES('indexes_deferred', '$$')"
sleep 2.5 # two passes
expect_eq "server, import alive: still without them" "$(n_idx "$DB")" 0
sqlite3 "$DB" "UPDATE meta SET value = '$dead' WHERE key = 'indexes_deferred'"
for _ in $(seq 1 100); do
    [ "$(n_idx "$DB")" = 10 ] && break
    sleep 0.1
done
expect_eq "server, import dead: built by the queue pass" "$(n_idx "$DB")" 10
expect_eq "server, import dead: mark gone" \
    "$(sqlite3 "$DB" "SELECT count(*) FROM meta WHERE key = 'indexes_deferred'")" 0
kill -TERM "$PID"
wait "$PID"
expect_eq "server stops cleanly" "$?" 0
same_schema "built by the server" "$DB"

# ---- an import into a store that holds messages keeps every index, also
# when it dies
cp "$TMP/clean.db" "$TMP/more.db"
HEED_IMPORT_CRASH_AFTER=1 "$HEED" import mbox "$G/mail.mbox" --db "$TMP/more.db" --batch 5 \
    --agent-domain northwind.example.com -q 2>/dev/null
expect_eq "more: crashed" "$?" 137
expect_eq "more: every index" "$(n_idx "$TMP/more.db")" 10

finish
