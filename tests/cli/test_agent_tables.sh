#!/usr/bin/env bash
# test_agent_tables.sh - the agent summaries kept at import (agent_conv: one
# row per agent and conversation; agent_reply: one row per reply with the
# customer stress it answered) always equal a recomputation from the
# messages: after imports in any order (replies before the customer messages
# they answer), after `heed reanalyze`, after an unmerge and a relink, and
# after the migration that creates agent_reply upgrades a schema-4 store; and
# `heed agent` / `heed agents` print the same before and after each.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { bad "sqlite3 is missing (scripts/deps.sh installs it)"; finish; exit 1; }
DB=$TMP/t.db

# the rows recomputed from the messages (the definitions in docs/store.md)
WANT_REPLY="SELECT m.agent, m.time, m.id, m.conversation, m.er, m.ip, m.ex, m.compassion,
  (SELECT x.stress FROM message x WHERE x.conversation = m.conversation AND x.role = 1
   AND x.time <= m.time ORDER BY x.time DESC, x.id DESC LIMIT 1)
  FROM message m WHERE m.agent IS NOT NULL AND m.role = 2"
HAVE_REPLY="SELECT agent, time, message, conversation, er, ip, ex, compassion, stress FROM agent_reply"
WANT_CONV="SELECT a.ag, a.cv, a.s, a.e, a.n, coalesce((SELECT max(x.stress) FROM message x
  WHERE x.conversation = a.cv AND x.role = 1 AND x.time <= a.e), 0) FROM (SELECT m.agent ag,
  m.conversation cv, min(m.time) s, max(m.time) e, count(*) n FROM message m
  WHERE m.agent IS NOT NULL AND m.role = 2 GROUP BY m.agent, m.conversation) a"
HAVE_CONV="SELECT agent, conversation, start, end, replies, peak_stress FROM agent_conv"

# same WHEN: both tables equal their recomputation, both ways, and are not empty
same() {
    local d
    d=$(sqlite3 "$DB" "SELECT count(*) FROM ($WANT_REPLY EXCEPT $HAVE_REPLY);
        SELECT count(*) FROM ($HAVE_REPLY EXCEPT $WANT_REPLY);
        SELECT count(*) FROM ($WANT_CONV EXCEPT $HAVE_CONV);
        SELECT count(*) FROM ($HAVE_CONV EXCEPT $WANT_CONV);" | tr '\n' ' ')
    expect_eq "$1: rows differing from a recomputation" "$d" "0 0 0 0 "
    expect_eq "$1: replies kept" "$(sqlite3 "$DB" "SELECT count(*) > 100 FROM agent_reply")" 1
    expect_eq "$1: nothing left staged" "$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM
        agent_reply_stage) + (SELECT count(*) FROM agent_conv_stage)")" 0
}

# views OUT: every agent's month, and two agents' weeks and coaching examples
views() {
    "$HEED" agents --db "$DB" --now data --days 40 --json >"$1" 2>&1
    local a
    for a in $(sqlite3 "$DB" "SELECT agent FROM agent_reply GROUP BY agent ORDER BY count(*) DESC, agent LIMIT 2"); do
        "$HEED" agent "$a" --db "$DB" --now data --days 40 --json >>"$1" 2>&1
    done
}

# ---- a generated set imported newest first, in three files: many replies
# arrive before the customer messages they answer
gen_newest_first
"$HEED" import customers "$TMP/g/customers.csv" --db "$DB" -q
"$HEED" import agents "$TMP/g/agents.csv" --db "$DB" -q
"$HEED" import shifts "$TMP/g/shifts.csv" --db "$DB" -q
for f in "$TMP"/m.0*; do
    "$HEED" import messages "$f" --db "$DB" -q
    expect_eq "import $(basename "$f")" "$?" 0
    same "after $(basename "$f")"
done
expect_eq "some replies came first" \
    "$(sqlite3 "$DB" "SELECT count(*) > 0 FROM agent_reply r JOIN message c ON c.conversation = r.conversation AND c.role = 1 AND c.time <= r.time AND c.id > r.message")" 1
expect_eq "answered stress set" "$(sqlite3 "$DB" "SELECT count(*) > 0 FROM agent_reply WHERE stress > 0")" 1
"$HEED" import mbox "$TMP/g/mail.mbox" --db "$DB" -q
"$HEED" import zendesk "$TMP/g/tickets.json" --db "$DB" -q
same "after mail and tickets"

# ---- reanalyze: customer stress and reply scores re-done from the text.
# Once over everything first: a reply's context at import (newest first) is
# not the one reanalyze rebuilds, so the scores may move once.
"$HEED" reanalyze --all --db "$DB" -q
expect_eq "reanalyze --all exit" "$?" 0
same "after reanalyze --all"
views "$TMP/v.before"
expect_grep "an example" "$TMP/v.before" '"example":"to_work_on"'
expect_grep "a shift" "$TMP/v.before" '"period":"shift"'
sqlite3 "$DB" "UPDATE message SET model = 'old', stress = 0, er = NULL, compassion = NULL
               WHERE id % 3 = 0;
               UPDATE agent_reply SET stress = -1, er = NULL WHERE message % 5 = 0;
               UPDATE agent_conv SET peak_stress = -1 WHERE conversation % 5 = 0;"
"$HEED" reanalyze --db "$DB" -q
expect_eq "reanalyze exit" "$?" 0
same "after reanalyze"
views "$TMP/v.re"
if cmp -s "$TMP/v.before" "$TMP/v.re"; then ok; else
    bad "the agent views changed with reanalyze"
    diff "$TMP/v.before" "$TMP/v.re" | head -4 | cut -c1-300 >&2
fi

# ---- an unmerge rule and a relink move customers, not agents' work
read -r a b <<<"$(sqlite3 -separator ' ' "$DB" "SELECT p.id, q.id FROM party p JOIN party q ON q.person = p.person AND q.id > p.id ORDER BY p.id LIMIT 1")"
"$HEED" customer unmerge "$a" "$b" --db "$DB" >/dev/null 2>&1
expect_eq "unmerge exit" "$?" 0
"$HEED" customer relink --db "$DB" >/dev/null 2>&1
expect_eq "relink exit" "$?" 0
same "after unmerge and relink"
views "$TMP/v.un"
if cmp -s "$TMP/v.before" "$TMP/v.un"; then ok; else bad "the agent views changed with a relink"; fi

# ---- a schema-4 store (before agent_reply) is upgraded when opened (to the latest)
sqlite3 "$DB" "DROP TRIGGER queue_dirty_party;
               DROP TRIGGER queue_dirty_message_update; DROP TRIGGER queue_dirty_conversation;
               DROP TRIGGER queue_dirty_promise_delete; DROP TABLE queue_dirty;
               DROP INDEX person_state_as_of;
               DROP TABLE agent_reply; DROP INDEX shift_end; DROP INDEX message_customer_time;
               DROP TABLE agent_alias; DROP TABLE promise_state; DROP INDEX promise_made;
               DROP INDEX IF EXISTS message_other_time; DROP INDEX event_time;
               CREATE INDEX message_model ON message(model);
               ALTER TABLE promise DROP COLUMN conversation;
               ALTER TABLE conversation DROP COLUMN top_need;
               DROP INDEX agent_conv_start; DROP INDEX agent_conv_agent;
               CREATE INDEX agent_conv_start ON agent_conv(start, agent);
               CREATE INDEX agent_conv_agent ON agent_conv(agent, start);
               DROP INDEX message_agent;
               CREATE INDEX message_agent ON message(agent, time) WHERE agent IS NOT NULL;
               DROP TABLE agent_reply_stage; DROP TABLE agent_conv_stage;
               UPDATE meta SET value = '4' WHERE key = 'schema_version';
               PRAGMA user_version = 4;"
views "$TMP/v.mig"
expect_eq "migrated to 17" "$(sqlite3 "$DB" "PRAGMA user_version")" 17
expect_eq "no index on message.model (migration 11)" \
    "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name = 'message_model'")" 0
expect_eq "no index message_reply_time (migration 12)" \
    "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name = 'message_reply_time'")" 0
expect_eq "no index agent_reply_message (migration 13)" \
    "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name = 'agent_reply_message'")" 0
expect_eq "message_time for the customers' messages alone (migrations 14 and 17)" \
    "$(sqlite3 "$DB" "SELECT group_concat(name) FROM sqlite_master WHERE name LIKE 'message_%time'
        ORDER BY name")" "message_customer_time"
expect_eq "the other messages' latest time in meta (migration 17)" \
    "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'latest_other_time'")" \
    "$(sqlite3 "$DB" "SELECT max(time) FROM message WHERE role <> 1")"
expect_eq "message_agent on the agent alone (migration 15)" \
    "$(sqlite3 "$DB" "SELECT group_concat(name) FROM pragma_index_info('message_agent')")" "agent"
expect_eq "the stage tables (migration 16)" \
    "$(sqlite3 "$DB" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master
        WHERE name LIKE 'agent_%_stage' ORDER BY name)")" "agent_conv_stage,agent_reply_stage"
same "after the migration"
if cmp -s "$TMP/v.before" "$TMP/v.mig"; then ok; else bad "the agent views changed with the migration"; fi
finish
