#!/usr/bin/env bash
# test_trend_tables.sh - what `heed trends` reads instead of recomputing it
# (schema 9: each conversation's top need, each promise's conversation, and
# the rows the queue refresh stores to decide any promise's status) always
# equals a recomputation from the messages and the journeys: after imports in
# any order (replies before the customer messages they answer), after `heed
# reanalyze`, after an unmerge and a relink, and after the migration from
# schema 8. At each step the figures `heed trends` prints equal the ones SQL
# recomputes the slow way (a lookup per message), and trends read from the
# refresh's rows print what deciding every customer again prints, as of
# several times.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { bad "sqlite3 is missing (scripts/deps.sh installs it)"; finish; exit 1; }
DB=$TMP/t.db

# the rows recomputed from the messages (the definitions in docs/store.md)
WANT_NEED="SELECT c.id, (SELECT x.need FROM message x WHERE x.conversation = c.id AND x.role = 1
  AND x.need IS NOT NULL GROUP BY x.need ORDER BY count(*) DESC, min(x.time), min(x.id) LIMIT 1)
  FROM conversation c"
HAVE_NEED="SELECT id, top_need FROM conversation"
WANT_PCONV="SELECT p.id, m.conversation FROM promise p JOIN message m ON m.id = p.message"
HAVE_PCONV="SELECT id, conversation FROM promise"

# the figures by channel of the period FROM..TO as the slow join computes
# them: messages, customers, conversations, repeat customers, high stress;
# surveys; promises made up to NOW
slow() {
    sqlite3 -separator ' ' "$DB" "WITH m AS (SELECT coalesce(nullif(coalesce(m.channel,
        c.channel), ''), '(none)') ch, p.person, m.conversation cv, m.stress FROM message m
        JOIN conversation c ON c.id = m.conversation JOIN party p ON p.id = c.party
        WHERE m.role = 1 AND m.time >= $1 AND m.time < $2 AND p.person IS NOT NULL)
      SELECT ch, count(*), count(DISTINCT person), count(DISTINCT cv), (SELECT count(*) FROM
        (SELECT 1 FROM m m2 WHERE m2.ch = m.ch GROUP BY m2.person
         HAVING count(DISTINCT m2.cv) >= 2)), coalesce(sum(stress >= 60), 0)
      FROM m GROUP BY ch ORDER BY ch;
      SELECT 'surveys', count(*) FROM survey v JOIN party p ON p.id = v.party
        WHERE v.time >= $1 AND v.time < $2 AND p.person IS NOT NULL;
      SELECT 'promises', count(*) FROM promise pr JOIN message m ON m.id = pr.message
        JOIN conversation c ON c.id = m.conversation JOIN party p ON p.id = c.party
        WHERE pr.made >= $1 AND pr.made < $2 AND pr.made <= $3 AND p.person IS NOT NULL"
}
fast() {
    jq -r '.rows[]|select(.messages > 0)|"\(.key) \(.messages) \(.customers) \(.outcomes.conversations) \(.outcomes.repeat_customers) \(.high_stress)"' "$1"
    jq -r '"surveys \([.rows[].outcomes.surveys.n]|add // 0)"' "$1"
    jq -r '"promises \([.rows[].outcomes.promises.made]|add // 0)"' "$1"
}

# trends of 10 days and of 1 day as of each of these times (the generated
# set's days), computed. Ten days name most conversations, read as a range of
# ids and found by a table; one day names few of them, spread over the range,
# read each by key and found by a search (src/app/trends.c): both are checked.
TIMES="2026-09-08T12:00:00Z 2026-09-20T00:00:00Z 2026-09-30T18:00:00Z 2026-10-09T00:00:00Z"
trends() { "$HEED" trends --db "$DB" --now "$1" --days "$3" --by "$2" --json; }

# same WHEN: the kept columns equal their recomputation; the figures equal
# the slow join's; and the statuses read from the refresh's rows equal the
# decided ones, by each grouping and as of each time
same() {
    local d t by
    d=$(sqlite3 "$DB" "SELECT count(*) FROM ($WANT_NEED EXCEPT $HAVE_NEED);
        SELECT count(*) FROM ($HAVE_NEED EXCEPT $WANT_NEED);
        SELECT count(*) FROM ($WANT_PCONV EXCEPT $HAVE_PCONV);
        SELECT count(*) FROM ($HAVE_PCONV EXCEPT $WANT_PCONV);" | tr '\n' ' ')
    expect_eq "$1: rows differing from a recomputation" "$d" "0 0 0 0 "
    expect_eq "$1: top needs kept" "$(sqlite3 "$DB" "SELECT count(DISTINCT top_need) > 3 FROM conversation")" 1
    # nothing stored: every promise decided customer by customer
    sqlite3 "$DB" "INSERT OR REPLACE INTO meta(key, value) VALUES('queue_as_of', '')"
    for t in $TIMES; do
        for days in 10 1; do
            for by in week channel need; do
                trends "$t" "$by" "$days" >"$TMP/c-$t-$by-$days.json"
            done
            local from to
            from=$(jq -r .from "$TMP/c-$t-channel-$days.json")
            to=$(jq -r .to "$TMP/c-$t-channel-$days.json")
            expect_eq "$1: $days days as of $t, the slow join's figures" \
                "$(fast "$TMP/c-$t-channel-$days.json")" \
                "$(slow "strftime('%s', '$from')" "strftime('%s', '$to')" "strftime('%s', '$t')")"
        done
    done
    # the day of 2026-09-20 names few conversations among many ids
    expect_eq "$1: one day (2026-09-20) read by key" "$(sqlite3 "$DB" "SELECT 4 * ((SELECT count(*) FROM
        message WHERE role = 1 AND time >= strftime('%s', '2026-09-20') AND time <
        strftime('%s', '2026-09-21')) + (SELECT count(*) FROM promise WHERE made >=
        strftime('%s', '2026-09-20') AND made < strftime('%s', '2026-09-21'))) < (SELECT
        max(conversation) - min(conversation) FROM (SELECT conversation FROM message WHERE
        role = 1 AND time >= strftime('%s', '2026-09-20') AND time < strftime('%s',
        '2026-09-21') UNION ALL SELECT conversation FROM promise WHERE made >=
        strftime('%s', '2026-09-20') AND made < strftime('%s', '2026-09-21')))")" 1
    # the refresh's rows, read as of each time
    "$HEED" queue --db "$DB" --now "${TIMES##* }" --refresh >/dev/null 2>&1
    expect_eq "$1: a row per promise" "$(sqlite3 "$DB" "SELECT count(*) = (SELECT count(*) FROM promise)
        AND count(*) > 100 AND count(kept) > 0 FROM promise_state")" 1
    for t in $TIMES; do
        for days in 10 1; do
            for by in week channel need; do
                trends "$t" "$by" "$days" >"$TMP/s.json"
                if cmp -s "$TMP/c-$t-$by-$days.json" "$TMP/s.json"; then ok; else
                    bad "$1: $days days as of $t by $by, the stored rows give other figures than deciding"
                    diff "$TMP/c-$t-$by-$days.json" "$TMP/s.json" | head -4 | cut -c1-300 >&2
                fi
            done
        done
    done
}

# ---- a generated set imported newest first, in three files: many replies
# arrive before the customer messages they answer
gen_newest_first
"$HEED" import customers "$TMP/g/customers.csv" --db "$DB" -q
"$HEED" import agents "$TMP/g/agents.csv" --db "$DB" -q
"$HEED" import events "$TMP/g/events.jsonl" --db "$DB" -q
"$HEED" import surveys "$TMP/g/surveys.csv" --db "$DB" -q
for f in "$TMP"/m.0*; do
    "$HEED" import messages "$f" --db "$DB" -q
    expect_eq "import $(basename "$f")" "$?" 0
done
same "after the messages newest first"
"$HEED" import mbox "$TMP/g/mail.mbox" --db "$DB" -q
"$HEED" import zendesk "$TMP/g/tickets.json" --db "$DB" -q
same "after mail and tickets"

# ---- reanalyze: needs re-done from the text. The needs of a third of the
# customer messages are spoiled first, and the top needs of half of their
# conversations; re-scoring those messages puts both right.
"$HEED" reanalyze --all --db "$DB" -q
expect_eq "reanalyze --all exit" "$?" 0
same "after reanalyze --all"
sqlite3 "$DB" "UPDATE message SET model = 'old', need = (coalesce(need, 0) + 1) % 5
               WHERE id % 3 = 0 AND role = 1;
               UPDATE conversation SET top_need = 7 WHERE id % 2 = 0 AND id IN
                 (SELECT conversation FROM message WHERE model = 'old');"
expect_eq "spoiled" "$(sqlite3 "$DB" "SELECT count(*) > 0 FROM ($WANT_NEED EXCEPT $HAVE_NEED)")" 1
"$HEED" reanalyze --db "$DB" -q
expect_eq "reanalyze exit" "$?" 0
same "after reanalyze"

# ---- an unmerge rule and a relink move customers
read -r a b <<<"$(sqlite3 -separator ' ' "$DB" "SELECT p.id, q.id FROM party p JOIN party q ON q.person = p.person AND q.id > p.id ORDER BY p.id LIMIT 1")"
"$HEED" customer unmerge "$a" "$b" --db "$DB" >/dev/null 2>&1
expect_eq "unmerge exit" "$?" 0
"$HEED" customer relink --db "$DB" >/dev/null 2>&1
expect_eq "relink exit" "$?" 0
same "after unmerge and relink"

# ---- a schema-8 store (statuses as of the refresh, no top needs) is
# upgraded when opened: the columns filled, the old statuses dropped (and
# schema 10's marks of the persons to decide again added)
sqlite3 "$DB" "DROP TRIGGER queue_dirty_party;
               DROP TRIGGER queue_dirty_message_update; DROP TRIGGER queue_dirty_conversation;
               DROP TRIGGER queue_dirty_promise_delete; DROP TABLE queue_dirty;
               DROP INDEX person_state_as_of;
               DROP INDEX promise_made; ALTER TABLE promise DROP COLUMN conversation;
               DROP INDEX IF EXISTS message_other_time; DROP INDEX event_time;
               ALTER TABLE conversation DROP COLUMN top_need; DROP TABLE promise_state;
               CREATE TABLE promise_state(promise INTEGER PRIMARY KEY REFERENCES promise(id),
                 status INTEGER NOT NULL) WITHOUT ROWID;
               INSERT INTO promise_state SELECT id, 3 FROM promise;
               DROP TABLE agent_reply_stage; DROP TABLE agent_conv_stage;
               UPDATE meta SET value = '8' WHERE key = 'schema_version';
               PRAGMA user_version = 8;"
"$HEED" trends --db "$DB" --now "${TIMES##* }" --days 10 --json >/dev/null
expect_eq "migrated to 17" "$(sqlite3 "$DB" "PRAGMA user_version")" 17
expect_eq "old statuses dropped" "$(sqlite3 "$DB" "SELECT count(*) FROM promise_state")" 0
same "after the migration"
finish
