#!/usr/bin/env bash
# test_resume.sh - `heed import` after a crash: a run that dies right after
# its 2nd commit (HEED_IMPORT_CRASH_AFTER, exit 137 like kill -9) and a run
# killed with a real kill -9 at a random moment are each completed by running
# the same command again, and the store then equals a clean import: the same
# queue, the same journeys, every record already there; the agent rows an
# import into a store holding messages staged before it crashed are moved by
# the next open.
. "$(dirname "$0")/lib.sh"
NOW=data
# one key for every store, so redaction tokens compare equal
export HEED_SECRET=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
G=$TMP/gen
# small enough for the ASan build (the whole test well under a minute)
"$HEED" generate --out "$G" --customers 200 --seed 11 >/dev/null 2>&1
expect_eq "generate" "$?" 0

# compare WHAT CLEAN_DB DB: the queue and some journeys are byte-identical
compare() {
    "$HEED" queue --db "$2" --now "$NOW" --json --top 100000 >"$TMP/qa" 2>/dev/null
    "$HEED" queue --db "$3" --now "$NOW" --json --top 100000 >"$TMP/qb" 2>/dev/null
    if [ -s "$TMP/qa" ] && cmp -s "$TMP/qa" "$TMP/qb"; then ok; else
        bad "$1: queue differs from the clean import"
        diff "$TMP/qa" "$TMP/qb" | head -5 >&2
    fi
    # the conversations around the first batches' ends (records 150-650)
    local n=0 c
    for c in $(sed -n '150,650p' "$G/messages.jsonl" | grep -o '"conversation":"[^"]*"' |
        cut -d'"' -f4 | sort -u | awk 'NR % 6 == 1'); do
        "$HEED" journey "$c" --db "$2" --now "$NOW" --json >"$TMP/ja" 2>&1
        "$HEED" journey "$c" --db "$3" --now "$NOW" --json >"$TMP/jb" 2>&1
        cmp -s "$TMP/ja" "$TMP/jb" || { bad "$1: journey of $c differs"; break; }
        n=$((n + 1))
    done
    if [ "$n" -ge 8 ]; then ok; else bad "$1: only $n journeys compared"; fi
}
msgs=$(grep -c . "$G/messages.jsonl")

# same_rows WHAT CLEAN_DB DB: every stored analysis, promise and link equal
# (sqlite3 from scripts/deps.sh: no heed command shows every column)
if ! command -v sqlite3 >/dev/null; then bad "sqlite3 is missing (scripts/deps.sh installs it)"; fi
DUMP="SELECT m.source, m.ext_id, c.ext_id, m.role, m.time, m.text, m.scored, m.valence, m.stress,
  m.distress, m.urgency, m.effort, m.vulnerability, m.escalation, m.emotion, m.need, m.n_asks,
  m.er, m.ip, m.ex, m.compassion, m.comp_signals, m.addressed, m.n_jargon, m.grade, m.simhash,
  p.person FROM message m JOIN conversation c ON c.id = m.conversation
  JOIN party p ON p.id = c.party ORDER BY m.source, m.ext_id;
  SELECT m.source, m.ext_id, pr.kind, pr.text, pr.object, pr.made, pr.due FROM promise pr
  JOIN message m ON m.id = pr.message ORDER BY m.source, m.ext_id, pr.kind, pr.text;
  SELECT kind, label, crm, person FROM party ORDER BY kind, label;
  SELECT source, ext_id, type, time FROM event ORDER BY source, ext_id;
  SELECT source, ext_id, kind, score, comment, valence, stress FROM survey ORDER BY source, ext_id;
  SELECT r.agent, r.time, m.source, m.ext_id, r.er, r.ip, r.ex, r.compassion, r.stress
  FROM agent_reply r JOIN message m ON m.id = r.message ORDER BY 1, 2, 3, 4;
  SELECT a.agent, c.source, c.ext_id, a.start, a.end, a.replies, a.peak_stress FROM agent_conv a
  JOIN conversation c ON c.id = a.conversation ORDER BY 1, 2, 3;
  SELECT 'staged', (SELECT count(*) FROM agent_reply_stage), (SELECT count(*) FROM agent_conv_stage);"
same_rows() {
    sqlite3 "$2" "$DUMP" >"$TMP/da" 2>&1
    sqlite3 "$3" "$DUMP" >"$TMP/db" 2>&1
    if [ -s "$TMP/da" ] && cmp -s "$TMP/da" "$TMP/db"; then ok; else
        bad "$1: stored rows differ from the clean import"
        diff "$TMP/da" "$TMP/db" | head -6 >&2
    fi
}

# ---- the crash hook: exit 137 right after the 2nd commit, then resume
"$HEED" import messages "$G/messages.jsonl" --db "$TMP/clean.db" -q
expect_eq "clean import" "$?" 0
HEED_IMPORT_CRASH_AFTER=2 "$HEED" import messages "$G/messages.jsonl" --db "$TMP/crash.db" \
    --batch 200 2>"$TMP/c1"
expect_eq "crashed" "$?" 137
"$HEED" import messages "$G/messages.jsonl" --db "$TMP/crash.db" --batch 200 2>"$TMP/c2"
expect_eq "resumed" "$?" 0
expect_grep "resumed after 2 batches" "$TMP/c2" \
    "$((msgs - 400)) read = $((msgs - 400)) imported + 0 already there + 0 rejected; 400 skipped, done by an earlier run"
compare "crash hook" "$TMP/clean.db" "$TMP/crash.db"
same_rows "crash hook" "$TMP/clean.db" "$TMP/crash.db"
# every record is there: through a pipe (nothing skipped), all already there
cat "$G/messages.jsonl" | "$HEED" import messages - --db "$TMP/crash.db" 2>"$TMP/c3"
expect_eq "third import" "$?" 0
expect_grep "third import: all there" "$TMP/c3" "$msgs read = 0 imported + $msgs already there + 0 rejected"

# ---- into a store that holds messages, an import stages its agent rows
# (heed_store_stage_agents) and moves them when its file ends: a crash after
# two commits of the second half of the file leaves them staged; a copy
# opened by any command has them moved, and the resumed import ends with
# the agent tables equal to a recomputation from the messages, the stage
# empty (docs/store.md, "Imports"); the halves share conversations
half=$((msgs / 2))
head -n "$half" "$G/messages.jsonl" >"$TMP/h1.jsonl"
tail -n +"$((half + 1))" "$G/messages.jsonl" >"$TMP/h2.jsonl"
"$HEED" import messages "$TMP/h1.jsonl" --source t --db "$TMP/st.db" -q
expect_eq "first half" "$?" 0
# AGENTS_RIGHT DB: the agent rows equal their recomputation (docs/store.md)
agents_right() {
    sqlite3 "$1" "SELECT (SELECT count(*) FROM agent_reply) = (SELECT count(*) FROM message
        WHERE role = 2 AND agent IS NOT NULL) AND (SELECT count(*) FROM agent_reply) > 0
        AND NOT EXISTS (SELECT 1 FROM agent_reply r JOIN message m ON m.id = r.message
        WHERE r.agent IS NOT m.agent OR r.time IS NOT m.time OR r.er IS NOT m.er
        OR r.compassion IS NOT m.compassion OR r.stress IS NOT (SELECT x.stress FROM message x
        WHERE x.conversation = m.conversation AND x.role = 1 AND x.time <= m.time
        ORDER BY x.time DESC, x.id DESC LIMIT 1)),
        NOT EXISTS (SELECT 1 FROM (SELECT agent, conversation, min(time) s, max(time) e,
        count(*) n FROM message WHERE role = 2 AND agent IS NOT NULL
        GROUP BY agent, conversation) w LEFT JOIN agent_conv a ON a.agent = w.agent
        AND a.conversation = w.conversation WHERE a.start IS NOT w.s OR a.end IS NOT w.e
        OR a.replies IS NOT w.n OR a.peak_stress IS NOT coalesce((SELECT max(x.stress)
        FROM message x WHERE x.conversation = w.conversation AND x.role = 1
        AND x.time <= w.e), 0)), (SELECT count(*) FROM agent_conv) = (SELECT count(*) FROM
        (SELECT 1 FROM message WHERE role = 2 AND agent IS NOT NULL GROUP BY agent, conversation)),
        (SELECT count(*) FROM agent_reply_stage) + (SELECT count(*) FROM agent_conv_stage)"
}
expect_eq "first half: agent rows" "$(agents_right "$TMP/st.db")" "1|1|1|0"
before=$(sqlite3 "$TMP/st.db" 'SELECT count(*) FROM agent_reply')
HEED_IMPORT_CRASH_AFTER=2 "$HEED" import messages "$TMP/h2.jsonl" --source t --db "$TMP/st.db" \
    --batch 200 2>/dev/null
expect_eq "second half: crashed" "$?" 137
expect_eq "crashed: agent rows staged, none moved" \
    "$(sqlite3 "$TMP/st.db" "SELECT (SELECT count(*) FROM agent_reply_stage) > 0,
        (SELECT count(*) FROM agent_conv_stage) > 0, (SELECT count(*) FROM agent_reply),
        (SELECT count(*) FROM meta WHERE key = 'agents_staged')")" "1|1|$before|1"
for f in "$TMP"/st.db*; do cp "$f" "$TMP/opened.db${f#"$TMP"/st.db}"; done
"$HEED" agents --db "$TMP/opened.db" --now "$NOW" >/dev/null 2>&1
expect_eq "crashed, opened: staged rows moved, equal to a recomputation" \
    "$(agents_right "$TMP/opened.db")" "1|1|1|0"
expect_eq "crashed, opened: the importer forgotten" \
    "$(sqlite3 "$TMP/opened.db" "SELECT count(*) FROM meta WHERE key = 'agents_staged'")" 0
"$HEED" import messages "$TMP/h2.jsonl" --source t --db "$TMP/st.db" --batch 200 2>/dev/null
expect_eq "second half: resumed" "$?" 0
expect_eq "second half, resumed: agent rows" "$(agents_right "$TMP/st.db")" "1|1|1|0"
expect_eq "second half, resumed: every reply" \
    "$(sqlite3 "$TMP/st.db" "SELECT count(*) FROM agent_reply")" \
    "$(sqlite3 "$TMP/clean.db" "SELECT count(*) FROM agent_reply")"

# ---- transactions of several batches: --batch 300 records to a transaction,
# stored in batches of 70 (HEED_IMPORT_BATCH_ROWS); the crash after the 2nd
# commit leaves exactly 600 records done
HEED_IMPORT_BATCH_ROWS=70 HEED_IMPORT_CRASH_AFTER=2 "$HEED" import messages "$G/messages.jsonl" \
    --db "$TMP/txn.db" --batch 300 2>"$TMP/t1"
expect_eq "transactions of 300: crashed" "$?" 137
HEED_IMPORT_BATCH_ROWS=70 "$HEED" import messages "$G/messages.jsonl" --db "$TMP/txn.db" \
    --batch 300 -j 2 2>"$TMP/t2"
expect_eq "transactions of 300: resumed" "$?" 0
expect_grep "transactions of 300: resumed after 2 transactions" "$TMP/t2" \
    "$((msgs - 600)) read = $((msgs - 600)) imported + 0 already there + 0 rejected; 600 skipped, done by an earlier run"
same_rows "transactions of 300" "$TMP/clean.db" "$TMP/txn.db"
# the default transaction holds this whole file (fewer than 20000 records):
# its one commit comes at the end, with every record
HEED_IMPORT_BATCH_ROWS=70 HEED_IMPORT_CRASH_AFTER=1 "$HEED" import messages "$G/messages.jsonl" \
    --db "$TMP/txn1.db" 2>/dev/null
expect_eq "default transaction: crashed after its commit" "$?" 137
expect_eq "default transaction: every message in the first commit" \
    "$(sqlite3 "$TMP/txn1.db" 'SELECT count(*) FROM message')" "$msgs"

# ---- a real kill -9 at a random moment of `heed import dir`: the moment is
# drawn between 5 % and 95 % of the clean import's own time in this build
# (sanitizers make it several times slower), so that it lands mid-import
t0=$(date +%s%N)
"$HEED" import dir "$G" --db "$TMP/clean-dir.db" --agent-domain northwind.example.com -q
expect_eq "clean dir import" "$?" 0
t1=$(date +%s%N)
dur_ms=$(((t1 - t0) / 1000000))
delay_ms=$((dur_ms * (5 + RANDOM % 91) / 100))
delay=$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))
"$HEED" import dir "$G" --db "$TMP/kill.db" --agent-domain northwind.example.com --batch 100 -q &
pid=$!
sleep "$delay"
kill -9 "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$rc" = 137 ] || [ "$rc" = 0 ]; then ok; else bad "killed import: exit $rc"; fi
if [ "$rc" = 0 ]; then
    echo "note: the import finished before the kill (after $delay s of a $dur_ms ms import)"
else
    echo "note: killed after $delay s of a $dur_ms ms import"
fi
"$HEED" import dir "$G" --db "$TMP/kill.db" --agent-domain northwind.example.com --batch 100 \
    2>"$TMP/k2"
expect_eq "rerun after kill -9 ($delay s)" "$?" 0
compare "kill -9 after $delay s" "$TMP/clean-dir.db" "$TMP/kill.db"
same_rows "kill -9 after $delay s" "$TMP/clean-dir.db" "$TMP/kill.db"
# a third run has nothing left to do
"$HEED" import dir "$G" --db "$TMP/kill.db" --agent-domain northwind.example.com 2>"$TMP/k3"
expect_eq "third run: nothing read" "$(grep -c ' 0 read = 0 imported' "$TMP/k3")" 8
# ---- resuming after any record: each reply is scored against the same
# (redacted) context as in one run, for every format. ctx-turns goes
# customer, agent, customer, agent: a reply done by the earlier run still
# closes its exchange, so the second reply answers only the second question.
# FORMAT:FILE:N - crash after each of the first N records
J=$2/journey
for f in messages:ctx-messages.jsonl:1 messages:ctx-turns.jsonl:3 mbox:mail.mbox:3 \
    zendesk:tickets.json:1; do
    kind=${f%%:*} rest=${f#*:}
    file=$J/${rest%:*} last=${rest##*:} name=$kind-${rest%%.*}
    "$HEED" import "$kind" "$file" --db "$TMP/one-$name.db" --agent-domain example.org -q
    for n in $(seq 1 "$last"); do
        db=$TMP/two-$name-$n.db
        HEED_IMPORT_CRASH_AFTER=$n "$HEED" import "$kind" "$file" --db "$db" \
            --agent-domain example.org --batch 1 -q
        expect_eq "$name: crashed after record $n" "$?" 137
        "$HEED" import "$kind" "$file" --db "$db" --agent-domain example.org --batch 1 -q
        expect_eq "$name: resumed" "$?" 0
        same_rows "$name: resumed after record $n" "$TMP/one-$name.db" "$db"
    done
done
# ---- batches in flight: many small batches (the reader, the analysis and the
# writer overlap) store what one batch stores, and report the bad records in
# file order
awk 'NR % 37 == 0 { print "{\"id\":\"\",\"text\":\"no id " NR "\"}" } { print }' \
    "$G/messages.jsonl" >"$TMP/mixed.jsonl"
"$HEED" import messages "$TMP/mixed.jsonl" --db "$TMP/one-batch.db" --batch 1000000 -j 1 \
    --rejects "$TMP/rej-one" 2>"$TMP/e-one"
expect_eq "one batch: some rejected" "$?" 1
"$HEED" import messages "$TMP/mixed.jsonl" --db "$TMP/small-batches.db" --batch 7 -j 2 \
    --rejects "$TMP/rej-small" 2>"$TMP/e-small"
expect_eq "batches of 7: some rejected" "$?" 1
same_rows "batches of 7" "$TMP/one-batch.db" "$TMP/small-batches.db"
grep -v ' records/s$' "$TMP/e-one" >"$TMP/e-one.r"
grep -v ' records/s$' "$TMP/e-small" >"$TMP/e-small.r"
if [ -s "$TMP/e-one.r" ] && cmp -s "$TMP/e-one.r" "$TMP/e-small.r"; then ok; else
    bad "batches of 7: the reports differ"
    diff "$TMP/e-one.r" "$TMP/e-small.r" | head -4 >&2
fi
if [ -s "$TMP/rej-one" ] && cmp -s "$TMP/rej-one" "$TMP/rej-small"; then ok; else
    bad "batches of 7: the rejects differ"
fi
sqlite3 "$TMP/one-batch.db" 'SELECT id, source, ext_id FROM message ORDER BY id' >"$TMP/ids-one"
sqlite3 "$TMP/small-batches.db" 'SELECT id, source, ext_id FROM message ORDER BY id' \
    >"$TMP/ids-small"
if [ -s "$TMP/ids-one" ] && cmp -s "$TMP/ids-one" "$TMP/ids-small"; then ok; else
    bad "batches of 7: messages stored in another order"
fi
finish
